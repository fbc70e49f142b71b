import Foundation
import Logging
import PostgresNIO

/// One row of `audit_log`: who did what to which agency. A change and its audit row are written in the same
/// transaction (`PostgresConnection.record`), so the log holds every change that happened and none that did not.
public struct AuditRecord: Sendable {
    public var actor: String
    public var action: String
    public var agencyID: Int64?
    public var subject: String?
    public var detail: [String: String]

    public init(actor: String, action: String, agencyID: Int64?, subject: String? = nil, detail: [String: String] = [:]) {
        self.actor = actor
        self.action = action
        self.agencyID = agencyID
        self.subject = subject
        self.detail = detail
    }
}

extension PostgresConnection {
    /// Writes `entry` on this connection, inside the transaction of the change it records.
    public func record(_ entry: AuditRecord, logger: Logger) async throws {
        let detail = String(decoding: try JSONEncoder().encode(entry.detail), as: UTF8.self)
        try await query(
            """
            INSERT INTO audit_log (actor, action, agency_id, subject, detail)
            VALUES (\(entry.actor), \(entry.action), \(entry.agencyID), \(entry.subject), \(detail)::jsonb)
            """, logger: logger)
    }
}
