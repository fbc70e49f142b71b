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
    /// returns how many were applied. A batch smaller than `batchSize` emptied the queue as its snapshot saw it, so
    /// that is the last one (what commits later is for the next call).
    @discardableResult
    public func runUntilIdle() async throws -> Int {
        var total = 0
        while case .applied(let count) = try await step(), count > 0 {
            total += count
            if count < batchSize { break }
        }
        return total
    }

    /// One transaction: take up to `batchSize` queued responses and add them to the counts.
    public func step() async throws -> Step {
        return try await inTransaction { connection in
            let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            for try await isLeader in locked.decode(Bool.self) where !isLeader { return .notLeader }
            try await ensureTimeZone(connection)
            // Once the queue's statistics said 20,000 the planner merged it with a scan of every response (400 ms
            // instead of 150 at 1M rows): no merge joins. The batch's responses are read as one range of `seq`
            // (they are consecutive), hashed against the batch: 10,000 separate look-ups cost ≈ 70 ms at 10M.
            // (JIT, which took longer than the batch itself, is off for every session: `DatabaseURL.sessionSettings`.)
            try await connection.query("SELECT set_config('enable_mergejoin', 'off', true)", logger: logger)
            let rows = try await connection.query(Self.applyBatch(timeZone: timeZone, limit: batchSize), logger: logger)
            var applied = 0
            for try await count in rows.decode(Int.self) { applied = count }
            // Reviews that changed a counted response's flags: move its cells to the new mask.
            var corrected = 0
            // Planning the corrections statement costs more than asking whether there is anything to correct.
            for try await waiting in try await connection.query("SELECT EXISTS (SELECT 1 FROM pending_corrections)", logger: logger)
                .decode(Bool.self) where waiting
            {
                // A few responses, looked up by key (a hash join would scan every response for them).
                try await connection.query("SELECT set_config('enable_hashjoin', 'off', true)", logger: logger)
                for try await count in try await connection.query(Self.applyCorrections(timeZone: timeZone), logger: logger)
                    .decode(Int.self)
                {
                    corrected = count
                }
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
    }

    /// Compacts up to `limit` (agency, day) pairs the steps added fresh cells to (sql/0014): one row per cell again,
    /// same sums, and the rollups kept up to date, so the figures do not change. Returns how many pairs it compacted (0 when another replica leads).
    @discardableResult
    public func compact(limit: Int = 1_000) async throws -> Int {
        return try await inTransaction { connection in
            let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            for try await isLeader in locked.decode(Bool.self) where !isLeader { return 0 }
            try await fillRollupsIfEmptied(connection)
            // The generation the cubes are at, its row locked until the commit: nothing else can move it on between
            // here and the record of what this compaction moved (sql/0034).
            var from: Int64 = 0
            for try await generation in try await connection.query(
                "SELECT generation FROM cube_generation WHERE id = 1 FOR UPDATE", logger: logger
            ).decode(Int64.self) {
                from = generation
            }
            var compacted = 0
            for try await count in try await connection.query(Self.compactFragments(limit: limit, from: from), logger: logger)
                .decode(Int.self)
            {
                compacted = count
            }
            try await connection.query(Self.recordCompaction(from: from), logger: logger)
            return compacted
        }
    }

    /// Records the compaction that started at generation `from` and ended at the current one (its moved cells are
    /// already recorded under `from`, `compactFragments`), and forgets the records older than ten minutes (sql/0034).
    static func recordCompaction(from: Int64) -> PostgresQuery {
        """
        WITH recorded AS (
            INSERT INTO compactions (from_generation, to_generation)
            SELECT \(from), generation FROM cube_generation WHERE id = 1 AND generation > \(from)
        ), forgotten AS (
            DELETE FROM compactions WHERE compacted_at < now() - interval '10 minutes' RETURNING from_generation
        ), kept AS (
            SELECT coalesce(min(from_generation), \(from)) AS oldest FROM compactions
            WHERE from_generation NOT IN (SELECT from_generation FROM forgotten)
        ), counts AS (
            DELETE FROM compacted_counts WHERE from_generation < (SELECT oldest FROM kept)
        )
        DELETE FROM compacted_hourly WHERE from_generation < (SELECT oldest FROM kept)
        """
    }

    /// After a rebuild (or the migration that made them) the rollups (sql/0014, sql/0022) are empty or out of date: they
    /// are emptied and summed from the daily cubes here, in the compaction's transaction, before fresh cells are moved
    /// into both (so nothing is counted twice). Readers use them only once `rollups_ready` says so, reading the daily
    /// cubes until then.
    func fillRollupsIfEmptied(_ connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            """
            SELECT coalesce(s.rollups_ready, false), coalesce(s.weekly_ready, false)
            FROM (SELECT 1) AS one LEFT JOIN aggregator_state s ON s.id = 1
            """, logger: logger)
        var (rollupsReady, weeklyReady) = (true, true)
        for try await marks in rows.decode((Bool, Bool).self) { (rollupsReady, weeklyReady) = marks }
        if !rollupsReady { try await fill(Rollup.all, marking: "rollups_ready", connection) }
        // The weekly cube is kept by the database (sql/0035) and emptied by a rebuild on its own, so it has its own mark.
        if !weeklyReady { try await fill([Rollup.weekly], marking: "weekly_ready", connection) }
    }

    /// Empties `rollups`, sums them from their daily cubes and sets `aggregator_state`'s column `mark`.
    func fill(_ rollups: [Rollup], marking mark: String, _ connection: PostgresConnection) async throws {
        for rollup in rollups {
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(rollup.table)"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: rollup.fill), logger: logger)
        }
        try await connection.query(
            """
            INSERT INTO aggregator_state (id, time_zone, \(unescaped: mark)) VALUES (1, \(timeZone), true)
            ON CONFLICT (id) DO UPDATE SET \(unescaped: mark) = true
            """, logger: logger)
    }

    /// Compacts every marked pair; returns how many.
    @discardableResult
    public func compactAll() async throws -> Int {
        var total = 0
        while case let count = try await compact(), count > 0 { total += count }
        return total
    }

    /// `body` in a transaction of its own connection. Unlike `PostgresClient.withTransaction`, a failure that ended the
    /// session (the backend terminated) is not followed by a ROLLBACK on the dead connection, which could wait forever
    /// and stop the aggregator: the transaction ended with the session.
    func inTransaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                if !Self.endedTheSession(error) { _ = try? await connection.query("ROLLBACK", logger: logger) }
                throw error
            }
        }
    }

    /// Whether `error` ended the database session (its backend was terminated, or the connection closed).
    static func endedTheSession(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return error.isConnectionFailure || ["57P01", "57P02", "57P03"].contains(error.serverInfo?[.sqlState] ?? "")
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

    /// The single statement of one step: dequeue a batch, take its responses' own values once (`taken`), explode their
    /// answers into cells and append them to `fresh_counts` (`cells`, `addCells`), and count the batch's ratings by hour
    /// for the heatmap's cube (sql/0022, `hours`). (PostgreSQL runs every data-modifying CTE to completion whether or not
    /// the final SELECT reads it.)
    static func applyBatch(timeZone: String, limit: Int) -> PostgresQuery {
        let query: PostgresQuery = """
            WITH batch AS (
                DELETE FROM pending_aggregation
                WHERE seq <= (SELECT max(seq) FROM (SELECT seq FROM pending_aggregation ORDER BY seq LIMIT \(unescaped: String(limit))) AS first)
                RETURNING seq
            ), \(unescaped: scales), taken AS MATERIALIZED (
                \(unescaped: taken(from: """
                    SELECT r.*, r.submitted_at AT TIME ZONE $1 AS local
                    FROM responses r JOIN batch b ON b.seq = r.seq
                    WHERE r.seq BETWEEN (SELECT min(seq) FROM batch) AND (SELECT max(seq) FROM batch)
                    """, cleared: clearedLookup))
            ), cells AS (
                \(unescaped: cells(of: "taken"))
            ), \(unescaped: addCells), hourly AS (
                INSERT INTO fresh_hourly (agency_id, day, questionnaire_id, hour, n, not_satisfied)
                \(unescaped: hours(of: "taken"))
            )
            SELECT count(*) FROM batch
            """
        return query.bindingTimeZone(timeZone)
    }

    /// Each response of `responses` (a SELECT of `responses r` and its local time `local`; when `fenced`, an `OFFSET 0`
    /// keeps the planner from computing the local time twice, at the price of whole rows) with its own values: its local
    /// day and hour, its flags less those a review cleared (`cleared`, SQL over `r` and what `joining` joins), its
    /// questionnaire's respondent question, and whether it was not satisfied (`low`) as the heatmap counts it: by that
    /// question when it answers it (kiosk-3's "overall"), otherwise by any numeric answer outside the satisfied levels
    /// (`response_not_satisfied` of sql/0011, here as JSON paths: that SQL function and a containment test per response
    /// cost 0.63 s for 1M responses, the paths 0.27 s; strict, so that an array answer is not unwrapped);
    /// and `keeping`'s further columns of `r`.
    /// A step materializes it; the rebuild reads it once for the cells' each kind and once for the hours, each read
    /// computing only the columns it uses.
    static func taken(
        from responses: String, cleared: String, joining: String = "", keeping: String = "", fenced: Bool = true
    ) -> String {
        """
        SELECT r.local::date AS day, extract(hour FROM r.local)::smallint AS hour, r.agency_id, r.questionnaire_id,
               flag_mask(r.flags) & ~coalesce(\(cleared), 0) AS flag_mask, coalesce(r.officer_id, 0) AS officer_id,
               coalesce(r.counter_id, 0) AS counter_id, r.channel, r.answers, q.respondent_question,
               CASE WHEN r.answers ? q.respondent_question
                   THEN NOT jsonb_path_exists(r.answers -> q.respondent_question, 'strict $ ? (@ == $satisfied[*])', q.satisfied)
                   ELSE jsonb_path_exists(r.answers, 'strict $.* ? (@.type() == "number" && !(@ == $satisfied[*]))', q.satisfied)
               END AS low\(keeping)
        FROM (
            \(responses)\(fenced ? "\nOFFSET 0" : "")
        ) AS r
        JOIN scales q ON q.id = r.questionnaire_id
        \(joining)
        """
    }

    /// Each questionnaire version's respondent question and satisfied levels (as the variables of `taken`'s JSON paths),
    /// taken out of its definition once per statement: read from the definition for every response, the definition
    /// (several kilobytes, stored compressed) was decompressed every time.
    static let scales = """
        scales AS MATERIALIZED (
            SELECT id, respondent_question, jsonb_build_object('satisfied', definition -> 'scale' -> 'satisfied') AS satisfied
            FROM questionnaires
        )
        """

    /// The flags a review cleared from response `r`, looked up by key: a batch's few thousand responses (a nested loop
    /// over an empty overrides table cost 26 ms per 10,000; the rebuild joins the table instead).
    static let clearedLookup = "(SELECT o.cleared_mask FROM response_flag_overrides o WHERE o.response_id = r.id)"

    /// The cells of the responses `source` names (rows with `taken`'s columns, and `sign` when `signed`): one per numeric
    /// answer, one `reason.<code>` per reason given, and one `_response` unless the answer to its questionnaire's
    /// required question counts it as a respondent (sql/0008) — so every response has exactly one respondent cell, which
    /// is what `hours` counts. Counted, or summed by `sign` when `signed`. Three scans of `source` rather than a lateral
    /// UNION per response, which cost a third of a step.
    static func cells(of source: String, signed: Bool = false) -> String {
        let key = "r.day, r.agency_id, r.questionnaire_id"
        let members = "r.flag_mask, r.officer_id, r.counter_id, r.channel" + (signed ? ", r.sign" : "")
        return """
            SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, \(signed ? "sum(sign)" : "count(*)") AS n
            FROM (
                SELECT \(key), a.key AS question, (a.value #>> '{}')::smallint AS level, \(members)
                FROM \(source) r CROSS JOIN LATERAL jsonb_each(r.answers) AS a WHERE jsonb_typeof(a.value) = 'number'
                UNION ALL
                SELECT \(key), '_response', 0::smallint, \(members)
                FROM \(source) r
                WHERE r.respondent_question IS NULL OR jsonb_typeof(r.answers -> r.respondent_question) IS DISTINCT FROM 'number'
                UNION ALL
                SELECT \(key), 'reason.' || x.code, 0::smallint, \(members)
                FROM \(source) r CROSS JOIN LATERAL jsonb_array_elements_text(r.answers -> 'reasons') AS x(code)
                WHERE jsonb_typeof(r.answers -> 'reasons') = 'array'
            ) AS c
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
            """
    }

    /// The ratings by local day and hour of the responses `source` names (`taken`'s columns): how many, and how many not
    /// satisfied; keyed in the hourly cube's order (agency, day, questionnaire, hour).
    static func hours(of source: String) -> String {
        """
        SELECT agency_id, day, questionnaire_id, hour, count(*), count(*) FILTER (WHERE low)
        FROM \(source) GROUP BY 1, 2, 3, 4
        """
    }

    /// Appends the `cells` CTE's cells to `fresh_counts` (sql/0014), which compaction empties into the cubes (a correction's
    /// cells whose old and new masks cancel out are left out).
    static let addCells = """
        added AS (
            INSERT INTO fresh_counts (day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n)
            SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n
            FROM cells WHERE n <> 0
        )
        """

    /// Moves the cells of responses whose flags a review changed: −1 under the old mask, +1 under the new one. A few
    /// responses, looked up by key (`step` turns hash joins off: one would scan every response for them).
    static func applyCorrections(timeZone: String) -> PostgresQuery {
        let query: PostgresQuery = """
            WITH corrected AS (
                DELETE FROM pending_corrections RETURNING seq, old_mask, new_mask
            ), \(unescaped: scales), taken AS MATERIALIZED (
                SELECT r.day, r.agency_id, r.questionnaire_id, m.mask AS flag_mask, r.officer_id, r.counter_id, r.channel, r.answers,
                       r.respondent_question, m.sign
                FROM (
                    \(unescaped: taken(from: """
                        SELECT r.*, r.submitted_at AT TIME ZONE $1 AS local, t.old_mask, t.new_mask
                        FROM corrected t JOIN responses r ON r.seq = t.seq
                        """, cleared: "0", keeping: ", r.old_mask, r.new_mask"))
                ) AS r
                CROSS JOIN LATERAL (VALUES (r.old_mask, -1), (r.new_mask, 1)) AS m (mask, sign)
            ), cells AS (
                \(unescaped: cells(of: "taken", signed: true))
            ), \(unescaped: addCells)
            SELECT count(*)::bigint FROM corrected
            """
        return query.bindingTimeZone(timeZone)
    }

    /// Compacts up to `limit` (agency, day) pairs with fresh cells (sql/0014): their fresh cells and the pair's rows in
    /// the daily cube become one row per cell there (cells that sum to zero go), and the fresh cells are added to every
    /// rollup (once they are filled); the same for the pairs' fresh hourly ratings (sql/0022). Returns how many pairs
    /// were compacted.
    /// The moved cells and hourly ratings are recorded under `from`, the generation the compaction started at (sql/0034).
    static func compactFragments(limit: Int, from: Int64) -> PostgresQuery {
        let rollups = Rollup.all.map { rollup in
            "added_to_\(rollup.table) AS (\n\(rollup.add(from: rollup.hourly ? "moved_hourly" : "moved")))"
        }
        let sql = """
            WITH picked AS (
                SELECT DISTINCT agency_id, day FROM (
                    SELECT agency_id, day FROM fresh_counts UNION ALL SELECT agency_id, day FROM fresh_hourly
                ) AS fresh
                ORDER BY day, agency_id LIMIT \(limit)
            ), ready AS (
                SELECT coalesce((SELECT rollups_ready FROM aggregator_state WHERE id = 1), false) AS ready
            ), moved AS (
                DELETE FROM fresh_counts f USING picked p WHERE f.agency_id = p.agency_id AND f.day = p.day
                RETURNING f.day, f.agency_id, f.questionnaire_id, f.question, f.level, f.flag_mask, f.officer_id, f.counter_id,
                    f.channel, f.n
            ), old AS (
                DELETE FROM response_counts c USING picked p WHERE c.agency_id = p.agency_id AND c.day = p.day
                RETURNING c.day, c.agency_id, c.questionnaire_id, c.question, c.level, c.flag_mask, c.officer_id, c.counter_id,
                    c.channel, c.n
            ), merged AS (
                INSERT INTO response_counts (day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n)
                SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, sum(n)
                FROM (SELECT * FROM old UNION ALL SELECT * FROM moved) AS cells
                GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 HAVING sum(n) <> 0
            ), recorded AS (
                INSERT INTO compacted_counts (from_generation, day, agency_id, questionnaire_id, question, level, flag_mask,
                    officer_id, counter_id, channel, n)
                SELECT \(from), * FROM moved
            ), moved_hourly AS (
                DELETE FROM fresh_hourly f USING picked p WHERE f.agency_id = p.agency_id AND f.day = p.day
                RETURNING f.day, f.agency_id, f.questionnaire_id, f.hour, f.n, f.not_satisfied
            ), recorded_hourly AS (
                INSERT INTO compacted_hourly (from_generation, day, agency_id, questionnaire_id, hour, n, not_satisfied)
                SELECT \(from), * FROM moved_hourly
            ), hourly AS (
                INSERT INTO hourly_counts AS h (day, agency_id, questionnaire_id, hour, n, not_satisfied)
                SELECT day, agency_id, questionnaire_id, hour, sum(n), sum(not_satisfied) FROM moved_hourly GROUP BY 1, 2, 3, 4
                ON CONFLICT (agency_id, day, questionnaire_id, hour)
                DO UPDATE SET n = h.n + EXCLUDED.n, not_satisfied = h.not_satisfied + EXCLUDED.not_satisfied
            ), \(rollups.joined(separator: ", "))
            SELECT count(*)::bigint FROM picked
            """
        return PostgresQuery(unsafeSQL: sql)
    }
}

extension PostgresQuery {
    /// Binds the time zone as `$1`: the queries above name it in shared fragments, so it is their only bind.
    func bindingTimeZone(_ zone: String) -> PostgresQuery {
        precondition(binds.count == 0, "the time zone must be the query's only bind")
        var query = self
        query.binds.append(zone)
        return query
    }
}

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
