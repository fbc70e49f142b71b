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

    public init(from: Date, to: Date, counterCode: String? = nil, officerBadge: String? = nil, status: ComplaintStatus? = nil) {
        self.from = from
        self.to = to
        self.counterCode = counterCode
        self.officerBadge = officerBadge
        self.status = status
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
        let query: PostgresQuery = """
            WITH listed AS (
                SELECT k.id, k.label, a.code, c.name AS counter, k.status = 'active' AS active, k.last_seen_at, k.queue_length,
                    k.app_version, k.status = 'active' AND (k.last_seen_at IS NULL OR k.last_seen_at < now() - interval '15 minutes')
                        AS silent
                FROM kiosks k JOIN agency_subtree(\(agency)) s ON s.id = k.agency_id JOIN agencies a ON a.id = k.agency_id
                LEFT JOIN counters c ON c.id = k.counter_id
            ), marked AS (
                SELECT *, silent OR (active AND coalesce(queue_length, 0) > 0) AS attention FROM listed
            )
            SELECT id, label, code, counter, active, last_seen_at, queue_length, app_version, silent, attention,
                count(*) OVER ()::int, (count(*) FILTER (WHERE attention) OVER ())::int
            FROM marked ORDER BY attention DESC, active DESC, code, label, id
            LIMIT \(limit)
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
    static func heatmapQuery(under agency: Int64, questionnaire: String, period: Period) -> PostgresQuery {
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
        var branches = ["SELECT \(weekday), hour, n, not_satisfied FROM fresh_hourly WHERE \(mine) AND day BETWEEN $3 AND $4"]
        for segment in period.segments([.day, .month, .year]) {
            binds.append(SQLDate(segment.first))
            binds.append(SQLDate(segment.last))
            let (from, to) = ("$\(binds.count - 1)", "$\(binds.count)")
            let daily = "SELECT \(weekday), hour, n, not_satisfied FROM hourly_counts WHERE \(mine) AND day BETWEEN \(from) AND \(to)"
            let rollup: (table: String, time: String)? =
                switch segment.span {
                case .day: nil
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
                GROUP BY 1, 2 HAVING sum(n) > 0
                """, binds: binds)
    }

    /// The heatmap of `agency`'s subtree (`heatmapQuery`), read in a transaction held to that subtree.
    public func heatmap(under agency: Int64, questionnaire: String, period: Period) async throws -> [HeatCell] {
        let query = Self.heatmapQuery(under: agency, questionnaire: questionnaire, period: period)
        let read: @Sendable (PostgresClient) async throws -> [HeatCell] = { client in
            try await client.withScope(agency, logger: logger) { connection in
                var cells: [HeatCell] = []
                for try await (weekday, hour, n, low) in try await connection.query(query, logger: logger).decode((Int, Int, Int, Int).self)
                {
                    cells.append(HeatCell(weekday: weekday, hour: hour, n: n, notSatisfied: low))
                }
                return cells
            }
        }
        guard let reads else { return try await read(client) }
        return try await reads.read(read)
    }

    /// Responses in `[from, to)` that carry review-worthy ingest flags (all but `no_dossier`), grouped by kiosk and
    /// in tap order, at most `limit`.
    public func flagged(under agency: Int64, from: Date, to: Date, limit: Int = 200) async throws -> [FlaggedResponse] {
        let query = Self.flaggedQuery(under: agency, from: from, to: to, limit: limit)
        let rows = try await client.withScope(agency, logger: logger) { connection in
            var rows: [(UUID, String, String?, String, Date, Date, [String], Int, [String])] = []
            for try await row in try await connection.query(query, logger: logger)
                .decode((UUID, String, String?, String, Date, Date, [String], Int, [String]).self)
            {
                rows.append(row)
            }
            return rows
        }
        var found: [FlaggedResponse] = []
        for (id, code, kiosk, channel, submitted, received, flags, cleared, reviews) in rows {
            let set = flags.compactMap(Flag.init(rawValue:)).sorted()
            var latest: [String: String] = [:]
            for review in reviews {
                let parts = review.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { latest[parts[0]] = parts[1] }
            }
            found.append(
                FlaggedResponse(
                    id: id, agencyCode: code, kiosk: kiosk, channel: channel, submittedAt: submitted, receivedAt: received,
                    flags: set, cleared: set.filter { cleared & $0.bit != 0 }, reviews: latest))
        }
        return found
    }

    /// The statement of `flagged`: the kiosks of the subtree in label order, each kiosk's flagged responses in tap
    /// order, then the responses without a kiosk in tap order — read in that order from sql/0028's indexes, so that it
    /// stops after `limit` rows however many a province's year holds. (A kiosk rating is stored under the kiosk's own
    /// agency, and a kiosk never changes agency, so the subtree's kiosks hold all of its kiosk ratings.)
    static func flaggedQuery(under agency: Int64, from: Date, to: Date, limit: Int) -> PostgresQuery {
        let reviewable = Self.reviewableLiteral
        return """
            WITH mine AS MATERIALIZED (SELECT id FROM agency_subtree(\(agency))),
            listed AS (
                SELECT * FROM (
                    -- OFFSET 0 keeps the kiosks sorted before the join, so that the planner sorts only each
                    -- kiosk's rows and stops at the limit (without it, it sorted 600,000 rows at 10M: 6 s).
                    (SELECT 0 AS part, k.label, r.*
                    FROM (SELECT k.id, k.label FROM kiosks k WHERE k.agency_id IN (SELECT id FROM mine)
                        ORDER BY k.label, k.id OFFSET 0) AS k
                    CROSS JOIN LATERAL (
                        SELECT r.id, r.agency_id, r.kiosk_id, r.channel, r.submitted_at, r.received_at, r.flags
                        FROM responses r
                        WHERE r.kiosk_id = k.id AND r.submitted_at >= \(from) AND r.submitted_at < \(to)
                          AND r.flags && \(unescaped: reviewable) AND r.agency_id IN (SELECT id FROM mine)
                        ORDER BY r.submitted_at, r.id
                        LIMIT \(limit)) AS r
                    ORDER BY k.label, k.id, r.submitted_at, r.id
                    LIMIT \(limit))
                    UNION ALL
                    (SELECT 1, NULL, r.*
                    FROM mine m
                    CROSS JOIN LATERAL (
                        SELECT r.id, r.agency_id, r.kiosk_id, r.channel, r.submitted_at, r.received_at, r.flags
                        FROM responses r
                        WHERE r.agency_id = m.id AND r.kiosk_id IS NULL AND r.submitted_at >= \(from) AND r.submitted_at < \(to)
                          AND r.flags && \(unescaped: reviewable)
                        ORDER BY r.submitted_at, r.id
                        LIMIT \(limit)) AS r
                    ORDER BY r.submitted_at, r.id
                    LIMIT \(limit))
                ) AS both_parts
                LIMIT \(limit)
            )
            SELECT l.id, a.code, l.label, l.channel, l.submitted_at, l.received_at, l.flags, coalesce(o.cleared_mask, 0),
                coalesce((SELECT array_agg(fr.flag || '=' || fr.action ORDER BY fr.id) FROM flag_reviews fr
                    WHERE fr.response_id = l.id), '{}')
            FROM listed l JOIN agencies a ON a.id = l.agency_id
            LEFT JOIN response_flag_overrides o ON o.response_id = l.id
            ORDER BY l.part, l.label, l.kiosk_id, l.submitted_at, l.id
            """
    }

    /// The flags a reviewer is asked about: every ingest flag but `no_dossier` (most ratings have no dossier code).
    static var reviewable: [String] { Flag.allCases.filter { $0 != .noDossier }.map(\.rawValue) }

    /// `reviewable` as the SQL literal of the partial index that holds those responses (sql/0024): written out, not
    /// bound, so that the planner can see the query asks for the index's own rows.
    static var reviewableLiteral: String { "'{\(reviewable.joined(separator: ","))}'::text[]" }

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

    /// Not-satisfied responses with a comment, newest first, at most `limit`.
    public func complaints(under agency: Int64, filter: ComplaintFilter, limit: Int = 200) async throws -> [Complaint] {
        return try await client.withScope(agency, logger: logger) { connection in
            let agencies = try await Self.subtree(agency, on: connection, logger: logger)
            let query = Self.complaintsQuery(
                agencies: agencies, filter: filter, limit: limit, read: .choose(agencies: agencies.count, status: filter.status))
            var found: [Complaint] = []
            for try await (id, code, name, counter, officer, submitted, comment, reasons, status, note, by) in try await connection.query(
                query, logger: logger
            ).decode((UUID, String, String, String?, String?, Date, String, [String], String, String?, String?).self) {
                found.append(
                    Complaint(
                        id: id, agencyCode: code, agencyName: name, counter: counter, officer: officer, submittedAt: submitted,
                        comment: comment, reasons: reasons, status: ComplaintStatus(rawValue: status) ?? .new, note: note,
                        updatedBy: by))
            }
            return found
        }
    }

    /// How the inbox finds its complaints, each read in the inbox's order from sql/0028's comment indexes so that it
    /// stops after the rows it shows.
    enum ComplaintsRead: CaseIterable {
        /// A subtree of at most `complaintsByAgencyUpTo` agencies: each agency's newest, at most `limit` of each.
        case byAgency
        /// A larger subtree: the newest comments of any agency until `limit` of its own are found, which its share of
        /// the comments makes short.
        case newestFirst
        /// Complaints followed up or resolved: only those with an update, which are few (the admins' own work).
        case updated

        static func choose(agencies: Int, status: ComplaintStatus?) -> ComplaintsRead {
            if let status, status != .new { return .updated }
            return agencies <= complaintsByAgencyUpTo ? .byAgency : .newestFirst
        }
    }

    /// The most agencies whose complaints are read agency by agency (at most 32 × 200 rows).
    static let complaintsByAgencyUpTo = 32

    /// The statement of `complaints` for the subtree `agencies` (`agency_subtree`), read as `read` says.
    static func complaintsQuery(agencies: [Int64], filter: ComplaintFilter, limit: Int, read: ComplaintsRead) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(agencies)
        binds.append(filter.from)
        binds.append(filter.to)
        binds.append(filter.counterCode ?? "")
        binds.append(filter.officerBadge ?? "")
        binds.append(filter.status?.rawValue ?? "")
        binds.append(limit)
        // A complaint that passes the filter, given `r`; $4–$6 are '' for "any".
        let complaint = """
            r.comment IS NOT NULL AND r.submitted_at >= $2 AND r.submitted_at < $3
              AND response_not_satisfied(r.answers, (SELECT q.definition -> 'scale' FROM questionnaires q WHERE q.id = r.questionnaire_id))
              AND ($4 = '' OR EXISTS (SELECT 1 FROM counters c WHERE c.id = r.counter_id AND c.code = $4))
              AND ($5 = '' OR r.officer_badge = $5 OR EXISTS (SELECT 1 FROM officers o WHERE o.id = r.officer_id AND o.badge = $5))
              AND ($6 = '' OR coalesce((SELECT cu.status FROM complaint_updates cu WHERE cu.response_id = r.id
                  ORDER BY cu.id DESC LIMIT 1), 'new') = $6)
            """
        let picked =
            switch read {
            case .byAgency:
                """
                SELECT p.id FROM unnest($1::bigint[]) AS m (id)
                CROSS JOIN LATERAL (
                    SELECT r.id, r.submitted_at FROM responses r WHERE r.agency_id = m.id AND \(complaint)
                    ORDER BY r.submitted_at DESC, r.id
                    LIMIT $7) AS p
                ORDER BY p.submitted_at DESC, p.id
                LIMIT $7
                """
            case .newestFirst:
                """
                SELECT r.id FROM responses r WHERE r.agency_id = ANY ($1) AND \(complaint)
                ORDER BY r.submitted_at DESC, r.id
                LIMIT $7
                """
            case .updated:
                """
                SELECT r.id FROM responses r
                WHERE r.id IN (SELECT response_id FROM complaint_updates) AND r.agency_id = ANY ($1) AND \(complaint)
                ORDER BY r.submitted_at DESC, r.id
                LIMIT $7
                """
            }
        return PostgresQuery(
            unsafeSQL: """
                WITH picked AS (\(picked))
                SELECT r.id, a.code, a.name, c.name, coalesce(o.name, r.officer_badge), r.submitted_at, r.comment,
                    coalesce(ARRAY(SELECT jsonb_array_elements_text(r.answers -> 'reasons')), '{}'),
                    coalesce(u.status, 'new'), u.note, u.updated_by
                FROM picked p JOIN responses r ON r.id = p.id JOIN agencies a ON a.id = r.agency_id
                LEFT JOIN counters c ON c.id = r.counter_id
                LEFT JOIN officers o ON o.id = r.officer_id
                LEFT JOIN LATERAL (SELECT status, note, updated_by FROM complaint_updates cu
                    WHERE cu.response_id = r.id ORDER BY cu.id DESC LIMIT 1) AS u ON true
                ORDER BY r.submitted_at DESC, r.id
                """, binds: binds)
    }

    /// The ids of `agency`'s subtree, read on `connection`.
    static func subtree(_ agency: Int64, on connection: PostgresConnection, logger: Logger) async throws -> [Int64] {
        var ids: [Int64] = []
        for try await id in try await connection.query("SELECT id FROM agency_subtree(\(agency))", logger: logger).decode(Int64.self) {
            ids.append(id)
        }
        return ids
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
