import Foundation
import HaiLongCore
import PostgresNIO

extension PostgresReportStore {
    /// The year's complaints (not-satisfied ratings with a comment, submitted in `[from, to)`) at `agency` and below,
    /// and how many of them are resolved; the year's inspections by kind and violations by decision.
    public func accountability(under agency: Agency, year: Int, from: Date, to: Date) async throws -> ReportAccountability {
        try await transaction(within: agency) { connection in
            let rows = try await connection.query(
                """
                WITH tree AS (SELECT id FROM agency_subtree(\(agency.id))),
                complaints AS (
                    SELECT (SELECT cu.status FROM complaint_updates cu WHERE cu.response_id = r.id ORDER BY cu.id DESC LIMIT 1) AS status
                    FROM responses r JOIN questionnaires q ON q.id = r.questionnaire_id
                    WHERE r.agency_id IN (SELECT id FROM tree) AND r.comment IS NOT NULL
                      AND r.submitted_at >= \(from) AND r.submitted_at < \(to)
                      AND response_not_satisfied(r.answers, q.definition -> 'scale')),
                decided AS (
                    SELECT coalesce(d.status, 'reported') AS status FROM violations v
                    LEFT JOIN violation_decisions d ON d.violation_id = v.id
                    WHERE v.agency_id IN (SELECT id FROM tree) AND extract(year FROM v.occurred_on) = \(year))
                SELECT (SELECT count(*)::int FROM complaints), (SELECT count(*)::int FROM complaints WHERE status = 'resolved'),
                    (SELECT count(*)::int FROM inspections i WHERE i.agency_id IN (SELECT id FROM tree)
                        AND extract(year FROM i.held_on) = \(year) AND i.kind = 'planned'),
                    (SELECT count(*)::int FROM inspections i WHERE i.agency_id IN (SELECT id FROM tree)
                        AND extract(year FROM i.held_on) = \(year) AND i.kind = 'unannounced'),
                    (SELECT count(*)::int FROM decided WHERE status = 'reported'),
                    (SELECT count(*)::int FROM decided WHERE status = 'confirmed'),
                    (SELECT count(*)::int FROM decided WHERE status = 'dismissed')
                """, logger: logger)
            for try await row in rows.decode((Int, Int, Int, Int, Int, Int, Int).self) {
                return ReportAccountability(
                    complaintsReceived: row.0, complaintsResolved: row.1, inspectionsPlanned: row.2, inspectionsUnannounced: row.3,
                    violationsReported: row.4, violationsConfirmed: row.5, violationsDismissed: row.6)
            }
            return ReportAccountability()
        }
    }
}
