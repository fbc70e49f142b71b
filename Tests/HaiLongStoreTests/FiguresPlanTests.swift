import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongStore

/// Every statement that reads figures is planned on the cubes, never on the raw responses (issue 16): EXPLAIN of each,
/// on a small database with the planner's defaults, names no scan of `responses`, and a whole year or month is read
/// from the rollup kept for it.
@Suite struct FiguresPlanTests {
    static let periods = ["2026", "2026-Q3", "2026-07", "2026-06-28..2026-07-31", "2026-W28", "2025-12-15..2026-12-31"]

    @Test func noFiguresReadPlansAScanOfResponses() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = Aggregator(client: client, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh")
            for day in 0..<40 {
                let tap = time("2026-06-20T08:00:00+07:00").addingTimeInterval(Double(day) * 86_400)
                try await fixture.rate(1 + day % 3, at: tap, source: fixture.sourceA(), officer: "B-1")
                try await fixture.rate(3, at: tap.addingTimeInterval(60), source: fixture.sourceB())
            }
            try await aggregator.runUntilIdle()
            try await aggregator.compactAll()
            try await client.query("ANALYZE")
            #expect(try await scalar(client, "SELECT (current_setting('enable_seqscan') = 'on')::int") == 1)

            let agencies = [fixture.province.id, fixture.agencyA.id, fixture.agencyB.id]
            var planned = 0
            for period in try Self.periods.map(Period.parse) {
                for grouping in Grouping.allCases {
                    let query = PostgresIndexStore.cells(
                        of: agencies, period: period, grouping: grouping, questionnaire: "kiosk-3",
                        versions: try await PostgresIndexStore.versions(of: "kiosk-3", client: client, logger: TestDatabase.logger))
                    let plan = try await Self.plan(client, query)
                    #expect(!plan.contains("\"Relation Name\": \"responses\""), "\(period.label) \(grouping)")
                    // Days are bound as dates: a day sent as text is parsed again for every row a scan filters.
                    #expect(!plan.contains("cstring"), "\(period.label) \(grouping): \(plan)")
                    if period.label == "2026" {
                        let rollup =
                            switch grouping {
                            case .officer: "officer_yearly_totals"
                            case .counter: "officer_yearly_counts"
                            default: "yearly_counts"
                            }
                        #expect(
                            plan.contains("\"Relation Name\": \"\(rollup)\"") == [.none, .channel, .officer, .counter].contains(grouping))
                    }
                    // A whole quarter of figures by none or by channel is read from the quarters' rollup.
                    #expect(
                        plan.contains("\"Relation Name\": \"quarterly_counts\"")
                            == (period.label == "2026-Q3" && [.none, .channel].contains(grouping)),
                        "\(period.label) \(grouping)")
                    // Whole weeks left among a period's days, by none or by channel, from the weeks' rollup (sql/0035).
                    #expect(
                        plan.contains("\"Relation Name\": \"weekly_counts\"")
                            == (["2026-W28", "2025-12-15..2026-12-31"].contains(period.label) && [.none, .channel].contains(grouping)),
                        "\(period.label) \(grouping)")
                    planned += 1
                }
                let heat = try await Self.plan(
                    client, PostgresDashboardStore.heatmapQuery(under: fixture.province.id, questionnaire: "kiosk-3", period: period))
                #expect(!heat.contains("\"Relation Name\": \"responses\""), "heatmap \(period.label)")
                #expect(!heat.contains("cstring"), "heatmap \(period.label)")
                #expect(
                    heat.contains("hourly_yearly_counts") == ["2026", "2025-12-15..2026-12-31"].contains(period.label), "\(period.label)")
                #expect(heat.contains("hourly_monthly_counts") == ["2026-Q3", "2026-07", "2026-06-28..2026-07-31"].contains(period.label))
                planned += 1
            }
            #expect(planned == Self.periods.count * (Grouping.allCases.count + 1))
        }
    }

    /// A segment's rollup periods are bound by their first days: every week, month, quarter and year of it, across
    /// a year's end, and nothing after it.
    @Test func aSegmentIsBoundByTheFirstDaysOfItsPeriods() throws {
        func starts(_ first: String, _ last: String, _ unit: String) -> [String] {
            PostgresIndexStore.starts(from: LocalDate(first)!, to: LocalDate(last)!, every: unit).map(\.description)
        }
        #expect(starts("2026-03-16", "2026-03-29", "week") == ["2026-03-16", "2026-03-23"])
        #expect(starts("2026-11-01", "2027-02-28", "month") == ["2026-11-01", "2026-12-01", "2027-01-01", "2027-02-01"])
        #expect(starts("2026-01-01", "2026-12-31", "quarter") == ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"])
        #expect(starts("2025-01-01", "2026-12-31", "year") == ["2025-01-01", "2026-01-01"])
        #expect(starts("2026-06-01", "2026-06-30", "month") == ["2026-06-01"])
    }

    /// The JSON plan of `query`, its parameters bound.
    static func plan(_ client: PostgresClient, _ query: PostgresQuery) async throws -> String {
        let rows = try await client.query(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + query.sql, binds: query.binds))
        var text = ""
        for try await line in rows.decode(String.self) { text += line }
        #expect(text.contains("\"Plan\""))
        return text
    }
}
