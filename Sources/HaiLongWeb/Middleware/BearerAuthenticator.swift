import HaiLongCore
import HaiLongStore
import Hummingbird

/// Resolves `Authorization: Bearer <token>` to a `Caller` before a protected API route runs: 401 when the token is
/// missing or unknown, else the caller goes into the context for `TokenRequestContext` or `DeviceRequestContext`.
/// With a `cache` (the ingest route only, whose writes re-check the caller), known tokens skip the look-up.
struct BearerAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext

    let directory: PostgresDirectoryStore
    var cache: CallerCache? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // Under a deadline like the routes themselves: an unreachable database gives a quick 503, not a hung request.
        context.caller = try await withDeadline(.seconds(5)) { try await caller(request) }
        return try await next(request, context)
    }

    func caller(_ request: Request) async throws -> Caller {
        let token = try Self.token(request)
        if let cached = cache?.caller(forToken: token) { return cached }
        guard let caller = try await directory.caller(forToken: token) else { throw Problem.invalidToken }
        cache?.remember(caller, forToken: token)
        return caller
    }

    /// The bearer token of `request`; 401 when there is none or it cannot be one of ours.
    static func token(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization] else { throw Problem.missingToken }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].count <= 200 else { throw Problem.invalidToken }
        return String(parts[1])
    }
}

extension Problem {
    /// 401 for a request without a bearer token.
    static var missingToken: Problem {
        Problem(.unauthorized, field: "Authorization", detail: "a bearer token is required", headers: [.wwwAuthenticate: "Bearer"])
    }

    /// 401 for a token that is not (or no longer) one of ours.
    static var invalidToken: Problem {
        Problem(
            .unauthorized, field: "Authorization", detail: "the bearer token is unknown or revoked",
            headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
    }
}
