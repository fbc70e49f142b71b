import Hummingbird

/// `GET /healthz` (the process is up) and `GET /readyz` (the database answers and the schema is current).
struct HealthController: Sendable {
    /// Whether the service can take traffic; throws or returns false when it cannot.
    let isReady: @Sendable () async throws -> Bool

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in Self.text("ok\n") }
        router.get("readyz") { _, context in
            let ready: Bool
            do {
                ready = try await withDeadline(.seconds(3)) { try await isReady() }
            } catch {
                context.logger.warning("not ready", metadata: ["error": "\(String(reflecting: error))"])
                throw Problem.unavailable()
            }
            guard ready else { throw Problem.unavailable("the database schema is not current; run 'hailong migrate'") }
            return Self.text("ready\n")
        }
    }

    static func text(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
