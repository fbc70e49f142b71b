import Foundation
import HaiLongCore
import PostgresNIO

/// What the administrators' accountability pages need beyond the accountability store itself: the stores on the
/// dashboard's client, the files attached to a subtree's violations, and the officer a complaint named.
extension PostgresDashboardStore {
    public var accountability: PostgresAccountabilityStore { PostgresAccountabilityStore(client: client, logger: logger) }
    public var emulation: PostgresEmulationStore { PostgresEmulationStore(client: client, logger: logger) }

    /// Violation id → its evidence files (id and file name, oldest first), for the violations at `agency` and below
    /// that occurred in `year`; read in a transaction held to `agency`'s subtree.
    public func evidenceFiles(under agency: Agency, year: Int) async throws -> [Int64: [(id: Int64, name: String)]] {
        try await client.withScope(agency.id, logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT e.violation_id, e.id, e.file_name FROM violation_evidence e JOIN violations v ON v.id = e.violation_id
                WHERE v.agency_id IN (SELECT id FROM agency_subtree(\(agency.id))) AND extract(year FROM v.occurred_on) = \(year)
                ORDER BY e.id
                """, logger: logger)
            var files: [Int64: [(id: Int64, name: String)]] = [:]
            for try await (violation, id, name) in rows.decode((Int64, Int64, String).self) {
                files[violation, default: []].append((id, name))
            }
            return files
        }
    }

    /// The agency code and officer badge of a rating at `agency` or below (the badge as typed when no officer was
    /// matched), or nil when there is no such rating there.
    public func complaintOfficer(_ id: UUID, under agency: Agency) async throws -> (agency: String, badge: String?)? {
        try await client.withScope(agency.id, logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT coalesce(oa.code, a.code), coalesce(o.badge, r.officer_badge)
                FROM responses r JOIN agencies a ON a.id = r.agency_id
                LEFT JOIN officers o ON o.id = r.officer_id LEFT JOIN agencies oa ON oa.id = o.agency_id
                WHERE r.id = \(id) AND r.agency_id IN (SELECT id FROM agency_subtree(\(agency.id)))
                """, logger: logger)
            for try await (code, badge) in rows.decode((String, String?).self) { return (code, badge) }
            return nil
        }
    }
}
