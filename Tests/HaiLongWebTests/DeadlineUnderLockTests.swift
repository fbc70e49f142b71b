import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// The ingest route's 5 s deadline holds when the database is reachable but the statement does not come back (a lock
/// held by a migration or an operator, a connection whose server went silent): the kiosk gets its 503 with
/// `Retry-After` at the deadline, not when the database lets go; and its retry with the same key stores it once.
@Suite struct DeadlineUnderLockTests {
    @Test
    func aStatementWaitingInTheDatabaseIsA503AtTheDeadline() async throws {
        try await withTestDatabaseURL { url in try await run(url) }
    }

    func run(_ url: DatabaseURL) async throws {
        try await withClient(url) { owner in
            try await withClient(url, asRuntimeRole: true) { db in
                let fixture = try await Fixture.make(db)
                let logger = TestDatabase.logger
                let dependencies = AppDependencies(
                    directory: fixture.directory, responses: fixture.responses, indices: PostgresIndexStore(client: db, logger: logger),
                    dossiers: PostgresDossierStore(client: db, logger: logger), isReady: { true })
                let app = Application(router: buildRouter(dependencies), logger: logger)
                try await app.test(.router) { client in
                    let tap = tapTime()
                    @Sendable func post(_ key: String) async throws -> TestResponse {
                        try await client.execute(
                            uri: "/api/v1/responses", method: .post,
                            headers: [
                                .authorization: "Bearer \(fixture.kioskA.token)", .contentType: "application/json",
                                HTTPField.Name("Idempotency-Key")!: key,
                            ],
                            body: ByteBuffer(string: #"{"questionnaire":"kiosk-3","answers":{"overall":2},"submitted_at":"\#(tap)"}"#))
                    }
                    #expect(try await post(UUID().uuidString).status == .created)
                    let key = UUID().uuidString.lowercased()
                    let (answeredWhileLocked, answer) = try await owner.withConnection { blocker in
                        try await blocker.query("BEGIN", logger: logger)
                        // The ingest statement's INSERT into the queue waits for this lock.
                        try await blocker.query("LOCK TABLE pending_aggregation IN SHARE MODE", logger: logger)
                        let request = Task { try await post(key) }
                        // The answer, or 20 s (four times the deadline) with no answer; then the lock goes.
                        let answered = await withTaskGroup(of: Bool.self) { group in
                            group.addTask { (try? await request.value) != nil }
                            group.addTask {
                                try? await Task.sleep(for: .seconds(20))
                                return false
                            }
                            let first = await group.next() ?? false
                            _ = try? await blocker.query("ROLLBACK", logger: logger)
                            group.cancelAll()
                            return first
                        }
                        return (answered, try await request.value)
                    }
                    #expect(answeredWhileLocked, "no answer within four times the 5 s deadline while the statement waited")
                    #expect(answer.status == .serviceUnavailable, "\(answer.status) \(answer.text)")
                    #expect(answer.headers[.retryAfter] == "5")
                    // The statement may have committed once the lock went: the retry is answered from it, stored once.
                    let retried = try await post(key)
                    #expect(retried.status == .created && retried.json["id"] as? String == key)
                    #expect(try await scalar(db, "SELECT count(*) FROM responses WHERE id = \(key)::uuid") == 1)
                }
            }
        }
    }
}
