import Foundation
import HTTPTypes
import HaiLongAggregator
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Every figures view answers from the cubes alone (issue 16): with the responses table renamed away after the ratings
/// are counted, the API's reads at every depth and grouping, the evaluation, the emulation ranking, the exports and the
/// administrators' figures pages (the agency page's heatmap among them) still answer, with the ratings in them. A
/// statement that read `responses` would fail ("relation does not exist") and turn the answer into an error.
@Suite struct FiguresWithoutResponsesTests {
    let figures = FiguresAPITests()
    let evaluation = EvaluationAPITests()
    let admin = AdminAgencyTests()

    @Test func everyFiguresViewAnswersWithTheResponsesTableGone() async throws {
        try await AppHarness.run { app, client in
            try await evaluation.seed(app)
            let blocks = PostgresEmulationStore(client: app.db, logger: TestDatabase.logger)
            try await blocks.addBlock(code: "K1", name: "Khối các sở", year: 2025, members: ["P.A", "P.B"], by: "test")
            try await app.aggregate()
            // Compacted: whole years and months are read from the rollups; the fresh cells were read before.
            try await Aggregator(client: app.db, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh").compactAll()
            let (cookie, _) = try await admin.session(app, client, "tinh", role: .admin, agency: nil)
            // The harness logs in as the test cluster's owner and acts as the runtime role: as itself, the owner renames it.
            try await app.db.withConnection { connection in
                try await connection.query("SET ROLE NONE", logger: TestDatabase.logger)
                try await connection.query("ALTER TABLE responses RENAME TO responses_out_of_reach", logger: TestDatabase.logger)
                try await connection.query("SET ROLE hailong_runtime", logger: TestDatabase.logger)
            }

            var paths: [String] = []
            for period in ["2025", "2025-Q1", "2025-03", "2025-03-01..2025-03-10", "2024-12-20..2025-12-31"] {
                for shape in ["&depth=all", "&depth=0", "&group=officer", "&group=counter", "&group=channel"] {
                    paths.append("/api/v1/indices?period=\(period)&agency=P\(shape)")
                }
                paths.append("/api/v1/indices?period=\(period)&agency=P&depth=1&format=csv")
            }
            paths += [
                "/api/v1/evaluation/officers?year=2025&agency=P", "/api/v1/evaluation/officers?year=2025&agency=P&format=xlsx",
                "/api/v1/emulation?year=2025&block=K1",
            ]
            for path in paths {
                let response = try await figures.get(client, path, token: app.parToken)
                #expect(response.status == .ok, "\(path): \(response.text.prefix(300))")
            }
            let officers = try await figures.get(client, "/api/v1/evaluation/officers?year=2025&agency=P", token: app.parToken)
            let items = try #require(officers.json["items"] as? [[String: Any]])
            #expect(items.first { $0["badge"] as? String == "B-1" }?["n"] as? Int == 40)

            for page in [
                "/admin?period=2025", "/admin/agencies/P?period=2025", "/admin/agencies/P.A?period=2025-03",
                "/admin/agencies/P.A/evaluation?year=2025", "/admin/emulation/K1?year=2025",
                "/admin/agencies/P/export?period=2025&format=xlsx",
            ] {
                let response = try await client.execute(uri: page, method: .get, headers: [.cookie: cookie])
                #expect(response.status == .ok, "\(page): \(response.text.prefix(300))")
            }
            // The province's page counts the 120 ratings of 2025 in its heatmap (read from the hourly cube).
            let province = try await client.execute(uri: "/admin/agencies/P?period=2025", method: .get, headers: [.cookie: cookie])
            #expect(province.text.contains("Số phiếu theo giờ và thứ"))
            let dashboard = PostgresDashboardStore(client: app.db, logger: TestDatabase.logger)
            let heat = try await dashboard.heatmap(
                under: app.fixture.province.id, questionnaire: "kiosk-3", period: try Period.parse("2025"))
            #expect(heat.map(\.n).reduce(0, +) == 120)
            // And the rename is real: a read of the responses fails.
            await #expect(throws: (any Error).self) { try await app.db.query("SELECT count(*) FROM responses") }
        }
    }
}
