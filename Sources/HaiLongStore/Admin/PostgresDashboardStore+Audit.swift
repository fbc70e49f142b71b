import Foundation
import Logging
import PostgresNIO

/// One line of the audit log as its viewer shows it.
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var agencyCode: String?
    public var subject: String?
    public var detail: String
}

extension PostgresDashboardStore {
    /// The audit log, newest first, at most `limit` entries older than `before`: everything for a system admin
    /// (`agency` nil), else the entries about the agency's subtree. `actor` and `action` narrow it (an action
    /// prefix such as `flag.` matches every flag review).
    public func auditLog(
        under agency: Int64?, actor: String?, action: String?, before: Int64?, limit: Int = 100
    ) async throws -> [AuditEntry] {
        let query: PostgresQuery = """
            SELECT l.id, l.at, l.actor, l.action, a.code, l.subject, l.detail::text
            FROM audit_log l LEFT JOIN agencies a ON a.id = l.agency_id
            WHERE (\(agency)::bigint IS NULL OR l.agency_id IN (SELECT id FROM agency_subtree(\(agency))))
              AND (\(actor ?? "") = '' OR l.actor = \(actor ?? ""))
              AND (\(action ?? "") = '' OR l.action = \(action ?? "") OR l.action LIKE \((action ?? "") + "%"))
              AND (\(before)::bigint IS NULL OR l.id < \(before))
            ORDER BY l.id DESC
            LIMIT \(limit)
            """
        var entries: [AuditEntry] = []
        for try await (id, at, actor, action, code, subject, detail) in try await client.query(query, logger: logger)
            .decode((Int64, Date, String, String, String?, String?, String).self)
        {
            entries.append(AuditEntry(id: id, at: at, actor: actor, action: action, agencyCode: code, subject: subject, detail: detail))
        }
        return entries
    }
}
