import Crypto
import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// Inspections, violations, their decisions and evidence (sql/0021). Nothing is updated or deleted: a violation is
/// reported, then confirmed or dismissed once, with a reason; every step is audited in its own transaction. `within`
/// is the caller's agency: what lies outside its subtree is "not found", and row-level security holds the transaction
/// to it as well; `nil` (the command line) reaches everything.
public struct PostgresAccountabilityStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The catalogue of norms, by group and code.
    public func norms() async throws -> [ViolationNorm] {
        let rows = try await client.query(
            "SELECT code, group_code, name_vi, name_en FROM violation_norms WHERE active ORDER BY group_code, code", logger: logger)
        var norms: [ViolationNorm] = []
        for try await (code, group, vi, en) in rows.decode((String, String, String, String).self) {
            norms.append(ViolationNorm(code: code, group: group, nameVi: vi, nameEn: en))
        }
        return norms
    }

    /// Adds a province's own norm under one of the four groups (the command line; audited).
    public func addNorm(_ norm: ViolationNorm, by actor: String) async throws {
        do {
            try await transaction(within: nil) { connection in
                try await connection.query(
                    """
                    INSERT INTO violation_norms (code, group_code, name_vi, name_en)
                    VALUES (\(norm.code), \(norm.group), \(norm.nameVi), \(norm.nameEn))
                    """, logger: logger)
                try await connection.record(
                    AuditRecord(actor: actor, action: "violation.norm_add", agencyID: nil, subject: norm.code), logger: logger)
            }
        } catch  where StoreError.isUniqueViolation(error) {
            throw StoreError.duplicate(field: "code", value: norm.code)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23514" {
            throw ValidationError(
                field: "norm",
                reason: "code: a-z, 0-9 and _ (at most 40); group: tinh_than_thai_do, giao_tiep_ung_xu, dao_duc_loi_song or trang_phuc")
        }
    }

    /// Records an inspection held at `agency`; returns its id.
    public func addInspection(
        agency: Agency, heldOn: LocalDate, kind: String, team: String, findings: String?, by actor: String, within scope: Agency?
    ) async throws -> Int64 {
        guard ["planned", "unannounced"].contains(kind) else {
            throw ValidationError(field: "kind", reason: "must be planned or unannounced")
        }
        guard !team.isEmpty, team.count <= 500 else { throw ValidationError(field: "team", reason: "must be 1–500 characters") }
        guard (findings ?? "").count <= 4000 else { throw ValidationError(field: "findings", reason: "must be at most 4000 characters") }
        return try await transaction(within: scope) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO inspections (agency_id, held_on, kind, team, findings, recorded_by)
                SELECT id, \(heldOn.description)::date, \(kind), \(team), \(findings), \(actor) FROM agencies WHERE id = \(agency.id)
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) {
                try await connection.record(
                    AuditRecord(
                        actor: actor, action: "inspection.add", agencyID: agency.id, subject: "inspection \(id) \(heldOn) (\(kind))"),
                    logger: logger)
                return id
            }
            throw StoreError.notFound(field: "agency", value: agency.code)
        }
    }

    /// Reports a violation by an officer of `agency` (status `reported`); returns its id.
    public func report(_ report: ViolationReport, agency: Agency, by actor: String, within scope: Agency?) async throws -> Int64 {
        let description = report.description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !description.isEmpty, description.count <= 4000 else {
            throw ValidationError(field: "note", reason: "must be 1–4000 characters")
        }
        if report.inspectionID != nil, report.source != .inspection {
            throw ValidationError(field: "source", reason: "must be inspection when an inspection is named")
        }
        if report.responseID != nil, report.source != .complaint {
            throw ValidationError(field: "source", reason: "must be complaint when a complaint is named")
        }
        return try await transaction(within: scope) { connection in
            // Each reference must be real and belong to the agency (an inspection or complaint of its subtree).
            let rows = try await connection.query(
                """
                SELECT (SELECT id FROM officers WHERE agency_id = \(agency.id) AND badge = \(report.badge)),
                    EXISTS (SELECT FROM violation_norms WHERE code = \(report.norm) AND active),
                    \(report.inspectionID)::bigint IS NULL OR EXISTS (SELECT FROM inspections WHERE id = \(report.inspectionID)
                        AND agency_id IN (SELECT id FROM agency_subtree(\(agency.id)))),
                    \(report.responseID)::uuid IS NULL OR EXISTS (SELECT FROM responses WHERE id = \(report.responseID)
                        AND agency_id IN (SELECT id FROM agency_subtree(\(agency.id))))
                """, logger: logger)
            var checks: (Int64?, Bool, Bool, Bool) = (nil, false, false, false)
            for try await row in rows.decode((Int64?, Bool, Bool, Bool).self) { checks = row }
            guard let officerID = checks.0 else {
                throw ValidationError(field: "officer", reason: "no officer '\(report.badge)' at \(agency.code)")
            }
            guard checks.1 else { throw ValidationError(field: "norm", reason: "unknown norm '\(report.norm)' (hailong violation norms)") }
            guard checks.2 else { throw ValidationError(field: "inspection", reason: "no such inspection at \(agency.code)") }
            guard checks.3 else { throw ValidationError(field: "complaint", reason: "no such rating at \(agency.code)") }
            let inserted = try await connection.query(
                """
                INSERT INTO violations (agency_id, officer_id, occurred_on, norm, source, inspection_id, response_id, description, reported_by)
                VALUES (\(agency.id), \(officerID), \(report.occurredOn.description)::date, \(report.norm), \(report.source.rawValue),
                    \(report.inspectionID), \(report.responseID), \(description), \(actor))
                RETURNING id
                """, logger: logger)
            for try await id in inserted.decode(Int64.self) {
                try await connection.record(
                    AuditRecord(
                        actor: actor, action: "violation.report", agencyID: agency.id,
                        subject: "violation \(id): \(agency.code)/\(report.badge) \(report.norm) \(report.occurredOn)",
                        detail: ["source": report.source.rawValue]),
                    logger: logger)
                return id
            }
            throw StoreError.notFound(field: "violation", value: "")
        }
    }

    /// Confirms or dismisses a reported violation, once, with a reason.
    public func decide(_ id: Int64, status: ViolationStatus, reason: String, by actor: String, within scope: Agency?) async throws {
        guard status != .reported else { throw ValidationError(field: "status", reason: "must be confirmed or dismissed") }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 2000 else { throw ValidationError(field: "reason", reason: "must be 1–2000 characters") }
        do {
            try await transaction(within: scope) { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO violation_decisions (violation_id, status, reason, decided_by)
                    SELECT id, \(status.rawValue), \(reason), \(actor) FROM violations
                    WHERE id = \(id) AND (\(scope?.id)::bigint IS NULL OR agency_id IN (SELECT id FROM agency_subtree(\(scope?.id))))
                    RETURNING (SELECT agency_id FROM violations WHERE id = \(id))
                    """, logger: logger)
                for try await agencyID in rows.decode(Int64.self) {
                    try await connection.record(
                        AuditRecord(
                            actor: actor, action: "violation.\(status == .confirmed ? "confirm" : "dismiss")", agencyID: agencyID,
                            subject: "violation \(id)", detail: ["reason": String(reason.prefix(500))]),
                        logger: logger)
                    return
                }
                throw StoreError.notFound(field: "violation", value: String(id))
            }
        } catch  where StoreError.isUniqueViolation(error) {
            throw ValidationError(field: "violation", reason: "violation \(id) was already decided")
        }
    }

    /// Attaches an evidence file (its type checked by its bytes); returns its id.
    public func addEvidence(_ violationID: Int64, fileName: String, bytes: [UInt8], by actor: String, within scope: Agency?)
        async throws -> Int64
    {
        let type = try EvidenceFile.check(bytes)
        let name = String(fileName.trimmingCharacters(in: .whitespaces).prefix(200))
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return try await transaction(within: scope) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO violation_evidence (violation_id, file_name, content_type, bytes, sha256, uploaded_by)
                SELECT id, \(name.isEmpty ? "evidence" : name), \(type), \(ByteBuffer(bytes: bytes)), \(digest), \(actor) FROM violations
                WHERE id = \(violationID) AND (\(scope?.id)::bigint IS NULL OR agency_id IN (SELECT id FROM agency_subtree(\(scope?.id))))
                RETURNING id, (SELECT agency_id FROM violations WHERE id = \(violationID))
                """, logger: logger)
            for try await (id, agencyID) in rows.decode((Int64, Int64).self) {
                try await connection.record(
                    AuditRecord(
                        actor: actor, action: "violation.evidence", agencyID: agencyID, subject: "violation \(violationID)",
                        detail: ["file": name, "sha256": digest, "type": type]),
                    logger: logger)
                return id
            }
            throw StoreError.notFound(field: "violation", value: String(violationID))
        }
    }

    /// An evidence file's name, type and bytes, if it lies within the scope.
    public func evidence(_ id: Int64, within scope: Agency?) async throws -> (name: String, type: String, bytes: ByteBuffer)? {
        try await transaction(within: scope) { connection in
            let rows = try await connection.query(
                """
                SELECT e.file_name, e.content_type, e.bytes FROM violation_evidence e JOIN violations v ON v.id = e.violation_id
                WHERE e.id = \(id) AND (\(scope?.id)::bigint IS NULL OR v.agency_id IN (SELECT id FROM agency_subtree(\(scope?.id))))
                """, logger: logger)
            for try await row in rows.decode((String, String, ByteBuffer).self) { return row }
            return nil
        }
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
