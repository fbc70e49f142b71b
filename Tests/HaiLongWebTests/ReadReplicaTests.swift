import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import NIOPosix
import PostgresNIO
import Testing

/// `DATABASE_READ_URL` on loopback: a primary of its own and a streaming replica made from it with `pg_basebackup`.
/// The figures API answers from the replica while it keeps up (shown by pausing its replay: within the bound it still
/// answers what it has), from the primary once the replica falls beyond the bound, from the replica again once it has
/// caught up, and from the primary at once when the replica is stopped.
@Suite struct ReadReplicaTests {
    @Test(.timeLimit(.minutes(4)))
    func theFiguresAreReadFromTheReplicaWhileItKeepsUpAndFromThePrimaryOtherwise() async throws {
        let logger = TestDatabase.logger
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-replica-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let settings = ["fsync": "off", "full_page_writes": "off", "max_connections": "60"]
        let primary = try EmbeddedPostgres(root: root.appendingPathComponent("primary"), settings: settings, logger: logger)
        let primaryURL = try await primary.start().url
        defer { primary.stop() }
        try await withClient(primaryURL) { owner in
            try await Migrator(directory: try Migrator.locateDirectory()).migrate(client: owner, logger: logger)
            try await RuntimeRole.grant(toLogin: RuntimeRole.embeddedLogin, owner, logger: logger)
        }
        // pg_basebackup, psql and pg_ctl block their thread: on NIO's thread pool, not the tasks' (see `offThePool`).
        let standby = try await offThePool { try primary.makeStandby(root: root.appendingPathComponent("standby"), settings: settings) }
        _ = try await standby.start()
        defer { standby.stop() }
        #expect(
            try await offThePool { try standby.psql("SELECT pg_is_in_recovery()") }.trimmingCharacters(in: .whitespacesAndNewlines) == "t")

        try await withClient(primaryURL.asServiceLogin, asRuntimeRole: true) { db in
            try await withClient(standby.databaseURL.asServiceLogin, asRuntimeRole: true) { replica in
                let routing = ReadRouting(
                    primary: db, replica: replica, maxLag: .seconds(8), interval: .milliseconds(200), logger: logger)
                let fixture = try await Fixture.make(db)
                let par = try await fixture.directory.addToken(name: "PAR office", role: .par, agencyCode: nil)
                let aggregator = Aggregator(client: db, logger: logger, timeZone: "Asia/Ho_Chi_Minh")
                @Sendable func rate(_ count: Int, from first: Int) async throws {
                    let start = time("2026-08-03T08:00:00+07:00")
                    for i in first..<(first + count) {
                        try await fixture.rate(
                            3, at: start.addingTimeInterval(Double(i) * 60), source: fixture.sourceA(), dossier: "R-\(i)")
                    }
                    try await aggregator.runUntilIdle()
                }
                /// Checks until the routing has decided `replica` (the replica replays in the background).
                @Sendable func waitForReads(fromReplica replica: Bool) async throws {
                    let started = ContinuousClock.now
                    while started.duration(to: .now) < .seconds(60) {
                        await routing.check()
                        if routing.readsFromReplica == replica { return }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    Issue.record("reads did not go to the \(replica ? "replica" : "primary") within 60 s")
                }
                try await rate(10, from: 0)

                let migrator = try Migrator(directory: try Migrator.locateDirectory())
                var dependencies = AppDependencies(
                    directory: fixture.directory, responses: fixture.responses,
                    indices: PostgresIndexStore(client: db, reads: routing, logger: logger),
                    dossiers: PostgresDossierStore(client: db, logger: logger),
                    isReady: { try await migrator.isCurrent(client: db, logger: logger) },
                    backlog: { try await scalar(db, "SELECT count(*) FROM pending_aggregation") },
                    dashboard: PostgresDashboardStore(client: db, reads: routing, logger: logger), secureCookies: false)
                dependencies.reads = routing
                let app = Application(router: buildRouter(dependencies), logger: logger)
                try await app.test(.router) { client in
                    func n() async throws -> Int? {
                        let response = try await client.execute(
                            uri: "/api/v1/indices?period=2026-Q3&agency=P.A", method: .get,
                            headers: [.authorization: "Bearer \(par.token)"])
                        #expect(response.status == .ok, "\(response.text)")
                        return (response.json["items"] as? [[String: Any]])?.first?["n"] as? Int
                    }
                    /// The CSV export of the same figures.
                    func csv() async throws -> String {
                        try await client.execute(
                            uri: "/api/v1/indices?period=2026-Q3&agency=P.A&format=csv", method: .get,
                            headers: [.authorization: "Bearer \(par.token)"]
                        ).text
                    }
                    /// `hailong_reads_from_replica` as `/metrics` shows it.
                    func metric() async throws -> Double? {
                        let text = try await client.execute(uri: "/metrics", method: .get).text
                        let line = text.split(separator: "\n").first { $0.hasPrefix("hailong_reads_from_replica ") }
                        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
                    }

                    // Caught up: the replica answers, with the same figures.
                    try await waitForReads(fromReplica: true)
                    #expect(try await n() == 10)
                    #expect(try await metric() == 1)
                    let exportAtTen = try await csv()

                    // Replay paused, five more ratings on the primary: within the bound the replica still answers what
                    // it has replayed (so the answer above came from it), with its own as_of.
                    _ = try await offThePool { try standby.psql("SELECT pg_wal_replay_pause()") }
                    try await rate(5, from: 10)
                    await routing.check()
                    #expect(routing.readsFromReplica)
                    #expect(try await n() == 10)
                    #expect(try await csv() == exportAtTen)

                    // Beyond the bound: the primary answers.
                    try await waitForReads(fromReplica: false)
                    #expect(try await n() == 15)
                    #expect(try await metric() == 0)
                    #expect(try await csv() != exportAtTen)

                    // Replay resumed: once caught up, the replica again, with the new figures.
                    _ = try await offThePool { try standby.psql("SELECT pg_wal_replay_resume()") }
                    try await waitForReads(fromReplica: true)
                    #expect(try await n() == 15)

                    // The replica stops while the routing checks it every 200 ms, as `serve` runs it: the next read is
                    // answered, by the primary, within a few seconds, and the routing stays there.
                    let checking = Task { try await routing.run() }
                    defer { checking.cancel() }
                    try await offThePool { standby.stop() }
                    try await rate(1, from: 15)
                    let asked = ContinuousClock.now
                    #expect(try await n() == 16)
                    #expect(asked.duration(to: .now) < .seconds(8))
                    #expect(!routing.readsFromReplica)
                    await routing.check()
                    #expect(!routing.readsFromReplica)
                }
            }
        }
    }
}

/// Runs a blocking call (a PostgreSQL program) on NIO's thread pool: on the tasks' two threads it held up the other
/// tests' work for seconds, and a deadline of theirs could expire meanwhile.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}
