import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// `hailong agency merge` feeding the figures: after commune P.B is merged into department P.A (last day 2026-06-30),
/// `/api/v1/indices` counts P.B's ratings of a later period under P.A and no longer lists P.B, the province counts each
/// rating once, a period that starts before the last day still shows P.B on its own, and all of it equals what a
/// rebuild of the counts (`hailong aggregate --rebuild`) gives.
@Suite struct MergeFiguresTests {
    /// The built `hailong` executable, next to the test bundle.
    static var binary: String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("hailong").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return directory.appendingPathComponent("hailong").path
    }

    /// `DATABASE_URL` for the CLI.
    static func text(_ url: DatabaseURL) -> String {
        let auth = url.username + (url.password.map { ":\($0)" } ?? "")
        if let socketPath = url.socketPath {
            let directory = URL(fileURLWithPath: socketPath).deletingLastPathComponent().path
            return "postgres://\(auth)@/\(url.database)?host=\(directory)&port=\(url.port)"
        }
        return "postgres://\(auth)@\(url.host ?? "localhost"):\(url.port)/\(url.database)?sslmode=\(url.tlsMode.rawValue)"
    }

    static func hailong(_ arguments: [String], database: DatabaseURL) throws -> (status: Int32, output: String) {
        try Subprocess.run(
            "/usr/bin/env",
            ["LOG_LEVEL=error", "DATABASE_URL=\(text(database))", "HAILONG_TIMEZONE=Asia/Ho_Chi_Minh", binary] + arguments)
    }

    /// agency → n, index (as text: two decimals, or null) of one figures answer.
    static func figures(_ client: some TestClientProtocol, _ query: String, token: String) async throws -> [String: String] {
        let response = try await client.execute(
            uri: "/api/v1/indices?\(query)", method: .get, headers: [.authorization: "Bearer \(token)"])
        #expect(response.status == .ok, "\(query): \(response.text)")
        let items = response.json["items"] as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: items.map { item in
                (item["agency"] as? String ?? "?", "n=\(item["n"] ?? "nil") index=\(item["index"] ?? "nil")")
            })
    }

    static func n(_ figures: [String: String], _ agency: String) -> String? {
        figures[agency].map { String($0.split(separator: " ")[0]) }
    }

    static let queries = [
        "period=2026-07&agency=P&depth=1", "period=2026-06&agency=P&depth=1", "period=2026-Q3&agency=P&depth=1",
        "period=2026-06-15..2026-07-15&agency=P&depth=1", "period=2026-07&agency=P.A", "period=2026&agency=P&depth=1",
    ]

    @Test func aMergedAgencysRatingsCountForItsSuccessorAsARebuildCountsThem() async throws {
        try await withTestDatabaseURL { url in try await run(url) }
    }

    func run(_ url: DatabaseURL) async throws {
        try await withClient(url, asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            let logger = TestDatabase.logger
            let par = try await fixture.directory.addToken(name: "PAR office", role: .par, agencyCode: nil)
            let dependencies = AppDependencies(
                directory: fixture.directory, responses: fixture.responses, indices: PostgresIndexStore(client: db, logger: logger),
                dossiers: PostgresDossierStore(client: db, logger: logger), isReady: { true })
            let aggregator = Aggregator(client: db, logger: logger, timeZone: "Asia/Ho_Chi_Minh")
            let app = Application(router: buildRouter(dependencies), logger: logger)
            try await app.test(.router) { client in
                // P.B: four ratings in June, six in July; P.A: five in July. Counted and compacted before the merge.
                for i in 0..<4 {
                    try await fixture.rate(
                        3, at: time("2026-06-10T09:00:00+07:00").addingTimeInterval(Double(i) * 600), source: fixture.sourceB())
                }
                for i in 0..<6 {
                    try await fixture.rate(
                        1 + i % 3, at: time("2026-07-02T09:00:00+07:00").addingTimeInterval(Double(i) * 600), source: fixture.sourceB())
                }
                for i in 0..<5 {
                    try await fixture.rate(
                        i < 4 ? 3 : 1, at: time("2026-07-03T09:00:00+07:00").addingTimeInterval(Double(i) * 600), source: fixture.sourceA())
                }
                try await aggregator.runUntilIdle()
                try await aggregator.compactAll()
                let before = try await Self.figures(client, "period=2026-07&agency=P&depth=1", token: par.token)
                #expect(Self.n(before, "P") == "n=11" && Self.n(before, "P.A") == "n=5" && Self.n(before, "P.B") == "n=6", "\(before)")
                // P.A's own figures read once before the merge: which agencies count for it is kept until the directory
                // changes (sql/0033), and the merge changes it.
                let ownBefore = try await Self.figures(client, "period=2026-07&agency=P.A", token: par.token)
                #expect(Self.n(ownBefore, "P.A") == "n=5", "\(ownBefore)")

                let merged = try Self.hailong(
                    ["agency", "merge", "--code", "P.B", "--into", "P.A", "--last-day", "2026-06-30"], database: url)
                #expect(merged.status == 0, "\(merged.output)")
                #expect(merged.output.contains("agency P.B merged into P.A after 2026-06-30"), "\(merged.output)")
                // P.B's kiosk keeps sending in July (the directory catches up later): two more, counted but not compacted.
                for i in 0..<2 {
                    try await fixture.rate(
                        2, at: time("2026-07-20T10:00:00+07:00").addingTimeInterval(Double(i) * 600), source: fixture.sourceB())
                }
                try await aggregator.runUntilIdle()

                let july = try await Self.figures(client, "period=2026-07&agency=P&depth=1", token: par.token)
                #expect(july["P.B"] == nil, "merged before July, P.B is not listed: \(july)")
                #expect(Self.n(july, "P.A") == "n=13", "P.A counts P.B's eight July ratings: \(july)")
                #expect(Self.n(july, "P") == "n=13", "the province counts each rating once: \(july)")
                let own = try await Self.figures(client, "period=2026-07&agency=P.A", token: par.token)
                #expect(Self.n(own, "P.A") == "n=13", "\(own)")
                // A period that starts before the last day: P.B on its own, P.A without it.
                let june = try await Self.figures(client, "period=2026-06&agency=P&depth=1", token: par.token)
                #expect(Self.n(june, "P.B") == "n=4" && Self.n(june, "P.A") == "n=0" && Self.n(june, "P") == "n=4", "\(june)")
                let overlap = try await Self.figures(client, "period=2026-06-15..2026-07-15&agency=P&depth=1", token: par.token)
                #expect(Self.n(overlap, "P.B") == "n=6" && Self.n(overlap, "P.A") == "n=5", "\(overlap)")

                var incremental: [String: [String: String]] = [:]
                for query in Self.queries { incremental[query] = try await Self.figures(client, query, token: par.token) }
                // A full recount from the raw responses, then the compaction that refills the monthly cube.
                let rebuilt = try Self.hailong(["aggregate", "--rebuild"], database: url)
                #expect(rebuilt.status == 0, "\(rebuilt.output)")
                for query in Self.queries {
                    #expect(try await Self.figures(client, query, token: par.token) == incremental[query], "\(query) after the rebuild")
                }
                let compacted = try Self.hailong(["aggregate", "--compact"], database: url)
                #expect(compacted.status == 0, "\(compacted.output)")
                #expect(try await scalar(db, "SELECT rollups_ready::int FROM aggregator_state") == 1)
                for query in Self.queries {
                    #expect(try await Self.figures(client, query, token: par.token) == incremental[query], "\(query) after compaction")
                }
            }
        }
    }
}
