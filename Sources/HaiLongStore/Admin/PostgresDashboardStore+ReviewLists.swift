import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// The administrators' lists of single responses: the flag review page and the complaints inbox (issue 16), each read
/// in its own order from sql/0028's indexes so that it costs the rows it shows.
extension PostgresDashboardStore {
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

    /// `reviewable` as the SQL literal of the partial index that holds those responses (sql/0028): written out, not
    /// bound, so that the planner can see the query asks for the index's own rows.
    static var reviewableLiteral: String { "'{\(reviewable.joined(separator: ","))}'::text[]" }

    /// Not-satisfied responses with a comment, newest first, at most `limit` (after `filter.after` when it is given).
    /// Kept until a response or a complaint update is stored, or the aggregator counts responses (`ComplaintsKey.seen`):
    /// read again at every view, a province's inbox was half of the database's work for it and a third of the server's.
    public func complaints(under agency: Int64, filter: ComplaintFilter, limit: Int = 100) async throws -> [Complaint] {
        var seen: [Int64] = []
        for try await (responses, figures, updates) in try await client.query(
            """
            SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('responses', 'seq')), 0),
                (SELECT version FROM figures_version WHERE id = 1),
                coalesce(pg_sequence_last_value(pg_get_serial_sequence('complaint_updates', 'id')), 0)
            """, logger: logger
        ).decode((Int64, Int64, Int64).self) {
            seen = [responses, figures, updates]
        }
        let key = ComplaintsKey(
            agency: agency, from: filter.from, to: filter.to, counter: filter.counterCode, officer: filter.officerBadge,
            status: filter.status, after: filter.after, limit: limit, seen: seen)
        if let kept = keptComplaints.value(key, generation: 0) { return kept }
        let found = try await readComplaints(under: agency, filter: filter, limit: limit)
        keptComplaints.keep(found, cost: 1, for: key, generation: 0)
        return found
    }

    func readComplaints(under agency: Int64, filter: ComplaintFilter, limit: Int) async throws -> [Complaint] {
        return try await client.withScope(agency, logger: logger) { connection in
            let agencies = try await Self.subtree(agency, on: connection, logger: logger)
            let read = ComplaintsRead.choose(agencies: agencies.count, status: filter.status)
            for setting in read.settings {
                try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL \(setting) = off"), logger: logger)
            }
            let query = Self.complaintsQuery(agencies: agencies, filter: filter, limit: limit, read: read)
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

        /// Planner settings turned off for the read's transaction. Newest first must walk the comments' index in its
        /// order and stop: where a year holds few comments (13,000 at 1M responses) the planner, which cannot know how
        /// many are complaints, chose to read them all through a bitmap and sort them (550 ms, against 12 ms).
        var settings: [String] { self == .newestFirst ? ["enable_bitmapscan", "enable_sort"] : [] }

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
        binds.append(filter.after)
        // A complaint that passes the filter, given `r`; $4–$6 are '' for "any", $8 NULL for the first page. A later
        // page starts after the complaint $8, whose time bounds the index walk (`submitted_at <=`, an index condition)
        // so that it does not step over the pages before. The scales are taken from the
        // questionnaires once (`scales`): looked up per row, each row read the questionnaire's whole definition again,
        // 6 of a province's 12 ms at 10M responses.
        let complaint = """
            r.comment IS NOT NULL AND r.submitted_at >= $2 AND r.submitted_at < $3
              AND response_not_satisfied(r.answers, (SELECT s.scale FROM scales s WHERE s.id = r.questionnaire_id))
              AND ($4 = '' OR EXISTS (SELECT 1 FROM counters c WHERE c.id = r.counter_id AND c.code = $4))
              AND ($5 = '' OR r.officer_badge = $5 OR EXISTS (SELECT 1 FROM officers o WHERE o.id = r.officer_id AND o.badge = $5))
              AND ($6 = '' OR coalesce((SELECT cu.status FROM complaint_updates cu WHERE cu.response_id = r.id
                  ORDER BY cu.id DESC LIMIT 1), 'new') = $6)
              AND ($8::uuid IS NULL OR r.submitted_at <= (SELECT a.submitted_at FROM responses a WHERE a.id = $8)
                  AND (r.submitted_at < (SELECT a.submitted_at FROM responses a WHERE a.id = $8) OR r.id > $8))
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
                WITH scales AS MATERIALIZED (SELECT id, definition -> 'scale' AS scale FROM questionnaires), picked AS (\(picked))
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
}
