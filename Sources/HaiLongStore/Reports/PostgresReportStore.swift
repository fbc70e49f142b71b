import Crypto
import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// The yearly reports and their workflow (sql/0023): a draft is made from figures, edited, submitted (frozen with the
/// sha256 of its content and its snapshot's version and sha256), then returned with a comment (the agency goes on in a
/// new draft version) or accepted. Every step is audited in its own transaction. `within` is the caller's agency:
/// what lies outside its subtree is "not found", and row-level security holds the transaction to it as well; `nil`
/// (the command line) reaches everything.
public struct PostgresReportStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let columns = """
        r.id, r.agency_id, a.code, r.year, r.kind, r.version, r.status, r.content, r.snapshot_version, r.snapshot_sha256,
        r.content_sha256, r.created_by, r.updated_by, r.updated_at, r.submitted_by, r.submitted_at, r.decided_by, r.decided_at,
        r.decision_comment
        """

    typealias Row = (
        Int64, Int64, String, Int, String, Int, String, String, Int?, String?, String?, String, String, Date, String?, Date?, String?,
        Date?, String?
    )

    static func report(_ row: Row) throws -> StoredReport {
        StoredReport(
            id: row.0, agencyID: row.1, agencyCode: row.2, year: row.3, kind: ReportKind(rawValue: row.4) ?? .agency, version: row.5,
            status: ReportStatus(rawValue: row.6) ?? .draft, content: try ReportContent.decode(row.7), snapshotVersion: row.8,
            snapshotSHA256: row.9, contentSHA256: row.10, createdBy: row.11, updatedBy: row.12, updatedAt: row.13, submittedBy: row.14,
            submittedAt: row.15, decidedBy: row.16, decidedAt: row.17, decisionComment: row.18)
    }

    // MARK: reading

    /// Every version of an agency's report of `year`, newest first.
    public func versions(agency: Agency, year: Int, kind: ReportKind, within scope: Agency?) async throws -> [StoredReport] {
        try await transaction(within: scope) { connection in
            try await Self.versions(connection, agency: agency, year: year, kind: kind, scope: scope, lock: false, logger: logger)
        }
    }

    /// The newest version of an agency's report of `year`, if there is one.
    public func latest(agency: Agency, year: Int, kind: ReportKind, within scope: Agency?) async throws -> StoredReport? {
        try await versions(agency: agency, year: year, kind: kind, within: scope).first
    }

    static func versions(
        _ connection: PostgresConnection, agency: Agency, year: Int, kind: ReportKind, scope: Agency?, lock: Bool, logger: Logger
    ) async throws -> [StoredReport] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: columns) FROM reports r JOIN agencies a ON a.id = r.agency_id
            WHERE r.agency_id = \(agency.id) AND r.year = \(year) AND r.kind = \(kind.rawValue)
              AND (\(scope?.id)::bigint IS NULL OR r.agency_id IN (SELECT id FROM agency_subtree(\(scope?.id))))
            ORDER BY r.version DESC \(unescaped: lock ? "FOR UPDATE OF r" : "")
            """, logger: logger)
        var found: [StoredReport] = []
        for try await row in rows.decode(Row.self) { found.append(try report(row)) }
        return found
    }

    /// The agencies that owe `province` a report of `year` (its direct children), each with where its report stands.
    public func standings(province: Agency, year: Int, within scope: Agency?) async throws -> [ReportStanding] {
        try await transaction(within: scope) { connection in
            let rows = try await connection.query(
                """
                SELECT c.id, c.code, c.name, c.kind, c.parent_id,
                    (SELECT r.id FROM reports r WHERE r.agency_id = c.id AND r.year = \(year) AND r.kind = 'agency'
                        ORDER BY r.version DESC LIMIT 1)
                FROM agencies c WHERE c.parent_id = \(province.id) AND (c.valid_to IS NULL OR extract(year FROM c.valid_to) >= \(year))
                ORDER BY c.code
                """, logger: logger)
            var listed: [(Agency, Int64?)] = []
            for try await (id, code, name, kind, parent, report) in rows.decode((Int64, String, String, String, Int64?, Int64?).self) {
                listed.append((Agency(id: id, code: code, name: name, kind: kind, parentID: parent), report))
            }
            var standings: [ReportStanding] = []
            for (agency, reportID) in listed {
                let versions =
                    reportID == nil
                    ? []
                    : try await Self.versions(
                        connection, agency: agency, year: year, kind: .agency, scope: nil, lock: false, logger: logger)
                standings.append(ReportStanding(agency: agency, versions: versions))
            }
            return standings
        }
    }

    /// Where `agency`'s own report of `year` stands (for the overview of those who owe it).
    public func standing(agency: Agency, year: Int, kind: ReportKind, within scope: Agency?) async throws -> ReportStanding {
        ReportStanding(agency: agency, versions: try await versions(agency: agency, year: year, kind: kind, within: scope))
    }

    /// How many of the agencies that owe `province` a report of `year` have sent it, in one query (the overview shows it
    /// on every visit; `standings` reads every agency's versions).
    public func tally(province: Agency, year: Int, within scope: Agency?) async throws -> ReportTally {
        try await transaction(within: scope) { connection in
            let rows = try await connection.query(
                """
                SELECT count(*), count(*) FILTER (WHERE r.status IN ('submitted', 'accepted')), count(*) FILTER (WHERE r.status = 'accepted')
                FROM agencies c
                LEFT JOIN LATERAL (
                    SELECT status FROM reports WHERE agency_id = c.id AND year = \(year) AND kind = 'agency' ORDER BY version DESC LIMIT 1
                ) r ON true
                WHERE c.parent_id = \(province.id) AND (c.valid_to IS NULL OR extract(year FROM c.valid_to) >= \(year))
                """, logger: logger)
            for try await (total, submitted, accepted) in rows.decode((Int, Int, Int).self) {
                return ReportTally(total: total, submitted: submitted, accepted: accepted)
            }
            return ReportTally(total: 0, submitted: 0, accepted: 0)
        }
    }

    // MARK: the workflow

    /// Makes version 1 of an agency's report of `year` as a draft; refused when the report exists.
    public func create(
        agency: Agency, year: Int, kind: ReportKind, content: ReportContent, publicationID: Int64?, by actor: String,
        within scope: Agency?
    ) async throws -> StoredReport {
        let text = try content.jsonText()
        do {
            return try await transaction(within: scope) { connection in
                try await Self.checkWithin(connection, agency: agency, scope: scope, logger: logger)
                let rows = try await connection.query(
                    """
                    INSERT INTO reports (agency_id, year, kind, version, status, content, publication_id, snapshot_version,
                        snapshot_sha256, created_by, updated_by)
                    VALUES (\(agency.id), \(year), \(kind.rawValue), 1, 'draft', \(text), \(publicationID), \(content.snapshot.version),
                        \(content.snapshot.sha256), \(actor), \(actor))
                    RETURNING id
                    """, logger: logger)
                for try await _ in rows.decode(Int64.self) {}
                try await connection.record(
                    AuditRecord(
                        actor: actor, action: "report.create", agencyID: agency.id, subject: Self.subject(agency, year, kind, 1),
                        detail: [
                            "snapshot_version": String(content.snapshot.version), "snapshot_sha256": content.snapshot.sha256,
                            "snapshot_published_for_report": String(content.snapshot.publishedForReport),
                        ]),
                    logger: logger)
                return try await Self.current(connection, agency, year, kind, scope, logger)
            }
        } catch  where StoreError.isUniqueViolation(error) {
            throw StoreError.duplicate(
                field: "year", value: "\(kind == .agency ? "report" : "consolidated report") \(year) of \(agency.code)")
        }
    }

    /// Replaces the content of the current draft (its narrative, or figures made again from a newer snapshot).
    public func saveDraft(
        agency: Agency, year: Int, kind: ReportKind, content: ReportContent, publicationID: Int64?, by actor: String,
        within scope: Agency?
    ) async throws -> StoredReport {
        let text = try content.jsonText()
        return try await transaction(within: scope) { connection in
            let draft = try await Self.lockedCurrent(connection, agency, year, kind, scope, expecting: .draft, logger)
            try await connection.query(
                """
                UPDATE reports SET content = \(text), publication_id = coalesce(\(publicationID), publication_id),
                    snapshot_version = \(content.snapshot.version), snapshot_sha256 = \(content.snapshot.sha256),
                    updated_by = \(actor), updated_at = now()
                WHERE id = \(draft.id)
                """, logger: logger)
            try await connection.record(
                AuditRecord(
                    actor: actor, action: "report.save", agencyID: agency.id, subject: Self.subject(agency, year, kind, draft.version),
                    detail: ["snapshot_version": String(content.snapshot.version)]),
                logger: logger)
            return try await Self.current(connection, agency, year, kind, scope, logger)
        }
    }

    /// Submits the current draft: from now on it cannot change; its content's sha256 is fixed.
    public func submit(agency: Agency, year: Int, kind: ReportKind, by actor: String, within scope: Agency?) async throws -> StoredReport {
        try await transaction(within: scope) { connection in
            let draft = try await Self.lockedCurrent(connection, agency, year, kind, scope, expecting: .draft, logger)
            let stored = try await connection.query("SELECT content FROM reports WHERE id = \(draft.id)", logger: logger)
            var text = ""
            for try await content in stored.decode(String.self) { text = content }
            let hash = Hex.encode(SHA256.hash(data: Data(text.utf8)))
            try await connection.query(
                """
                UPDATE reports SET status = 'submitted', content_sha256 = \(hash), submitted_by = \(actor), submitted_at = now(),
                    updated_by = \(actor), updated_at = now()
                WHERE id = \(draft.id)
                """, logger: logger)
            try await connection.record(
                AuditRecord(
                    actor: actor, action: "report.submit", agencyID: agency.id, subject: Self.subject(agency, year, kind, draft.version),
                    detail: [
                        "sha256": hash, "snapshot_version": draft.snapshotVersion.map(String.init) ?? "",
                        "snapshot_sha256": draft.snapshotSHA256 ?? "",
                    ]),
                logger: logger)
            return try await Self.current(connection, agency, year, kind, scope, logger)
        }
    }

    /// Returns (with a comment, required) or accepts the submitted current version. A returned report goes on as a new
    /// draft version with the same content; what is returned is the report's current version afterwards.
    public func decide(
        agency: Agency, year: Int, kind: ReportKind, status: ReportStatus, comment: String, by actor: String, within scope: Agency?
    ) async throws -> StoredReport {
        guard status == .returned || status == .accepted else {
            throw ValidationError(field: "decision", reason: "must be return or accept")
        }
        let comment = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == .accepted || !comment.isEmpty else {
            throw ValidationError(field: "comment", reason: "say why the report is returned")
        }
        guard comment.count <= 2000 else { throw ValidationError(field: "comment", reason: "must be at most 2000 characters") }
        return try await transaction(within: scope) { connection in
            let submitted = try await Self.lockedCurrent(connection, agency, year, kind, scope, expecting: .submitted, logger)
            try await connection.query(
                """
                UPDATE reports SET status = \(status.rawValue), decided_by = \(actor), decided_at = now(),
                    decision_comment = \(comment.isEmpty ? nil : comment)
                WHERE id = \(submitted.id)
                """, logger: logger)
            var detail = ["sha256": submitted.contentSHA256 ?? ""]
            if !comment.isEmpty { detail["comment"] = String(comment.prefix(500)) }
            try await connection.record(
                AuditRecord(
                    actor: actor, action: status == .returned ? "report.return" : "report.accept", agencyID: agency.id,
                    subject: Self.subject(agency, year, kind, submitted.version), detail: detail),
                logger: logger)
            if status == .returned {
                let next = submitted.version + 1
                try await connection.query(
                    """
                    INSERT INTO reports (agency_id, year, kind, version, status, content, publication_id, snapshot_version,
                        snapshot_sha256, created_by, updated_by)
                    SELECT agency_id, year, kind, \(next), 'draft', content, publication_id, snapshot_version, snapshot_sha256,
                        \(actor), \(actor)
                    FROM reports WHERE id = \(submitted.id)
                    """, logger: logger)
                try await connection.record(
                    AuditRecord(
                        actor: actor, action: "report.redraft", agencyID: agency.id, subject: Self.subject(agency, year, kind, next),
                        detail: ["from_version": String(submitted.version)]),
                    logger: logger)
            }
            return try await Self.current(connection, agency, year, kind, scope, logger)
        }
    }

    // MARK: deadlines

    /// The province's deadlines (the defaults when it has set none).
    public func deadlines(province: Agency) async throws -> ReportDeadlines {
        let rows = try await client.query(
            """
            SELECT agency_due_month, agency_due_day, province_due_month, province_due_day FROM report_deadlines
            WHERE agency_id = \(province.id)
            """, logger: logger)
        for try await (agencyMonth, agencyDay, provinceMonth, provinceDay) in rows.decode((Int, Int, Int, Int).self) {
            return ReportDeadlines(agencyMonth: agencyMonth, agencyDay: agencyDay, provinceMonth: provinceMonth, provinceDay: provinceDay)
        }
        return ReportDeadlines()
    }

    /// Sets the province's deadlines; audited.
    public func setDeadlines(_ deadlines: ReportDeadlines, province: Agency, by actor: String, within scope: Agency?) async throws {
        try await transaction(within: scope) { connection in
            try await Self.checkWithin(connection, agency: province, scope: scope, logger: logger)
            try await connection.query(
                """
                INSERT INTO report_deadlines (agency_id, agency_due_month, agency_due_day, province_due_month, province_due_day, updated_by)
                VALUES (\(province.id), \(deadlines.agencyMonth), \(deadlines.agencyDay), \(deadlines.provinceMonth),
                    \(deadlines.provinceDay), \(actor))
                ON CONFLICT (agency_id) DO UPDATE SET agency_due_month = excluded.agency_due_month,
                    agency_due_day = excluded.agency_due_day, province_due_month = excluded.province_due_month,
                    province_due_day = excluded.province_due_day, updated_by = excluded.updated_by, updated_at = now()
                """, logger: logger)
            try await connection.record(
                AuditRecord(
                    actor: actor, action: "report.deadlines", agencyID: province.id, subject: "report deadlines of \(province.code)",
                    detail: [
                        "agency": "\(deadlines.agencyDay)/\(deadlines.agencyMonth)",
                        "province": "\(deadlines.provinceDay)/\(deadlines.provinceMonth)",
                    ]),
                logger: logger)
        }
    }

    // MARK: helpers

    static func subject(_ agency: Agency, _ year: Int, _ kind: ReportKind, _ version: Int) -> String {
        "\(kind == .agency ? "report" : "consolidated report") \(year) \(agency.code) v\(version)"
    }

    static func checkWithin(_ connection: PostgresConnection, agency: Agency, scope: Agency?, logger: Logger) async throws {
        guard let scope else { return }
        let rows = try await connection.query(
            "SELECT \(agency.id) IN (SELECT id FROM agency_subtree(\(scope.id)))", logger: logger)
        for try await within in rows.decode(Bool.self) where within { return }
        throw StoreError.notFound(field: "agency", value: agency.code)
    }

    static func current(
        _ connection: PostgresConnection, _ agency: Agency, _ year: Int, _ kind: ReportKind, _ scope: Agency?, _ logger: Logger
    ) async throws -> StoredReport {
        guard
            let current = try await versions(connection, agency: agency, year: year, kind: kind, scope: scope, lock: false, logger: logger)
                .first
        else { throw StoreError.notFound(field: "report", value: "\(year) \(agency.code)") }
        return current
    }

    /// The current version, locked, which must be in `expecting` status.
    static func lockedCurrent(
        _ connection: PostgresConnection, _ agency: Agency, _ year: Int, _ kind: ReportKind, _ scope: Agency?, expecting: ReportStatus,
        _ logger: Logger
    ) async throws -> StoredReport {
        try await checkWithin(connection, agency: agency, scope: scope, logger: logger)
        guard
            let current = try await versions(connection, agency: agency, year: year, kind: kind, scope: scope, lock: true, logger: logger)
                .first
        else { throw StoreError.notFound(field: "report", value: "\(year) \(agency.code)") }
        guard current.status == expecting else {
            throw ValidationError(
                field: "status",
                reason: "version \(current.version) of the report is \(current.status.rawValue), not \(expecting.rawValue): it cannot "
                    + (expecting == .draft ? "change" : "be decided"))
        }
        return current
    }

    /// `body` in one transaction, held to `scope`'s subtree when one is given.
    func transaction<T: Sendable>(within scope: Agency?, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        if let scope { return try await client.withScope(scope.id, logger: logger, body) }
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }
}

extension PostgresAccountabilityStore {
    /// The yearly reports on the same database: they come with the accountability loop they report on.
    public var reports: PostgresReportStore { PostgresReportStore(client: client, logger: logger) }
}
