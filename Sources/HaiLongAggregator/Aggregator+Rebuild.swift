import Foundation
import Logging
import PostgresNIO

/// The rebuild: everything recounted from the raw responses, as the reference GROUP BY in bench/aggregate counts it.
extension Aggregator {
    /// Recounts everything from the raw responses in set-based statements, in one REPEATABLE READ transaction:
    /// the counts are emptied and refilled from the responses of one snapshot, and exactly the queue entries of that
    /// snapshot are removed, so responses stored meanwhile stay queued for the next step. Returns the responses counted.
    /// (Figures reads wait for it: TRUNCATE locks the cube until the commit.)
    /// The hourly cube is counted from the responses too (`countHours`); the other rollups are summed from the
    /// daily cubes by the next compaction.
    @discardableResult
    public func rebuild() async throws -> Int {
        try await client.withConnection { connection in
            // The lock first, then the snapshot: a step that commits while we wait is in the snapshot we count from.
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let counted = try await recountAll(connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return counted
            } catch {
                // A backend that PostgreSQL terminated took its transaction and its lock with it, and a query sent on
                // its dead connection may never come back: leave it alone.
                if Self.endedTheSession(error) { throw error }
                _ = try? await connection.query("ROLLBACK", logger: logger)
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    func recountAll(_ connection: PostgresConnection) async throws -> Int {
        try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ", logger: logger)
        try await connection.query(Self.rebuildSettings, logger: logger)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "TRUNCATE response_counts, fresh_counts, fresh_hourly, hourly_counts, pending_corrections, "
                    + Rollup.all.map(\.table).joined(separator: ", ")), logger: logger)
        try await connection.query("DELETE FROM pending_aggregation", logger: logger)
        // Filling an empty table and then indexing it is faster than keeping the index up to date row by row; the
        // TRUNCATE's lock keeps everyone else out until COMMIT either way.
        try await connection.query("DROP INDEX response_counts_agency_day_idx, response_counts_day_idx", logger: logger)
        try await connection.query("ALTER TABLE hourly_counts DROP CONSTRAINT hourly_counts_pkey", logger: logger)
        try await connection.query(Self.countCells(timeZone: timeZone), logger: logger)
        try await connection.query(Self.countHours(timeZone: timeZone), logger: logger)
        try await connection.query("CREATE INDEX response_counts_agency_day_idx ON response_counts (agency_id, day)", logger: logger)
        try await connection.query("CREATE INDEX response_counts_day_idx ON response_counts (day, questionnaire_id)", logger: logger)
        try await connection.query(
            "ALTER TABLE hourly_counts ADD CONSTRAINT hourly_counts_pkey PRIMARY KEY (agency_id, day, questionnaire_id, hour)",
            logger: logger)
        let rows = try await connection.query(
            """
            INSERT INTO aggregator_state AS s (id, time_zone, applied_total, last_applied_at, rollups_ready)
            SELECT 1, \(timeZone), count(*), now(), false FROM responses
            ON CONFLICT (id) DO UPDATE SET time_zone = EXCLUDED.time_zone, applied_total = EXCLUDED.applied_total,
                last_applied_at = EXCLUDED.last_applied_at, rollups_ready = false
            RETURNING applied_total
            """, logger: logger)
        var counted = 0
        for try await total in rows.decode(Int.self) { counted = total }
        try await connection.query("COMMIT", logger: logger)
        return counted
    }

    /// The rebuild's first statement: every response's cells, as the reference GROUP BY in bench/aggregate writes them.
    /// The second counts its ratings by hour for the heatmap's cube (`countHours`). Apart, and with `taken` unfenced, each
    /// reads only the columns it needs: one statement over a fenced `taken` (whole rows) took 13.2–16.7 s for 1M
    /// responses where the two take 11.6–13.3 s together (kept 1M cluster, alternated, 2026-12-07).
    /// The cells are written in the order a province's days are read in (day, questionnaire, agency: the daily cube's
    /// time-first index, sql/0037), sorted after they are grouped. Grouped by hashing, as PostgreSQL does at 1M and,
    /// spilling, at 10M, they came out scattered: a province's range read two edge days' 38,000 rows from 30,000 pages,
    /// 0.95–1.32 s cold at 10M, 0.73–0.79 s with the cube in day order. (An `ORDER BY 1, 2`, a prefix of the grouping, made the 1M
    /// rebuild sort every cell before grouping them, 17 → 23 s.)
    static func countCells(timeZone: String) -> PostgresQuery {
        let query: PostgresQuery = """
            WITH \(unescaped: rebuildTaken)
            INSERT INTO response_counts (day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n)
            SELECT * FROM (
                \(unescaped: cells(of: "taken"))
            ) AS c
            ORDER BY day, questionnaire_id, agency_id
            """
        return query.bindingTimeZone(timeZone)
    }

    /// The rebuild's ratings by hour, in the order of the hourly cube's primary key, which is built after them (grouped
    /// by day first, the same rows took a second or two longer to index at 1M). Only the five columns the hours need
    /// are sorted: grouped straight from `taken`, PostgreSQL sorted whole rows, answers and all, and spilled 415 MB
    /// to disk at 1M; ordered in a subquery of their own, 30 MB (the statement and the key built after it: 4.9–6.5 s →
    /// 3.2–4.1 s; kept 1M cluster, alternated, 2026-12-07).
    static func countHours(timeZone: String) -> PostgresQuery {
        let query: PostgresQuery = """
            WITH \(unescaped: rebuildTaken)
            INSERT INTO hourly_counts (agency_id, day, questionnaire_id, hour, n, not_satisfied)
            \(unescaped: hours(of: "(SELECT agency_id, day, questionnaire_id, hour, low FROM taken ORDER BY 1, 2, 3, 4) AS taken"))
            """
        return query.bindingTimeZone(timeZone)
    }

    /// The rebuild's own settings, for its transaction only: the operator's maintenance memory for its aggregations and
    /// sorts (at 1M with 64 MB, the cells' hashing spilled in five batches and their ordering 116 MB to disk), and no
    /// JIT compilation, which took 1.2 s of the cells' 7 s at 1M and gave nothing back in a statement run once.
    static let rebuildSettings: PostgresQuery = """
        SELECT set_config('work_mem', greatest(pg_size_bytes(current_setting('work_mem')),
                   pg_size_bytes(current_setting('maintenance_work_mem'))) / 1024 || 'kB', true),
               set_config('jit', 'off', true)
        """

    /// Every response with its own values, for the rebuild: not materialized and not fenced, so each statement computes
    /// only the columns it uses.
    static let rebuildTaken = """
        \(scales), taken AS NOT MATERIALIZED (
            \(taken(
                from: "SELECT r.*, r.submitted_at AT TIME ZONE $1 AS local FROM responses r", cleared: "o.cleared_mask",
                joining: "LEFT JOIN response_flag_overrides o ON o.response_id = r.id", fenced: false))
        )
        """
}
