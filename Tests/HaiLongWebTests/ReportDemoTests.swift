import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Testing

@testable import HaiLongWeb

/// The demo province's reports (`hailong serve --demo`): one agency in each state for the current year, and the
/// province's consolidated draft composed from the accepted report, all citing the one snapshot the demo published.
@Suite struct ReportDemoTests {
    @Test func theDemoProvinceHasAReportInEveryState() async throws {
        try await withTestDatabase(asRuntimeRole: true) { client in
            let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
            let logger = TestDatabase.logger
            let demo = DemoData(client: client, logger: logger)
            #expect(try await demo.seedIfMissing(timeZone: zone))
            try await Aggregator(client: client, logger: logger, timeZone: "Asia/Ho_Chi_Minh").runUntilIdle()
            let accountability = PostgresAccountabilityStore(client: client, logger: logger)
            let directory = PostgresDirectoryStore(client: client, logger: logger)
            let reports = YearlyReports(
                indices: PostgresIndexStore(client: client, logger: logger), directory: directory, accountability: accountability,
                emulation: PostgresEmulationStore(client: client, logger: logger), reports: accountability.reports, timeZone: zone)
            let year = LocalDate(Date(), in: zone).year
            try await demo.seedReports(year: year) { agency, kind in
                _ = try await reports.makeDraft(agency: agency, year: year, kind: kind, by: "demo", within: nil)
            }
            let province = try #require(try await directory.agency(code: DemoData.provinceCode))
            let standings = try await accountability.reports.standings(province: province, year: year, within: nil)
            let states = Dictionary(uniqueKeysWithValues: standings.map { ($0.agency.code, $0.state) })
            #expect(
                states == [
                    "DEMO.STP": "accepted", "DEMO.SXD": "submitted", "DEMO.TTHCC": "returned", "DEMO.XTP": "draft",
                    "DEMO.PHB": "not_started",
                    "DEMO.XAK": "submitted",
                ])
            #expect(standings.first { $0.agency.code == "DEMO.TTHCC" }?.latest?.version == 2)
            let consolidated = try #require(
                try await accountability.reports.latest(agency: province, year: year, kind: .consolidated, within: nil))
            #expect(consolidated.status == .draft)
            #expect(consolidated.content.narrative.results.hasPrefix("Sở Tư pháp: Sở Tư pháp đã niêm yết"))
            #expect(consolidated.content.agencies.map(\.status).sorted() == states.values.sorted())
            #expect(consolidated.content.blocks.map(\.code).sorted() == ["CUM.XA", "KHOI.SO"])
            // Every report cites the one snapshot, published when the first of them was made (the year had none).
            let snapshots = Set(standings.compactMap { $0.latest?.snapshotSHA256 } + [consolidated.snapshotSHA256 ?? ""])
            #expect(snapshots.count == 1)
            #expect(standings.first { $0.agency.code == "DEMO.STP" }?.latest?.content.snapshot.publishedForReport == true)
            #expect(!consolidated.content.snapshot.publishedForReport)
            #expect(consolidated.content.agency.n > 0)
            // Seeding again changes nothing.
            try await demo.seedReports(year: year) { _, _ in Issue.record("the demo's reports were made twice") }
        }
    }
}
