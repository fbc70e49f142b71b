import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongAggregator

/// A compaction or a rebuild killed half-way (its backend terminated while its statement waits on a row another
/// session holds) leaves the figures as they were, and what the service does next gives the figures of a full rebuild.
///
/// The kill is placed, not timed: a second session holds row locks the victim's statement must take after it has
/// started its work (a compaction's delete of the daily rows; a rebuild's delete of the queue, after its TRUNCATE), the
/// victim is found in `pg_stat_activity` waiting on that row, and only then is its backend terminated.
@Suite struct AggregatorCrashTests {
    let zone = "Asia/Ho_Chi_Minh"
    let checks = AggregatorTests()

    func aggregator(_ client: PostgresClient) -> Aggregator {
        Aggregator(client: client, logger: TestDatabase.logger, timeZone: zone)
    }

    /// Kiosk ratings on days of July 2026 (the periods `AggregatorTests.figures` reads), on both agencies.
    func rate(_ fixture: Fixture, count: Int, from start: Int) async throws {
        let base = time("2026-07-01T08:00:00+07:00")
        for index in start..<(start + count) {
            let tap = base.addingTimeInterval(Double(index % 10) * 86_400 + Double(index) * 60)
            try await fixture.rate(
                1 + index % 3, at: tap, source: index % 2 == 0 ? fixture.sourceA() : fixture.sourceB(),
                reasons: index % 3 == 0 ? ["xin_chao"] : [], officer: index % 4 == 0 ? "B-1" : nil)
        }
    }

    /// The pid of the one backend of this database, other than the caller's, that waits on a row lock (`transactionid`
    /// or `tuple`) while running a statement containing `marker`. Polls until it shows up (a minute at most).
    func blockedBackend(_ client: PostgresClient, running marker: String) async throws -> Int? {
        for _ in 0..<1_200 {
            let pids = try await collect(
                try await client.query(
                    """
                    SELECT pid::bigint FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                      AND wait_event IN ('transactionid', 'tuple') AND strpos(query, \(marker)) > 0
                    """
                ).decode(Int.self))
            if pids.count == 1 { return pids[0] }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Terminates `victim`'s backend once it waits on a row lock in a statement containing `marker` (after `first`
    /// looked at it), waits (up to 5 s, in PostgreSQL) until it is gone, then (up to 30 s) until `victim` ends: an
    /// aggregator call whose connection died must return (with an error), or the service would stop aggregating.
    func kill<T: Sendable>(
        _ client: PostgresClient, running marker: String, victim: Task<T, any Error>,
        first: @escaping @Sendable (Int) async throws -> Void = { _ in }
    ) async throws {
        guard let pid = try await blockedBackend(client, running: marker) else {
            Issue.record("no backend waited on a row lock running '\(marker)'")
            return
        }
        try await first(pid)
        #expect(try await scalar(client, "SELECT pg_terminate_backend(\(pid)::int, 5000)::int") == 1)
        #expect(try await scalar(client, "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid)") == 0)
        let (outcomes, continuation) = AsyncStream<Bool>.makeStream()
        Task {
            _ = await victim.result
            continuation.yield(true)
        }
        Task {
            try? await Task.sleep(for: .seconds(30))
            continuation.yield(false)
        }
        var ended = false
        for await outcome in outcomes {
            ended = outcome
            break
        }
        // The call returns, with an error, instead of waiting on its dead connection (`Aggregator.endedTheSession`).
        #expect(ended, "the aggregator call did not return within 30 s after its backend was terminated")
        if ended { await #expect(throws: (any Error).self) { try await victim.value } }
    }

    @Test func aCompactionKilledHalfWayChangesNoFigureAndTheNextOneEqualsARebuild() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = aggregator(client)
            try await rate(fixture, count: 30, from: 0)
            try await aggregator.runUntilIdle()
            // Compacted once: the daily cube has rows and the monthly cube is filled (rollups_ready).
            #expect(try await aggregator.compactAll() > 0)
            // More ratings on the same days: fresh cells the next compaction must merge with those daily rows.
            try await rate(fixture, count: 20, from: 30)
            #expect(try await aggregator.runUntilIdle() == 20)
            let freshRows = try await scalar(client, "SELECT count(*) FROM fresh_counts")
            #expect(freshRows > 0)
            let cube = try await checks.cubeText(client)
            let figures = try await checks.figures(client, fixture)

            try await client.withConnection { blocker in
                try await blocker.query("BEGIN", logger: TestDatabase.logger)
                // Every daily row locked: the compaction's delete of its pairs' daily rows waits here, inside its statement.
                try await blocker.query(
                    "SELECT count(*) FROM (SELECT 1 FROM response_counts FOR UPDATE) AS locked", logger: TestDatabase.logger)
                let compaction = Task { try await aggregator.compact() }
                try await kill(client, running: "picked AS", victim: compaction)
                try await blocker.query("ROLLBACK", logger: TestDatabase.logger)
            }

            // Nothing of the killed compaction is left: the same cells, still fresh, and the same figures.
            #expect(try await scalar(client, "SELECT count(*) FROM fresh_counts") == freshRows)
            #expect(try await checks.cubeText(client) == cube)
            #expect(try await rollupMismatches(client) == 0)
            #expect(try await checks.figures(client, fixture) == figures)
            // The next compaction (the killed one's advisory lock went with its transaction) moves them all.
            #expect(try await aggregator.compactAll() > 0)
            #expect(try await scalar(client, "SELECT count(*) FROM fresh_counts") == 0)
            #expect(try await rollupMismatches(client) == 0)
            #expect(try await checks.mismatches(client) == 0)
            let afterCompaction = try await checks.figures(client, fixture)
            #expect(afterCompaction == figures)
            // And a full rebuild (then the compaction that fills the monthly cube again) gives the same figures.
            #expect(try await aggregator.rebuild() == 50)
            try await aggregator.compactAll()
            #expect(try await checks.figures(client, fixture) == afterCompaction)
            #expect(try await checks.cubeText(client) == cube)
        }
    }

    @Test func aRebuildKilledAfterItsTruncateLeavesTheCountsAndTheNextStepEqualsARebuild() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = aggregator(client)
            try await rate(fixture, count: 30, from: 0)
            try await aggregator.runUntilIdle()
            #expect(try await aggregator.compactAll() > 0)
            // Ten more stored but not yet counted: the rebuild's snapshot would take them off the queue.
            try await rate(fixture, count: 10, from: 30)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 10)
            let cube = try await checks.cubeText(client)
            let monthlyRows = try await scalar(client, "SELECT count(*) FROM monthly_counts")
            #expect(monthlyRows > 0)

            try await client.withConnection { blocker in
                try await blocker.query("BEGIN", logger: TestDatabase.logger)
                // The queue's rows locked: the rebuild has emptied the cubes (TRUNCATE) and waits in its queue delete.
                try await blocker.query(
                    "SELECT count(*) FROM (SELECT 1 FROM pending_aggregation FOR UPDATE) AS locked", logger: TestDatabase.logger)
                let rebuild = Task { try await aggregator.rebuild() }
                // Killed in its queue delete, past its TRUNCATE (whose lock on the cube it holds until it ends).
                try await kill(client, running: "DELETE FROM pending_aggregation", victim: rebuild) { pid in
                    let held = try await scalar(
                        client,
                        """
                        SELECT count(*) FROM pg_locks
                        WHERE pid = \(pid) AND relation = 'response_counts'::regclass AND mode = 'AccessExclusiveLock' AND granted
                        """)
                    #expect(held == 1, "the rebuild is not inside its TRUNCATE's transaction")
                }
                try await blocker.query("ROLLBACK", logger: TestDatabase.logger)
            }

            // The TRUNCATE went with the killed transaction: the counts, the monthly cube and the queue are as they were.
            #expect(try await checks.cubeText(client) == cube)
            #expect(try await scalar(client, "SELECT count(*) FROM monthly_counts") == monthlyRows)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 10)
            #expect(try await scalar(client, "SELECT rollups_ready::int FROM aggregator_state WHERE id = 1") == 1)
            #expect(try await rollupMismatches(client) == 0)
            // The killed session's advisory lock went with it: the next step leads and counts the ten once.
            #expect(try await aggregator.step() == .applied(10))
            try await aggregator.compactAll()
            #expect(try await checks.mismatches(client) == 0)
            let incremental = try await checks.figures(client, fixture)
            let incrementalCube = try await checks.cubeText(client)
            #expect(try await aggregator.rebuild() == 40)
            try await aggregator.compactAll()
            #expect(try await checks.figures(client, fixture) == incremental)
            #expect(try await checks.cubeText(client) == incrementalCube)
        }
    }
}
