import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// `IndexStore` on PostgreSQL.
public struct PostgresIndexStore: IndexStore {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func defaultMethodology() async throws -> Methodology {
        let rows = try await client.query(
            "SELECT params::text FROM methodologies WHERE is_default", logger: logger)
        for try await params in rows.decode(String.self) {
            return try JSONDecoder().decode(Methodology.self, from: Data(params.utf8))
        }
        return .standard
    }

    public func questionnaire(code: String) async throws -> Questionnaire? {
        let rows = try await client.query(
            "SELECT definition::text FROM questionnaires WHERE code = \(code) ORDER BY version DESC LIMIT 1", logger: logger)
        for try await definition in rows.decode(String.self) {
            return try JSONDecoder().decode(Questionnaire.self, from: Data(definition.utf8))
        }
        return nil
    }

    public func agencies(under agency: Agency, depth: Depth) async throws -> [Agency] {
        let maxDepth =
            switch depth {
            case .own: 0
            case .children: 1
            case .all: 64
            }
        let rows = try await client.query(
            """
            WITH RECURSIVE tree AS (
                SELECT id, code, name, kind, parent_id, 0 AS depth, ARRAY[code] AS path FROM agencies WHERE id = \(agency.id)
                UNION ALL
                SELECT a.id, a.code, a.name, a.kind, a.parent_id, t.depth + 1, t.path || a.code
                FROM agencies a JOIN tree t ON a.parent_id = t.id WHERE t.depth < \(maxDepth)
            )
            SELECT id, code, name, kind, parent_id FROM tree ORDER BY path
            """, logger: logger)
        return try await Agency.decode(rows)
    }

    public func counts(
        for agencies: [Agency], period: Period, questionnaire: String, question: String, excludedMask: Int
    ) async throws -> [Int64: LevelCounts] {
        let roots = agencies.map(\.id)
        let rows = try await client.query(
            """
            WITH RECURSIVE sub AS (
                SELECT id, id AS root, 0 AS depth FROM agencies WHERE id = ANY(\(roots))
                UNION ALL
                SELECT a.id, sub.root, sub.depth + 1 FROM agencies a JOIN sub ON a.parent_id = sub.id WHERE sub.depth < 64
            )
            SELECT sub.root, c.level::integer,
                   coalesce(sum(c.n) FILTER (WHERE c.flag_mask & \(excludedMask) = 0), 0)::bigint,
                   coalesce(sum(c.n) FILTER (WHERE c.flag_mask & \(excludedMask) <> 0), 0)::bigint
            FROM sub
            JOIN response_counts c ON c.agency_id = sub.id
            WHERE c.day BETWEEN \(period.first.description)::date AND \(period.last.description)::date
              AND c.question = \(question)
              AND c.questionnaire_id IN (SELECT id FROM questionnaires WHERE code = \(questionnaire))
            GROUP BY sub.root, c.level
            """, logger: logger)
        var result: [Int64: LevelCounts] = [:]
        for try await (root, level, valid, excluded) in rows.decode((Int64, Int, Int64, Int64).self) {
            var counts = result[root, default: LevelCounts()]
            if valid > 0 { counts.validByLevel[level, default: 0] += Int(valid) }
            counts.excluded += Int(excluded)
            result[root] = counts
        }
        return result
    }

    public func asOf() async throws -> Date? {
        let rows = try await client.query("SELECT last_applied_at FROM aggregator_state WHERE id = 1", logger: logger)
        for try await date in rows.decode(Date?.self) { return date }
        return nil
    }
}
