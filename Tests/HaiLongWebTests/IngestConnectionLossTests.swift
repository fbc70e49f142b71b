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

/// The database connection lost while a batch is being written: every request of the batch is answered 503 with
/// `Retry-After` (never a 500, never a 201 for something not stored), and the kiosk's retry with the same
/// Idempotency-Key stores each rating exactly once; a further retry is answered from the stored row.
///
/// The loss is placed, not timed: another session holds a SHARE lock on the queue table, so each batch's ingest
/// statement waits inside PostgreSQL; its backend is found waiting in `pg_stat_activity` and terminated
/// (`pg_terminate_backend`, as a failover or a restarted server does to the service's connections).
@Suite struct IngestConnectionLossTests {
    static let unavailable = "the database is unavailable; retry shortly"

    /// The pids of this database's backends waiting for a table lock in the ingest statement.
    static func waitingIngest(_ owner: PostgresClient) async throws -> [Int] {
        try await collect(
            try await owner.query(
                """
                SELECT pid::bigint FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                  AND wait_event = 'relation' AND strpos(query, 'WITH input AS') > 0
                """
            ).decode(Int.self))
    }

    @Test func aConnectionLostMidBatchIsA503AndTheRetryStoresEachRatingOnce() async throws {
        try await withTestDatabaseURL { url in try await run(url) }
    }

    func run(_ url: DatabaseURL) async throws {
        // The owner kills backends; the service runs as the runtime role, as `hailong serve` does.
        try await withClient(url) { owner in
            try await withClient(url, asRuntimeRole: true) { db in
                let fixture = try await Fixture.make(db)
                let logger = TestDatabase.logger
                let dependencies = AppDependencies(
                    directory: fixture.directory, responses: fixture.responses, indices: PostgresIndexStore(client: db, logger: logger),
                    dossiers: PostgresDossierStore(client: db, logger: logger), isReady: { true })
                let app = Application(router: buildRouter(dependencies), logger: logger)
                try await app.test(.router) { client in
                    let keys = (0..<3).map { _ in UUID().uuidString.lowercased() }
                    let bodies = keys.indices.map { index in
                        #"{"questionnaire":"kiosk-3","answers":{"overall":\#(1 + index)},"submitted_at":"\#(tapTime(Double(-60 - index)))"}"#
                    }
                    func post(_ index: Int) async throws -> TestResponse {
                        try await client.execute(
                            uri: "/api/v1/responses", method: .post,
                            headers: [
                                .authorization: "Bearer \(fixture.kioskA.token)", .contentType: "application/json",
                                HTTPField.Name("Idempotency-Key")!: keys[index],
                            ],
                            body: ByteBuffer(string: bodies[index]))
                    }
                    // Warm up: the token look-up and the questionnaires are cached, the ingest statement prepared.
                    let warm = try await client.execute(
                        uri: "/api/v1/responses", method: .post,
                        headers: [
                            .authorization: "Bearer \(fixture.kioskA.token)", .contentType: "application/json",
                            HTTPField.Name("Idempotency-Key")!: UUID().uuidString,
                        ],
                        body: ByteBuffer(string: #"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"\#(tapTime(-600))"}"#)
                    )
                    #expect(warm.status == .created)

                    let answers: [TestResponse] = try await owner.withConnection { blocker in
                        try await blocker.query("BEGIN", logger: logger)
                        // Reads go on; the ingest statement's INSERT into the queue waits.
                        try await blocker.query("LOCK TABLE pending_aggregation IN SHARE MODE", logger: logger)
                        // Kills each ingest statement found waiting, until the requests are all answered.
                        let killer = Task {
                            var killed = 0
                            while !Task.isCancelled {
                                do {
                                    for pid in try await Self.waitingIngest(owner) {
                                        killed += try await scalar(owner, "SELECT pg_terminate_backend(\(pid)::int, 5000)::int")
                                    }
                                    try await Task.sleep(for: .milliseconds(20))
                                } catch  where Task.isCancelled {
                                    break
                                }
                            }
                            return killed
                        }
                        let answers = try await withThrowingTaskGroup(of: (Int, TestResponse).self) { group in
                            for index in keys.indices {
                                group.addTask { (index, try await post(index)) }
                            }
                            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }.sorted { $0.key < $1.key }.map(\.value)
                        }
                        killer.cancel()
                        var killed = try await killer.value
                        // None left waiting (a request answered by its deadline may still have its statement queued).
                        for pid in try await Self.waitingIngest(owner) {
                            killed += try await scalar(owner, "SELECT pg_terminate_backend(\(pid)::int, 5000)::int")
                        }
                        #expect(killed >= 1, "no ingest statement was killed")
                        try await blocker.query("ROLLBACK", logger: logger)
                        return answers
                    }

                    for (index, answer) in answers.enumerated() {
                        #expect(answer.status == .serviceUnavailable, "\(index): \(answer.status) \(answer.text)")
                        #expect(answer.headers[.retryAfter] == "5")
                        #expect(answer.headers[.contentType] == "application/problem+json")
                    }
                    // A 503 from the connection loss itself (not from the request's deadline) means its batch was not
                    // committed: nothing of these three is stored yet.
                    if answers.allSatisfy({ $0.json["detail"] as? String == Self.unavailable }) {
                        #expect(try await scalar(db, "SELECT count(*) FROM responses WHERE id = ANY(\(keys)::uuid[])") == 0)
                    }

                    // The kiosk retries with the same keys and bodies: each stored once, answered 201 with its id.
                    var stored: [String] = []
                    for index in keys.indices {
                        let retried = try await post(index)
                        #expect(retried.status == .created, "\(index): \(retried.text)")
                        #expect(retried.json["id"] as? String == keys[index])
                        stored.append(retried.text)
                    }
                    for (index, key) in keys.enumerated() {
                        #expect(try await scalar(db, "SELECT count(*) FROM responses WHERE id = \(key)::uuid") == 1)
                        #expect(
                            try await scalar(
                                db,
                                "SELECT count(*) FROM pending_aggregation q JOIN responses r USING (seq) WHERE r.id = \(key)::uuid")
                                == 1)
                        // Once more: answered from the stored row, byte for byte, and still one row.
                        let replay = try await post(index)
                        #expect(replay.status == .created && replay.text == stored[index])
                    }
                    #expect(try await scalar(db, "SELECT count(*) FROM responses") == keys.count + 1)
                    let levels = try await collect(
                        try await db.query(
                            "SELECT (answers->>'overall')::int FROM responses WHERE id = ANY(\(keys)::uuid[]) ORDER BY 1"
                        ).decode(Int.self))
                    #expect(levels == [1, 2, 3])
                }
            }
        }
    }
}
