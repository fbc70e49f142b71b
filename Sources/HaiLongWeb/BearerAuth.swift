import HaiLongCore
import HaiLongStore
import Hummingbird

/// Resolves `Authorization: Bearer <token>` to a `Caller`; 401 when it is missing or unknown.
struct BearerAuth<Directory: DirectoryStore>: Sendable {
    let directory: Directory

    func caller(_ request: Request) async throws -> Caller {
        guard let header = request.headers[.authorization] else {
            throw Problem(
                .unauthorized, field: "Authorization", detail: "a bearer token is required",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].count <= 200,
            let caller = try await directory.caller(forToken: String(parts[1]))
        else {
            throw Problem(
                .unauthorized, field: "Authorization", detail: "the bearer token is unknown or revoked",
                headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        return caller
    }
}
