import Foundation
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongStore

/// The agency tree (sql/0032) is what walking down `parent_id` gives, whatever changed the agencies: agencies added
/// one by one and a parent with its children in one statement, a subtree moved, an agency removed. The subtree and the
/// scope functions answer from it, and the service's role can read it only through them.
@Suite struct AgencyTreeTests {
    /// Every (ancestor, agency, depth) found by walking down from every agency, sorted.
    static let walk = """
        WITH RECURSIVE down AS (
            SELECT id AS ancestor_id, id, 0 AS depth FROM agencies
            UNION ALL
            SELECT d.ancestor_id, a.id, d.depth + 1 FROM agencies a JOIN down d ON a.parent_id = d.id
        )
        SELECT ancestor_id || '>' || id || '@' || depth FROM down ORDER BY 1
        """

    static func lines(_ client: PostgresClient, _ sql: String) async throws -> [String] {
        var lines: [String] = []
        for try await line in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(String.self) { lines.append(line) }
        return lines
    }

    static func expectTreeIsTheWalk(_ client: PostgresClient, _ comment: Comment) async throws {
        let kept = try await lines(client, "SELECT ancestor_id || '>' || id || '@' || depth FROM agency_tree ORDER BY 1")
        let walked = try await lines(client, walk)
        #expect(kept == walked, comment)
        #expect(!kept.isEmpty)
    }

    @Test func theTreeIsTheWalkDownAfterEveryChange() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            try await Self.expectTreeIsTheWalk(client, "the fixture")
            // One by one, three levels below department A.
            let district = try await fixture.directory.addAgency(
                code: "P.A.1", name: "Phòng 1", parentCode: fixture.agencyA.code, kind: "department")
            _ = try await fixture.directory.addAgency(code: "P.A.1.x", name: "Tổ x", parentCode: "P.A.1", kind: "department")
            try await Self.expectTreeIsTheWalk(client, "added one by one")
            // A parent and its children in one statement.
            try await client.query(
                """
                INSERT INTO agencies (code, name, kind, parent_id)
                SELECT 'Q', 'Quận', 'district', \(fixture.province.id)
                UNION ALL SELECT 'Q.1', 'Phường 1', 'commune', currval(pg_get_serial_sequence('agencies', 'id'))
                """)
            try await Self.expectTreeIsTheWalk(client, "a parent and a child in one statement")
            // A subtree moved under another department, then an agency removed (one without history: audited ones cannot be).
            try await client.query("UPDATE agencies SET parent_id = \(fixture.agencyB.id) WHERE id = \(district)")
            try await Self.expectTreeIsTheWalk(client, "a subtree moved")
            try await client.query("DELETE FROM agencies WHERE code = 'Q.1'")
            try await Self.expectTreeIsTheWalk(client, "an agency removed")
            // The subtree function answers from the tree: B's subtree now holds the moved district and its team.
            let team = try #require(try await fixture.directory.agency(code: "P.A.1.x")).id
            let subtree = try await Self.lines(client, "SELECT id::text FROM agency_subtree(\(fixture.agencyB.id)) ORDER BY id")
            #expect(subtree == [fixture.agencyB.id, district, team].sorted().map(String.init))
        }
    }

    @Test func theServiceRoleReadsTheTreeOnlyThroughTheScope() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            try await client.withConnection { connection in
                try await connection.query("SET ROLE hailong_runtime", logger: TestDatabase.logger)
                try await connection.query(
                    "SELECT set_config('hailong.scope', \(String(fixture.agencyA.id)), false)", logger: TestDatabase.logger)
                // The scope's agencies, through the policy.
                var seen: [Int64] = []
                for try await id in try await connection.query("SELECT id FROM agencies ORDER BY id", logger: TestDatabase.logger)
                    .decode(Int64.self)
                {
                    seen.append(id)
                }
                #expect(seen == [fixture.agencyA.id])
                // The tree itself: refused.
                await #expect(throws: PSQLError.self) {
                    try await connection.query("SELECT count(*) FROM agency_tree", logger: TestDatabase.logger)
                }
                try await connection.query("RESET ROLE", logger: TestDatabase.logger)
                try await connection.query("RESET hailong.scope", logger: TestDatabase.logger)
            }
        }
    }
}
