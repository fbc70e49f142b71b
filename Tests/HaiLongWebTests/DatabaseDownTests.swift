import Foundation
import HTTPTypes
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// With the database unreachable the API answers 503 with `Retry-After` and a problem body — never a bare 500 —
/// and the process stays up (`/healthz` still answers).
@Suite struct DatabaseDownTests {
    @Test func anUnreachableDatabaseIsA503WithRetryAfter() async throws {
        let nowhere = DatabaseURL(username: "hailong", database: "hailong", socketPath: "/nonexistent/.s.PGSQL.5432")
        try await withClient(nowhere, waitForRun: false) { db in
            let logger = TestDatabase.logger
            let dependencies = AppDependencies(
                directory: PostgresDirectoryStore(client: db, logger: logger),
                responses: PostgresResponseStore(client: db, logger: logger),
                indices: PostgresIndexStore(client: db, logger: logger),
                dossiers: PostgresDossierStore(client: db, logger: logger),
                isReady: { try await Migrator(migrations: []).isCurrent(client: db, logger: logger) })
            let app = Application(router: buildRouter(dependencies), logger: logger)
            try await app.test(.router) { client in
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .serviceUnavailable)
                let posted = try await client.execute(
                    uri: "/api/v1/responses", method: .post,
                    headers: [.authorization: "Bearer hlk_anything", HTTPField.Name("Idempotency-Key")!: UUID().uuidString],
                    body: ByteBuffer(string: #"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"\#(tapTime())"}"#))
                #expect(posted.status == .serviceUnavailable)
                #expect(posted.headers[.retryAfter] == "5")
                #expect(posted.headers[.contentType] == "application/problem+json")
                #expect(posted.json["status"] as? Int == 503)
            }
        }
    }
}
