import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// A kiosk as its agency's page shows it: is it alive, and is anything stuck in its queue.
public struct KioskHealth: Sendable, Hashable {
    public var id: Int64
    public var label: String
    public var agencyCode: String
    public var counter: String?
    public var active: Bool
    public var lastSeenAt: Date?
    public var queueLength: Int?
    public var appVersion: String?
    /// Active, and not heard from for 15 minutes.
    public var silent: Bool
    /// Silent, or with ratings waiting in its queue.
    public var attention: Bool
}

/// Ratings in one hour of one weekday (0 = Monday), local time.
public struct HeatCell: Sendable, Hashable {
    public var weekday: Int
    public var hour: Int
    public var n: Int
    public var notSatisfied: Int
}

/// A response carrying ingest flags, for review.
public struct FlaggedResponse: Sendable, Hashable {
    public var id: UUID
    public var agencyCode: String
    public var kiosk: String?
    public var channel: String
    public var submittedAt: Date
    public var receivedAt: Date
    /// The flags set at ingest, and those a reviewer cleared since.
    public var flags: [Flag]
    public var cleared: [Flag]
    /// The newest review of each flag: "clear", "restore" or "confirm".
    public var reviews: [String: String]
}

/// What a complaint's follow-up says.
public enum ComplaintStatus: String, Sendable, CaseIterable {
    case new
    case followingUp = "following_up"
    case resolved
}

/// A not-satisfied rating with a comment, and where its follow-up stands.
public struct Complaint: Sendable, Hashable {
    public var id: UUID
    public var agencyCode: String
    public var agencyName: String
    public var counter: String?
    public var officer: String?
    public var submittedAt: Date
    public var comment: String
    public var reasons: [String]
    public var status: ComplaintStatus
    public var note: String?
    public var updatedBy: String?
}

/// Narrows the complaints inbox.
public struct ComplaintFilter: Sendable {
    public var from: Date
    public var to: Date
    public var counterCode: String?
    public var officerBadge: String?
    public var status: ComplaintStatus?
    /// The inbox's next page: only the complaints after this one in the inbox's order (older, or as old and after it by
    /// id). A complaint the caller cannot see, or that does not exist, ends the list.
    public var after: UUID?

    public init(
        from: Date, to: Date, counterCode: String? = nil, officerBadge: String? = nil, status: ComplaintStatus? = nil, after: UUID? = nil
    ) {
        self.from = from
        self.to = to
        self.counterCode = counterCode
        self.officerBadge = officerBadge
        self.status = status
        self.after = after
    }
}

/// What the agency pages read beyond the count cube: kiosk health, the hour × weekday heatmap, the flagged responses
/// to review and the complaints inbox. Every query is cut to one agency's subtree in its own WHERE clause, and runs
/// in a transaction scoped to that subtree (`withScope`), so row-level security holds it there too.
///
/// The heatmap, a figure, is read where `reads` routes the figures (a streaming replica, `DATABASE_READ_URL`); the
/// lists an administrator acts on (flags, complaints, kiosks) stay on the primary, so an action shows at once.
public struct PostgresDashboardStore: Sendable {
    /// The primary.
    let client: PostgresClient
    let reads: ReadRouting?
    let logger: Logger

    /// What the hourly cubes under the fresh ratings held, per cube generation (the heatmaps).
    let keptHeat = KeptHeatmaps(budget: 512)

    /// The complaints inboxes read, by what they asked for and what the database had handed out when they were read
    /// (`complaints`); at most 64.
    let keptComplaints = KeptComplaints(budget: 64)

    public init(client: PostgresClient, reads: ReadRouting? = nil, logger: Logger) {
        self.client = client
        self.reads = reads
        self.logger = logger
    }

    /// Changes to the agency's directory (the management page).
    public var management: PostgresManagementStore { PostgresManagementStore(client: client, logger: logger) }

    /// CSV imports of officers and agencies (the management page).
    public var importer: DirectoryImporter { DirectoryImporter(client: client, logger: logger) }

    /// Clears, restores or confirms flags (the review page).
    public var reviewer: FlagReviewer { FlagReviewer(client: client, logger: logger) }

    /// The kiosks of the subtree, those needing attention first — active and not heard from for 15 minutes, or with
    /// ratings waiting in their queue — at most `limit`; and how many there are in all, and need attention.
    public func kiosks(under agency: Int64, limit: Int = 100_000) async throws -> (kiosks: [KioskHealth], total: Int, attention: Int) {
        // The subtree's kiosks once (3,000 in a province), counted, and only the shown ones joined to their counters:
        // counting them with window functions over the joined rows made this the province page's costliest statement
        // (11 ms of its PostgreSQL time on every view; 6–8 ms now).
        let query: PostgresQuery = """
            WITH marked AS MATERIALIZED (
                SELECT k.id, k.label, a.code, k.counter_id, k.status = 'active' AS active, k.last_seen_at, k.queue_length,
                    k.app_version, k.status = 'active' AND (k.last_seen_at IS NULL OR k.last_seen_at < now() - interval '15 minutes')
                        AS silent
                FROM kiosks k JOIN agencies a ON a.id = k.agency_id
                WHERE k.agency_id IN (SELECT id FROM agency_subtree(\(agency)))
            ), attending AS (
                SELECT *, silent OR (active AND coalesce(queue_length, 0) > 0) AS attention FROM marked
            ), totals AS (
                SELECT count(*)::int AS total, (count(*) FILTER (WHERE attention))::int AS attention FROM attending
            ), shown AS (
                SELECT * FROM attending ORDER BY attention DESC, active DESC, code, label, id LIMIT \(limit)
            )
            SELECT s.id, s.label, s.code, c.name, s.active, s.last_seen_at, s.queue_length, s.app_version, s.silent, s.attention,
                t.total, t.attention
            FROM shown s CROSS JOIN totals t LEFT JOIN counters c ON c.id = s.counter_id
            ORDER BY s.attention DESC, s.active DESC, s.code, s.label, s.id
            """
        return try await client.withScope(agency, logger: logger) { connection in
            var kiosks: [KioskHealth] = []
            var counts = (total: 0, attention: 0)
            for try await (id, label, code, counter, active, seen, queue, version, silent, attention, total, attending)
                in try await connection.query(query, logger: logger)
                .decode((Int64, String, String, String?, Bool, Date?, Int?, String?, Bool, Bool, Int, Int).self)
            {
                kiosks.append(
                    KioskHealth(
                        id: id, label: label, agencyCode: code, counter: counter, active: active, lastSeenAt: seen, queueLength: queue,
                        appVersion: version, silent: silent, attention: attention))
                counts = (total, attending)
            }
            return (kiosks, counts.total, counts.attention)
        }
    }

    /// Ratings of `questionnaire` in `period` by local weekday and hour, and how many were not satisfied: from the hourly
    /// cubes the aggregator keeps (sql/0022), whole years and months from their rollups when filled, never from the
    /// responses. One statement, so one snapshot of the cubes (as `PostgresIndexStore.cells`).
    /// `parts` as `PostgresIndexStore.cells` reads them: the fresh hourly ratings, the cubes under them, or both; a part
    /// alone is not filtered to hours with ratings (its sums are added to the other part's first).
    static func heatmapQuery(
        under agency: Int64, questionnaire: String, period: Period, parts: PostgresIndexStore.CellParts = .all
    ) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(agency)
        binds.append(questionnaire)
        binds.append(SQLDate(period.first))
        binds.append(SQLDate(period.last))
        let mine = """
            agency_id IN (SELECT id FROM agency_subtree($1)) AND questionnaire_id IN (SELECT id FROM questionnaires WHERE code = $2)
            """
        let ready = "coalesce((SELECT rollups_ready FROM aggregator_state WHERE id = 1), false)"
        let weekday = "(extract(isodow FROM day)::int - 1)"
        let fresh = "SELECT \(weekday), hour, n, not_satisfied FROM fresh_hourly WHERE \(mine) AND day BETWEEN $3 AND $4"
        var branches: [String]
        var segments = period.segments([.day, .month, .year])
        switch parts {
        case .all: branches = [fresh]
        case .kept: branches = []
        case .fresh: (branches, segments) = ([fresh], [])
        case .compacted(let froms):
            binds.append(froms)
            branches = [
                """
                SELECT \(weekday), hour, n, not_satisfied FROM compacted_hourly WHERE from_generation = ANY($5) AND \(mine)
                AND day BETWEEN $3 AND $4
                """
            ]
            segments = []
        }
        for segment in segments {
            binds.append(SQLDate(segment.first))
            binds.append(SQLDate(segment.last))
            let (from, to) = ("$\(binds.count - 1)", "$\(binds.count)")
            let daily = "SELECT \(weekday), hour, n, not_satisfied FROM hourly_counts WHERE \(mine) AND day BETWEEN \(from) AND \(to)"
            let rollup: (table: String, time: String)? =
                switch segment.span {
                // There are no hourly weeks: the segments are never weeks.
                case .day, .week: nil
                case .month, .quarter: ("hourly_monthly_counts", "month")
                case .year: ("hourly_yearly_counts", "year")
                }
            if let rollup {
                branches += [
                    """
                    SELECT weekday, hour, n, not_satisfied FROM \(rollup.table)
                    WHERE \(ready) AND \(mine) AND \(rollup.time) BETWEEN \(from) AND \(to)
                    """,
                    "\(daily) AND NOT \(ready)",
                ]
            } else {
                branches.append(daily)
            }
        }
        return PostgresQuery(
            unsafeSQL: """
                SELECT weekday::int, hour::int, sum(n)::int, sum(not_satisfied)::int
                FROM (\(branches.joined(separator: "\nUNION ALL\n"))) AS rated (weekday, hour, n, not_satisfied)
                GROUP BY 1, 2 \(parts == .all ? "HAVING sum(n) > 0" : "")
                """, binds: binds)
    }

    /// The heatmap of `agency`'s subtree (`heatmapQuery`), read in a transaction held to that subtree: the hours the
    /// cubes under the fresh ratings held at the current cube generation (kept per generation, `keptHeat`), and the
    /// fresh ratings added to them, read in one snapshot with the generation (as `PostgresIndexStore.figureCounts`).
    public func heatmap(under agency: Int64, questionnaire: String, period: Period) async throws -> [HeatCell] {
        let key = HeatmapKey(agency: agency, questionnaire: questionnaire, period: period.label)
        let keptHeat = self.keptHeat
        let read: @Sendable (PostgresClient) async throws -> [HeatCell] = { client in
            try await client.withScope(agency, snapshot: true, logger: logger) { connection in
                let generation = try await connection.cubeGeneration(logger: logger)
                func hours(_ parts: PostgresIndexStore.CellParts) async throws -> [HeatHour: HeatCell] {
                    let query = Self.heatmapQuery(under: agency, questionnaire: questionnaire, period: period, parts: parts)
                    var cells: [HeatHour: HeatCell] = [:]
                    for try await (weekday, hour, n, low) in try await connection.query(query, logger: logger).decode(
                        (Int, Int, Int, Int).self)
                    {
                        cells[HeatHour(weekday: weekday, hour: hour)] = HeatCell(
                            weekday: weekday, hour: hour, n: n, notSatisfied: low)
                    }
                    return cells
                }
                var cells: [HeatHour: HeatCell]
                if let kept = keptHeat.value(key, generation: generation) {
                    cells = kept
                } else if let older = keptHeat.older(key, than: generation),
                    let moved = try await connection.compactions(since: older.generation, until: generation, logger: logger)
                {
                    // Only compactions moved the cubes on since: the hours they moved, added (sql/0034).
                    cells = older.value
                    Self.add(try await hours(.compacted(moved)), to: &cells)
                    keptHeat.keep(cells, cost: 1, for: key, generation: generation, carried: true)
                } else {
                    cells = try await hours(.kept)
                    keptHeat.keep(cells, cost: 1, for: key, generation: generation)
                }
                Self.add(try await hours(.fresh), to: &cells)
                return cells.values.filter { $0.n > 0 }.sorted { ($0.weekday, $0.hour) < ($1.weekday, $1.hour) }
            }
        }
        guard let reads else { return try await read(client) }
        return try await reads.read(read)
    }

    /// Adds the hours `more` to `cells`.
    static func add(_ more: [HeatHour: HeatCell], to cells: inout [HeatHour: HeatCell]) {
        for (hour, added) in more {
            var cell = cells[hour] ?? HeatCell(weekday: added.weekday, hour: added.hour, n: 0, notSatisfied: 0)
            cell.n += added.n
            cell.notSatisfied += added.notSatisfied
            cells[hour] = cell
        }
    }

    /// Whether response `id` exists in `agency`'s subtree.
    public func holdsResponse(_ id: UUID, under agency: Int64) async throws -> Bool {
        try await client.withScope(agency, logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM responses r JOIN agency_subtree(\(agency)) s ON s.id = r.agency_id WHERE r.id = \(id))
                """, logger: logger)
            for try await found in rows.decode(Bool.self) { return found }
            return false
        }
    }

    /// Records a complaint's new status and note, and audits it; the response must be a complaint of `agency`'s
    /// subtree (else `StoreError.notFound`).
    public func updateComplaint(
        _ id: UUID, status: ComplaintStatus, note: String?, by actor: String, within agency: Int64
    ) async throws {
        let query: PostgresQuery = """
            WITH target AS (
                SELECT r.id, r.agency_id FROM responses r JOIN agency_subtree(\(agency)) s ON s.id = r.agency_id
                JOIN questionnaires q ON q.id = r.questionnaire_id
                WHERE r.id = \(id) AND r.comment IS NOT NULL AND response_not_satisfied(r.answers, q.definition -> 'scale')
            ), updated AS (
                INSERT INTO complaint_updates (response_id, status, note, updated_by)
                SELECT id, \(status.rawValue), \(note), \(actor) FROM target
                RETURNING response_id
            ), audited AS (
                INSERT INTO audit_log (actor, action, agency_id, subject, detail)
                SELECT \(actor), 'complaint.update', agency_id, 'response ' || id,
                    jsonb_build_object('status', \(status.rawValue)::text)
                FROM target
            )
            SELECT count(*)::int FROM updated
            """
        let updated = try await client.withScope(agency, logger: logger) { connection in
            var updated = 0
            for try await count in try await connection.query(query, logger: logger).decode(Int.self) { updated = count }
            return updated
        }
        guard updated == 1 else { throw StoreError.notFound(field: "response", value: id.uuidString) }
    }
}
