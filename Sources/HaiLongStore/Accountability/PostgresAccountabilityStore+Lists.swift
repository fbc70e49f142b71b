import Foundation
import HaiLongCore
import PostgresNIO

extension PostgresAccountabilityStore {
    /// The violations at `agency` and below, newest first; in `year` (by the day they occurred) when given.
    public func violations(under agency: Agency, year: Int?, within scope: Agency?) async throws -> [Violation] {
        try await transaction(within: scope) { connection in
            let rows = try await connection.query(
                """
                SELECT v.id, a.code, o.id, o.badge, o.name, v.occurred_on::text, v.norm, v.source, v.inspection_id, v.response_id,
                    v.description, v.reported_by, coalesce(d.status, 'reported'), d.reason, d.decided_by,
                    (SELECT count(*)::int FROM violation_evidence e WHERE e.violation_id = v.id)
                FROM violations v JOIN agencies a ON a.id = v.agency_id JOIN officers o ON o.id = v.officer_id
                LEFT JOIN violation_decisions d ON d.violation_id = v.id
                WHERE v.agency_id IN (SELECT id FROM agency_subtree(\(agency.id)))
                  AND (\(year)::integer IS NULL OR extract(year FROM v.occurred_on) = \(year))
                ORDER BY v.occurred_on DESC, v.id DESC
                LIMIT 1000
                """, logger: logger)
            var found: [Violation] = []
            for try await row in rows.decode(
                (Int64, String, Int64, String, String, String, String, String, Int64?, UUID?, String, String, String, String?, String?, Int)
                    .self)
            {
                found.append(
                    Violation(
                        id: row.0, agencyCode: row.1, officerID: row.2, badge: row.3, officerName: row.4,
                        occurredOn: LocalDate(row.5) ?? LocalDate(dayNumber: 0), norm: row.6,
                        source: ViolationSource(rawValue: row.7) ?? .other,
                        inspectionID: row.8, responseID: row.9, description: row.10, reportedBy: row.11,
                        status: ViolationStatus(rawValue: row.12) ?? .reported, reason: row.13, decidedBy: row.14, evidence: row.15))
            }
            return found
        }
    }

    /// The inspections at `agency` and below, newest first, with how many violations each led to.
    public func inspections(under agency: Agency, year: Int?, within scope: Agency?) async throws -> [Inspection] {
        try await transaction(within: scope) { connection in
            let rows = try await connection.query(
                """
                SELECT i.id, a.code, i.held_on::text, i.kind, i.team, i.findings,
                    (SELECT count(*)::int FROM violations v WHERE v.inspection_id = i.id)
                FROM inspections i JOIN agencies a ON a.id = i.agency_id
                WHERE i.agency_id IN (SELECT id FROM agency_subtree(\(agency.id)))
                  AND (\(year)::integer IS NULL OR extract(year FROM i.held_on) = \(year))
                ORDER BY i.held_on DESC, i.id DESC
                LIMIT 500
                """, logger: logger)
            var found: [Inspection] = []
            for try await (id, code, held, kind, team, findings, count) in rows.decode(
                (Int64, String, String, String, String, String?, Int).self)
            {
                found.append(
                    Inspection(
                        id: id, agencyCode: code, heldOn: LocalDate(held) ?? LocalDate(dayNumber: 0), kind: kind, team: team,
                        findings: findings, violations: count))
            }
            return found
        }
    }

    /// Officer id → the statuses of their violations that occurred in `year`, at `agency` and below.
    public func violationStatuses(under agency: Agency, year: Int) async throws -> [Int64: [ViolationStatus]] {
        let rows = try await client.query(
            """
            SELECT v.officer_id, coalesce(d.status, 'reported') FROM violations v
            LEFT JOIN violation_decisions d ON d.violation_id = v.id
            WHERE v.agency_id IN (SELECT id FROM agency_subtree(\(agency.id))) AND extract(year FROM v.occurred_on) = \(year)
            """, logger: logger)
        var statuses: [Int64: [ViolationStatus]] = [:]
        for try await (officer, status) in rows.decode((Int64, String).self) {
            statuses[officer, default: []].append(ViolationStatus(rawValue: status) ?? .reported)
        }
        return statuses
    }

    /// Agency id → confirmed violations in `year` at that agency or below it, for each of `agencies`.
    public func confirmedViolations(in agencies: [Agency], year: Int) async throws -> [Int64: Int] {
        let rows = try await client.query(
            """
            SELECT r.id, count(v.id)::int FROM unnest(\(agencies.map(\.id))::bigint[]) AS r (id)
            LEFT JOIN violations v ON v.agency_id IN (SELECT id FROM agency_subtree(r.id)) AND extract(year FROM v.occurred_on) = \(year)
                AND EXISTS (SELECT FROM violation_decisions d WHERE d.violation_id = v.id AND d.status = 'confirmed')
            GROUP BY r.id
            """, logger: logger)
        var counts: [Int64: Int] = [:]
        for try await (id, count) in rows.decode((Int64, Int).self) { counts[id] = count }
        return counts
    }

}
