import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongStore

/// A store keeps what it read from the cubes under the fresh cells per cube generation (`BaseCounts`, sql/0030) and
/// after an aggregation step reads only the fresh cells. Its figures must be exactly a new store's, which reads
/// everything: after a step, a flag review's correction, a compaction (which moves the generation on), a rebuild and
/// the rollups' fill; for every grouping and for periods read from years, quarters, months and days. So must a store
/// that reads the cubes in two halves at once on two connections.
@Suite struct KeptCountsTests {
    static let periods = ["2026", "2026-Q3", "2026-07", "2026-06-28..2026-07-31"]

    @Test func aReadAfterAStepAddsTheFreshCellsToWhatItKept() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = Aggregator(client: client, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh")
            let kept = PostgresIndexStore(client: client, logger: TestDatabase.logger)
            // And a store that reads officers and counters from the cubes in two halves at once as soon as there are two
            // agencies (a province's 1,001 in production), in one snapshot exported to its second connection.
            var halved = PostgresIndexStore(client: client, logger: TestDatabase.logger)
            halved.halvesFrom = 2
            let halvedBefore = PostgresIndexStore.halvedReads.entered
            func rateDays(_ days: Range<Int>, from start: String) async throws {
                for day in days {
                    let tap = time(start).addingTimeInterval(Double(day) * 86_400)
                    try await fixture.rate(1 + day % 3, at: tap, source: fixture.sourceA(), officer: "B-1")
                    try await fixture.rate(3, at: tap.addingTimeInterval(600), source: fixture.sourceB())
                }
            }
            func generation() async throws -> Int { try await scalar(client, "SELECT generation::int FROM cube_generation") }
            func figures(_ store: PostgresIndexStore) async throws -> [String: [CountKey: FigureCounts]] {
                var result: [String: [CountKey: FigureCounts]] = [:]
                for period in Self.periods {
                    for grouping in [Grouping.none, .officer, .counter, .channel, .day, .month] {
                        result["\(period) \(grouping)"] = try await store.figureCounts(
                            for: [fixture.province, fixture.agencyA, fixture.agencyB], period: try Period.parse(period),
                            questionnaire: "kiosk-3", methodology: .standard, grouping: grouping)
                        // The province alone: its subtree's cells summed as its own (`pooledAs`).
                        result["\(period) \(grouping) pooled"] = try await store.figureCounts(
                            for: [fixture.province], period: try Period.parse(period), questionnaire: "kiosk-3",
                            methodology: .standard, grouping: grouping)
                    }
                }
                return result
            }
            // The heatmaps the same way (`KeptHeatmaps`, sql/0031): the province's and a department's.
            let keptHeat = PostgresDashboardStore(client: client, logger: TestDatabase.logger)
            func heatmaps(_ store: PostgresDashboardStore) async throws -> [String: [HeatCell]] {
                var result: [String: [HeatCell]] = [:]
                for period in Self.periods {
                    for agency in [fixture.province, fixture.agencyA] {
                        result["\(period) \(agency.code)"] = try await store.heatmap(
                            under: agency.id, questionnaire: "kiosk-3", period: try Period.parse(period))
                    }
                }
                return result
            }
            func check(_ moment: String) async throws {
                let read = try await figures(kept)
                #expect(read == (try await figures(PostgresIndexStore(client: client, logger: TestDatabase.logger))), "\(moment)")
                #expect(read == (try await figures(halved)), "\(moment), in halves")
                #expect(read["2026 none"]?.isEmpty == false, "\(moment)")
                let heat = try await heatmaps(keptHeat)
                #expect(heat == (try await heatmaps(PostgresDashboardStore(client: client, logger: TestDatabase.logger))), "\(moment)")
                #expect(heat["2026 \(fixture.province.code)"]?.isEmpty == false, "\(moment)")
            }

            try await rateDays(0..<40, from: "2026-06-20T08:00:00+07:00")
            try await aggregator.runUntilIdle()
            try await aggregator.compactAll()
            try await check("compacted")
            let compacted = try await generation()
            let hits = kept.baseCounts.hits
            let heatHits = keptHeat.keptHeat.hits

            // A step adds fresh cells only: the generation stays, and the kept cells are read again with them.
            try await rateDays(0..<5, from: "2026-07-10T09:00:00+07:00")
            let repeated = UUID()
            try await fixture.rate(1, at: time("2026-07-10T09:00:02+07:00"), source: fixture.sourceA(), id: repeated)
            try await aggregator.runUntilIdle()
            #expect(try await generation() == compacted)
            try await check("after a step")
            #expect(kept.baseCounts.hits >= hits + Self.periods.count * 6 * 2)
            #expect(keptHeat.keptHeat.hits >= heatHits + Self.periods.count * 2)

            // A review's correction is fresh cells too.
            _ = try await fixture.responses.review(
                responseID: repeated, flag: .rapidRepeat, action: .clear, note: nil, reviewedBy: "admin")
            try await aggregator.runUntilIdle()
            try await check("after a review")

            // Compaction moves the fresh cells into the cubes: a new generation. What was kept is carried to it by the
            // cells the compaction moved (sql/0034), not read again, and must still be what a new store reads.
            let carried = (kept.baseCounts.carried, keptHeat.keptHeat.carried)
            try await aggregator.compactAll()
            #expect(try await generation() > compacted)
            try await check("after compaction")
            #expect(kept.baseCounts.carried >= carried.0 + Self.periods.count * 6 * 2)
            #expect(keptHeat.keptHeat.carried >= carried.1 + Self.periods.count * 2)

            // A rebuild moves the generation on without a record: nothing may be carried across it.
            let carriedBeforeRebuild = (kept.baseCounts.carried, keptHeat.keptHeat.carried)
            try await aggregator.rebuild()
            try await check("after a rebuild")
            #expect(kept.baseCounts.carried == carriedBeforeRebuild.0)
            #expect(keptHeat.keptHeat.carried == carriedBeforeRebuild.1)
            try await aggregator.compactAll()
            try await check("after the rollups' fill")
            // Every check read the kept cells by officer and by counter in halves, for each period, the province pooled
            // and not (the other groupings run beside their other reads, and are not halved), at each of the three
            // generations not made by compactions alone.
            #expect(PostgresIndexStore.halvedReads.entered >= halvedBefore + Self.periods.count * 2 * 2 * 3)
        }
    }

    /// Each compaction records the generations it moved the cubes between and the cells and hours it moved; records
    /// older than ten minutes go with their cells, and one that moved nothing is recorded all the same (it moved the
    /// generation), so that a chain of them is never broken by a quiet minute.
    @Test func compactionsAreRecordedAndForgottenAfterTenMinutes() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = Aggregator(client: client, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh")
            try await aggregator.compact()  // the rollups' first fill moves the generation on: not a compaction's
            try await fixture.rate(1, at: time("2026-06-20T08:00:00+07:00"), source: fixture.sourceA(), officer: "B-1")
            try await aggregator.runUntilIdle()
            let fresh: Int = try await scalar(client, "SELECT count(*)::int FROM fresh_counts")
            let before: Int = try await scalar(client, "SELECT generation::int FROM cube_generation")
            try await aggregator.compact()
            let after: Int = try await scalar(client, "SELECT generation::int FROM cube_generation")
            #expect(
                try await scalar(
                    client, "SELECT count(*)::int FROM compactions WHERE from_generation = \(before) AND to_generation = \(after)") == 1)
            #expect(try await scalar(client, "SELECT count(*)::int FROM compacted_counts WHERE from_generation = \(before)") == fresh)
            #expect(try await scalar(client, "SELECT count(*)::int FROM compacted_hourly WHERE from_generation = \(before)") == 1)
            // A quiet compaction: recorded too.
            try await aggregator.compact()
            #expect(try await scalar(client, "SELECT count(*)::int FROM compactions WHERE from_generation = \(after)") == 1)
            // Eleven minutes later, the first record and its cells are forgotten by the next compaction.
            try await client.query("UPDATE compactions SET compacted_at = now() - interval '11 minutes' WHERE from_generation <= \(before)")
            try await aggregator.compact()
            #expect(try await scalar(client, "SELECT count(*)::int FROM compactions WHERE from_generation = \(before)") == 0)
            #expect(try await scalar(client, "SELECT count(*)::int FROM compacted_counts") == 0)
            #expect(try await scalar(client, "SELECT count(*)::int FROM compacted_hourly") == 0)
            #expect(try await scalar(client, "SELECT count(*)::int FROM compactions") == 2)
        }
    }

    /// When the second connection cannot take the first one's snapshot (here it is on another database, as a pooler that
    /// sent it to another server would make it), the other half is read on the first connection: the counts are those of
    /// one read all the same.
    @Test func aHalfThatCannotBeReadAsideIsReadOnTheFirstConnection() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            for day in 0..<10 {
                let tap = time("2026-06-20T08:00:00+07:00").addingTimeInterval(Double(day) * 86_400)
                try await fixture.rate(1 + day % 3, at: tap, source: fixture.sourceA(), officer: "B-1")
                try await fixture.rate(3, at: tap.addingTimeInterval(600), source: fixture.sourceB())
            }
            let aggregator = Aggregator(client: client, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh")
            try await aggregator.runUntilIdle()
            try await aggregator.compactAll()
            let expected = try await PostgresIndexStore(client: client, logger: TestDatabase.logger).figureCounts(
                for: [fixture.province], period: try Period.parse("2026"), questionnaire: "kiosk-3", methodology: .standard,
                grouping: .officer)
            #expect(!expected.isEmpty)
            let province = fixture.province.id
            let roots = Dictionary(uniqueKeysWithValues: [province, fixture.agencyA.id, fixture.agencyB.id].map { ($0, [province]) })
            let versions = try await PostgresIndexStore.versions(of: "kiosk-3", client: client, logger: TestDatabase.logger)
            let elsewhere = try await TestDatabase.shared.makeDatabase()
            let halved = try await withClient(elsewhere) { other in
                try await client.withTransaction(logger: TestDatabase.logger) { connection in
                    try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: TestDatabase.logger)
                    return try await PostgresIndexStore.keptInHalves(
                        of: roots, on: connection, client: other, methodology: .standard, logger: TestDatabase.logger
                    ) { members in
                        PostgresIndexStore.cells(
                            of: members, period: try! Period.parse("2026"), grouping: .officer, questionnaire: "kiosk-3",
                            versions: versions, excludedMask: Methodology.standard.excludedMask, pooledAs: province, parts: .kept)
                    }
                }
            }
            #expect(halved.0 == expected)
        }
    }
}
