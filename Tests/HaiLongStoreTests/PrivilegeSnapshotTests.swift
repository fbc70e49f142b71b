import Foundation
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// What the service's roles may do to every table, as PostgreSQL itself answers it (`has_table_privilege`,
/// `has_column_privilege`), compared with the reviewed snapshot in `privileges.snapshot`. A migration that grants or
/// revokes anything fails here until the snapshot is updated in the same change (`HAILONG_UPDATE_SNAPSHOTS=1 swift
/// test --filter PrivilegeSnapshotTests` rewrites it; read the diff).
@Suite struct PrivilegeSnapshotTests {
    static let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("privileges.snapshot")

    /// One line per role and table: the privileges held, row-level security, and the columns of a partial UPDATE.
    static func privileges(_ client: PostgresClient) async throws -> String {
        let rows = try await client.query(
            """
            SELECT r.role, c.relname::text,
                concat_ws(' ', CASE WHEN c.relrowsecurity THEN '[rls]' END,
                    (SELECT string_agg(p, ' ' ORDER BY o) FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                        'REFERENCES', 'TRIGGER']) WITH ORDINALITY AS t (p, o) WHERE has_table_privilege(r.role, c.oid, p)),
                    CASE WHEN NOT has_table_privilege(r.role, c.oid, 'UPDATE') THEN
                        (SELECT 'UPDATE(' || string_agg(a.attname, ',' ORDER BY a.attname) || ')' FROM pg_attribute a
                            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                AND has_column_privilege(r.role, c.oid, a.attnum, 'UPDATE')) END)
            FROM (VALUES ('hailong_runtime'), ('hailong_app')) AS r (role)
            CROSS JOIN pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
            ORDER BY r.role, c.relname
            """, logger: TestDatabase.logger)
        var lines: [String] = []
        for try await (role, table, privileges) in rows.decode((String, String, String).self) {
            lines.append("\(role) \(table): \(privileges)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func theRolesPrivilegesMatchTheReviewedSnapshot() async throws {
        let actual = try await withTestDatabase { client in try await Self.privileges(client) }
        if ProcessInfo.processInfo.environment["HAILONG_UPDATE_SNAPSHOTS"] == "1" {
            try Data(actual.utf8).write(to: Self.snapshot)
        }
        let expected = try String(contentsOf: Self.snapshot, encoding: .utf8)
        let drift = Set(actual.split(separator: "\n")).symmetricDifference(Set(expected.split(separator: "\n"))).sorted()
        #expect(drift.isEmpty, "privileges drifted from privileges.snapshot (lines only on one side):\n\(drift.joined(separator: "\n"))")
    }

    @Test func theRuntimeRoleOwnsNothingAndIsHeldByRowLevelSecurity() async throws {
        try await withTestDatabase { client in
            let role = try await scalar(
                client,
                """
                SELECT (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolcanlogin)::int
                    + (SELECT count(*) FROM pg_class WHERE relowner = r.oid)::int FROM pg_roles r WHERE rolname = 'hailong_runtime'
                """)
            #expect(role == 0, "hailong_runtime has an attribute or owns a relation")
            // Its login for the service may do nothing more than it, and is held by the same policies.
            let login = try await scalar(
                client, "SELECT (rolsuper OR rolbypassrls OR rolcreaterole)::int FROM pg_roles WHERE rolname = 'hailong_app'")
            #expect(login == 0)
        }
    }
}
