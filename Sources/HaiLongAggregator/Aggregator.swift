import Foundation
import HaiLongStore
import Logging
import PostgresNIO

/// Applies newly stored responses to the count cube, exactly once.
///
/// Every response enters `pending_aggregation` in the statement that stores it. One aggregation step is a
/// single transaction that deletes a batch from that queue and adds the batch's answers to `response_counts`:
/// either both happen or neither, so a response is never counted twice nor skipped — whatever order the
/// inserts commit in, and wherever this process dies. A transaction-scoped advisory lock makes the step a
/// no-op on every replica but the one holding it.
public struct Aggregator: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// The IANA zone whose local days the cube counts (`HAILONG_TIMEZONE`).
    public let timeZone: String
    public let batchSize: Int
    /// Advisory lock key of the aggregator leader ("HLAGGREG").
    static let lockKey = AggregationLock.key

    public init(client: PostgresClient, logger: Logger, timeZone: String, batchSize: Int = 20_000) {
        self.client = client
        self.logger = logger
        self.timeZone = timeZone
        self.batchSize = batchSize
    }

    /// The outcome of one aggregation step.
    public enum Step: Sendable, Equatable {
        /// Another process holds the aggregator lock.
        case notLeader
        /// This many responses were applied.
        case applied(Int)
    }

    /// Applies pending responses in batches until none are left (or another replica is the leader);
    /// returns how many were applied.
    @discardableResult
    public func runUntilIdle() async throws -> Int {
        var total = 0
        while case .applied(let count) = try await step(), count > 0 {
            total += count
        }
        return total
    }

    /// One transaction: take up to `batchSize` queued responses and add them to the counts.
    public func step() async throws -> Step {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.lockKey))", logger: logger)
                for try await isLeader in locked.decode(Bool.self) where !isLeader { return .notLeader }
                try await ensureTimeZone(connection)
                // A batch's plan is costly enough to trigger JIT compilation, which takes longer than the batch itself.
                try await connection.query("SET LOCAL jit = off", logger: logger)
                let rows = try await connection.query(Self.applyBatch(timeZone: timeZone, limit: batchSize), logger: logger)
                var applied = 0
                for try await count in rows.decode(Int.self) { applied = count }
                // Reviews that changed a counted response's flags: move its cells to the new mask.
                var corrected = 0
                for try await count in try await connection.query(Self.applyCorrections(timeZone: timeZone), logger: logger)
                    .decode(Int.self)
                {
                    corrected = count
                }
                if applied > 0 || corrected > 0 {
                    // The counts changed: answers computed before this commit are out of date (sql/0007).
                    try await connection.query("UPDATE figures_version SET version = version + 1 WHERE id = 1", logger: logger)
                }
                if applied > 0 {
                    try await connection.query(
                        """
                        UPDATE aggregator_state SET applied_total = applied_total + \(applied), last_applied_at = now()
                        WHERE id = 1
                        """, logger: logger)
                }
                return .applied(applied)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Recounts everything from the raw responses in one set-based statement, in one REPEATABLE READ transaction:
    /// the counts are emptied and refilled from the responses of one snapshot, and exactly the queue entries of that
    /// snapshot are removed, so responses stored meanwhile stay queued for the next step. Returns the responses counted.
    /// (Figures reads wait for it: TRUNCATE locks the cube until the commit.)
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
                try? await connection.query("ROLLBACK", logger: logger)
                try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    func recountAll(_ connection: PostgresConnection) async throws -> Int {
        try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ", logger: logger)
        try await connection.query("TRUNCATE response_counts, pending_corrections", logger: logger)
        try await connection.query("DELETE FROM pending_aggregation", logger: logger)
        try await connection.query(Self.countAll(timeZone: timeZone), logger: logger)
        let rows = try await connection.query(
            """
            INSERT INTO aggregator_state AS s (id, time_zone, applied_total, last_applied_at)
            SELECT 1, \(timeZone), count(*), now() FROM responses
            ON CONFLICT (id) DO UPDATE SET time_zone = EXCLUDED.time_zone, applied_total = EXCLUDED.applied_total,
                last_applied_at = EXCLUDED.last_applied_at
            RETURNING applied_total
            """, logger: logger)
        var counted = 0
        for try await total in rows.decode(Int.self) { counted = total }
        try await connection.query("COMMIT", logger: logger)
        return counted
    }

    /// The cube counts local days of one zone: record it, and refuse to mix zones.
    func ensureTimeZone(_ connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            """
            INSERT INTO aggregator_state (id, time_zone) VALUES (1, \(timeZone))
            ON CONFLICT (id) DO UPDATE SET time_zone = aggregator_state.time_zone
            RETURNING time_zone
            """, logger: logger)
        for try await zone in rows.decode(String.self) where zone != timeZone {
            throw AggregatorError.timeZoneChanged(counted: zone, configured: timeZone)
        }
    }

    /// The single statement of one step: dequeue a batch, explode answers into cells, add them to the cube.
    /// (PostgreSQL runs every data-modifying CTE to completion whether or not the final SELECT reads it.)
    /// Levels become (question, level) cells; each reason code becomes a `reason.<code>` cell at level 0, and each
    /// response one `_response` cell at level 0 (respondents, for questionnaires of several questions).
    static func applyBatch(timeZone: String, limit: Int) -> PostgresQuery {
        """
        WITH batch AS (
            DELETE FROM pending_aggregation
            WHERE seq <= (SELECT max(seq) FROM (SELECT seq FROM pending_aggregation ORDER BY seq LIMIT \(limit)) AS first)
            RETURNING seq
        ), rows AS (
            SELECT r.seq, (r.submitted_at AT TIME ZONE \(timeZone))::date AS day, r.agency_id, r.questionnaire_id,
                   flag_mask(r.flags) & ~coalesce(o.cleared_mask, 0) AS flag_mask, coalesce(r.officer_id, 0) AS officer_id,
                   coalesce(r.counter_id, 0) AS counter_id, r.channel, r.answers
            FROM responses r JOIN batch b ON b.seq = r.seq
            LEFT JOIN response_flag_overrides o ON o.response_id = r.id
        ), \(unescaped: cellsAndInsert)
        SELECT count(*) FROM batch
        """
    }

    /// Every response counted at once (the rebuild), with the same cells as the batches.
    static func countAll(timeZone: String) -> PostgresQuery {
        """
        WITH rows AS (
            SELECT (r.submitted_at AT TIME ZONE \(timeZone))::date AS day, r.agency_id, r.questionnaire_id,
                   flag_mask(r.flags) & ~coalesce(o.cleared_mask, 0) AS flag_mask, coalesce(r.officer_id, 0) AS officer_id,
                   coalesce(r.counter_id, 0) AS counter_id, r.channel, r.answers
            FROM responses r LEFT JOIN response_flag_overrides o ON o.response_id = r.id
        ), \(unescaped: cells)
        INSERT INTO response_counts (day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n)
        SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, count(*)
        FROM cells
        GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel
        """
    }

    /// From `rows` (one per response), the cells: one per answered question (its level), one per reason code
    /// (`reason.<code>`, level 0) and one `_response` (level 0) per response.
    static let cells = """
        cells AS (
            SELECT day, agency_id, questionnaire_id, a.key AS question, (a.value #>> '{}')::smallint AS level,
                   flag_mask, officer_id, counter_id, channel
            FROM rows, jsonb_each(rows.answers) AS a
            WHERE jsonb_typeof(a.value) = 'number'
            UNION ALL
            SELECT day, agency_id, questionnaire_id, '_response', 0::smallint, flag_mask, officer_id, counter_id, channel
            FROM rows
            UNION ALL
            SELECT day, agency_id, questionnaire_id, 'reason.' || x.code, 0::smallint,
                   flag_mask, officer_id, counter_id, channel
            FROM rows, jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(rows.answers -> 'reasons') = 'array' THEN rows.answers -> 'reasons' ELSE '[]' END
            ) AS x(code)
        )
        """

    /// The cells added to the cube (a batch may add to cells that exist).
    static let cellsAndInsert =
        cells + """
            , added AS (
                INSERT INTO response_counts AS c
                    (day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n)
                SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, count(*)
                FROM cells
                GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel
                ON CONFLICT (agency_id, day, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel)
                DO UPDATE SET n = c.n + EXCLUDED.n
            )
            """

    /// Takes every pending correction and moves the corrected responses' cells from the old flag mask to the new one
    /// (one count down, one count up), in the same transaction as the step.
    static func applyCorrections(timeZone: String) -> PostgresQuery {
        """
        WITH taken AS (
            DELETE FROM pending_corrections RETURNING seq, old_mask, new_mask
        ), rows AS (
            SELECT (r.submitted_at AT TIME ZONE \(timeZone))::date AS day, r.agency_id, r.questionnaire_id,
                   m.mask AS flag_mask, m.sign, coalesce(r.officer_id, 0) AS officer_id,
                   coalesce(r.counter_id, 0) AS counter_id, r.channel, r.answers
            FROM taken t JOIN responses r ON r.seq = t.seq
            CROSS JOIN LATERAL (VALUES (t.old_mask, -1), (t.new_mask, 1)) AS m (mask, sign)
        ), cells AS (
            SELECT day, agency_id, questionnaire_id, a.key AS question, (a.value #>> '{}')::smallint AS level,
                   flag_mask, sign, officer_id, counter_id, channel
            FROM rows, jsonb_each(rows.answers) AS a
            WHERE jsonb_typeof(a.value) = 'number'
            UNION ALL
            SELECT day, agency_id, questionnaire_id, '_response', 0::smallint, flag_mask, sign, officer_id, counter_id, channel
            FROM rows
            UNION ALL
            SELECT day, agency_id, questionnaire_id, 'reason.' || x.code, 0::smallint, flag_mask, sign, officer_id, counter_id, channel
            FROM rows, jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(rows.answers -> 'reasons') = 'array' THEN rows.answers -> 'reasons' ELSE '[]' END
            ) AS x(code)
        )
        , moved AS (
            INSERT INTO response_counts AS c
                (day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n)
            SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, sum(sign)
            FROM cells
            GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel
            ON CONFLICT (agency_id, day, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel)
            DO UPDATE SET n = c.n + EXCLUDED.n
        )
        SELECT count(*)::bigint FROM taken
        """
    }
}

/// Why the aggregator stopped counting.
public enum AggregatorError: Error, CustomStringConvertible {
    case timeZoneChanged(counted: String, configured: String)

    public var description: String {
        switch self {
        case .timeZoneChanged(let counted, let configured):
            "aggregator: the counts are by local day in \(counted) but HAILONG_TIMEZONE is \(configured); "
                + "run 'hailong aggregate --rebuild' to recount in the new zone"
        }
    }
}
