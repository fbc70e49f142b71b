import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongTestSupport
import Logging
import PostgresNIO
import Testing

@testable import HaiLongStore

/// Row-level security (sql/0012), the second wall: queried directly as the service's runtime role, with no WHERE
/// clause at all, a session scoped to one agency sees only that agency's subtree, an unscoped one sees nothing, and
/// rows outside the scope can be neither written nor changed.
@Suite struct RowLevelSecurityTests {
    /// Runs `statements` on one connection acting as the runtime role under `scope`, then returns it to the owner.
    func asRuntime<T: Sendable>(
        _ client: PostgresClient, scope: String?, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("SET ROLE hailong_runtime", logger: TestDatabase.logger)
            try await connection.query("SELECT set_config('hailong.scope', \(scope ?? ""), false)", logger: TestDatabase.logger)
            let result: Result<T, any Error>
            do { result = .success(try await body(connection)) } catch { result = .failure(error) }
            try await connection.query("RESET ROLE", logger: TestDatabase.logger)
            try await connection.query("RESET hailong.scope", logger: TestDatabase.logger)
            return try result.get()
        }
    }

    func count(_ connection: PostgresConnection, _ table: String) async throws -> Int {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: TestDatabase.logger)
        for try await value in rows.decode(Int.self) { return value }
        return -1
    }

    @Test func theRuntimeRoleSeesOnlyItsScopeEvenWithoutAnyFilter() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let tap = time("2026-11-23T09:00:00+07:00")
            try await fixture.rate(3, at: tap, source: fixture.sourceA(), officer: "B-1", dossier: "A-1")
            try await fixture.rate(1, at: tap + 60, source: fixture.sourceA(), dossier: "A-2")
            try await fixture.rate(2, at: tap + 120, source: fixture.sourceB(), dossier: "B-1")
            // Cells in all three cubes (sql/0014): compacted into the daily and monthly ones, and two fresh ones.
            let aggregator = Aggregator(client: client, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh")
            try await aggregator.runUntilIdle()
            try await aggregator.compactAll()
            try await fixture.rate(3, at: tap + 180, source: fixture.sourceA(), dossier: "A-3")
            try await fixture.rate(3, at: tap + 240, source: fixture.sourceB(), dossier: "B-2")
            try await aggregator.runUntilIdle()
            let cubes = ["response_counts", "monthly_counts", "fresh_counts"]
            let tables = ["agencies", "counters", "officers", "kiosks", "responses"] + cubes
            // What the owner sees: everything.
            var all: [String: Int] = [:]
            for table in tables { all[table] = try await scalar(client, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")) }
            #expect(all["responses"] == 5 && all["agencies"] == 3 && all["kiosks"] == 2)
            // Scoped to department P.A: its own rows only; B's responses, kiosk and the other agencies are invisible.
            let scopedA = try await asRuntime(client, scope: String(fixture.agencyA.id)) { connection in
                var seen: [String: Int] = [:]
                for table in tables { seen[table] = try await count(connection, table) }
                return seen
            }
            #expect(scopedA["responses"] == 3 && scopedA["kiosks"] == 1 && scopedA["agencies"] == 1 && scopedA["officers"] == 1)
            for cube in cubes { #expect(scopedA[cube]! > 0 && scopedA[cube]! < all[cube]!, "\(cube)") }
            // Scoped to the province: the whole subtree. 'all': everything. Unset: nothing at all.
            let province = try await asRuntime(client, scope: String(fixture.province.id)) { try await count($0, "responses") }
            #expect(province == 5)
            let everything = try await asRuntime(client, scope: "all") { try await count($0, "responses") }
            #expect(everything == 5)
            for scope in [nil, "", "P.A", "1 OR true"] {
                let unscoped = try await asRuntime(client, scope: scope) { connection in
                    (try await count(connection, "responses"), try await count(connection, "agencies"))
                }
                #expect(unscoped == (0, 0), "scope \(scope ?? "unset")")
            }
            // Writing outside the scope is refused; changing B's rows changes nothing.
            let agencyB = fixture.agencyB.id
            await #expect(throws: PSQLError.self) {
                try await asRuntime(client, scope: String(fixture.agencyA.id)) { connection in
                    try await connection.query(
                        "INSERT INTO counters (agency_id, code, name) VALUES (\(agencyB), 'QX', 'Quầy lạ')", logger: TestDatabase.logger)
                }
            }
            try await asRuntime(client, scope: String(fixture.agencyA.id)) { connection in
                try await connection.query("UPDATE kiosks SET label = 'đã đổi' WHERE agency_id = \(agencyB)", logger: TestDatabase.logger)
                try await connection.query("DELETE FROM officers WHERE agency_id = \(agencyB)", logger: TestDatabase.logger)
            }
            #expect(try await scalar(client, "SELECT count(*) FROM kiosks WHERE label = 'đã đổi'") == 0)
            #expect(try await scalar(client, "SELECT count(*) FROM counters WHERE code = 'QX'") == 0)
        }
    }

    @Test func theRuntimeRoleOwnsNothingAndCannotSkipThePolicies() async throws {
        try await withTestDatabase { client in
            #expect(
                try await scalar(
                    client, "SELECT count(*) FROM pg_roles WHERE rolname = 'hailong_runtime' AND NOT rolsuper AND NOT rolbypassrls") == 1)
            #expect(
                try await scalar(
                    client, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = 'hailong_runtime'") == 0)
            // Every table holding an agency's rows has a policy; the owner alone passes (no FORCE, no owner branch).
            let held = try await scalar(
                client,
                """
                SELECT count(*) FROM pg_class WHERE relname IN ('agencies', 'counters', 'officers', 'kiosks', 'dossiers', 'responses',
                    'response_counts', 'fresh_counts', 'monthly_counts', 'publications', 'audit_log', 'users', 'sessions',
                    'flag_reviews', 'complaint_updates') AND relrowsecurity AND NOT relforcerowsecurity
                """)
            #expect(held == 15)
            // It cannot turn the policies off.
            await #expect(throws: PSQLError.self) {
                try await asRuntime(client, scope: "") { connection in
                    try await connection.query("ALTER TABLE responses DISABLE ROW LEVEL SECURITY", logger: TestDatabase.logger)
                }
            }
        }
    }

    @Test func theServiceClientActsAsTheRuntimeRoleWithEverythingInScope() async throws {
        try await withTestDatabase(asRuntimeRole: true) { client in
            let rows = try await client.query("SELECT current_user::text, current_setting('hailong.scope')", logger: TestDatabase.logger)
            let found = try await collect(rows.decode((String, String).self))
            #expect(found.count == 1)
            #expect(found.allSatisfy { role, scope in role == "hailong_runtime" && scope == "all" }, "\(found)")
            // Scoped transactions see their subtree; the connection returns to 'all' afterwards.
            let fixture = try await Fixture.make(client)
            try await fixture.rate(3, at: time("2026-11-23T09:00:00+07:00"), source: fixture.sourceB(), dossier: "B-1")
            let inA = try await client.withScope(fixture.agencyA.id, logger: TestDatabase.logger) { connection in
                let rows = try await connection.query("SELECT count(*)::int FROM responses", logger: TestDatabase.logger)
                for try await value in rows.decode(Int.self) { return value }
                return -1
            }
            #expect(inA == 0)
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 1)
        }
    }

    /// The service's own login (a member of the runtime role) stays held when it leaves the role: the policies ask for
    /// the scope, not for who the current user is, so `RESET ROLE` or `SET ROLE NONE` widens nothing.
    @Test func leavingTheRuntimeRoleWidensNothing() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        let (fixture, auditedA) = try await withClient(url) { owner in
            let fixture = try await Fixture.make(owner)
            try await fixture.rate(3, at: time("2026-11-23T09:00:00+07:00"), source: fixture.sourceA(), dossier: "A-1")
            try await fixture.rate(2, at: time("2026-11-23T09:05:00+07:00"), source: fixture.sourceB(), dossier: "B-1")
            try await owner.query(
                "INSERT INTO audit_log (actor, action, agency_id) VALUES ('t', 'x', \(fixture.agencyB.id)), ('t', 'y', NULL)",
                logger: TestDatabase.logger)
            return (fixture, try await scalar(owner, "SELECT count(*) FROM audit_log WHERE agency_id = \(fixture.agencyA.id)"))
        }
        #expect(auditedA > 0)
        try await withClient(url.asServiceLogin, asRuntimeRole: true) { login in
            let seen = try await login.withConnection { connection in
                var seen: [String] = []
                for step in ["SELECT 1", "RESET ROLE", "SET ROLE NONE"] {
                    try await connection.query(PostgresQuery(unsafeSQL: step), logger: TestDatabase.logger)
                    try await connection.query(
                        "SELECT set_config('hailong.scope', \(String(fixture.agencyA.id)), false)", logger: TestDatabase.logger)
                    let rows = try await connection.query(
                        """
                        SELECT current_user::text || ' ' || (SELECT count(*) FROM responses) || ' '
                            || (SELECT count(*) FROM audit_log) || ' ' || (SELECT count(*) FROM agencies)
                        """, logger: TestDatabase.logger)
                    for try await line in rows.decode(String.self) { seen.append(line) }
                    try await connection.query("SELECT set_config('hailong.scope', '', false)", logger: TestDatabase.logger)
                    let unscoped = try await connection.query("SELECT count(*)::text FROM responses", logger: TestDatabase.logger)
                    for try await count in unscoped.decode(String.self) { seen.append(count) }
                }
                return seen
            }
            // RESET ROLE returns to the role the connection started as; SET ROLE NONE to the login itself.
            let a = "1 \(auditedA) 1"
            #expect(seen == ["hailong_runtime \(a)", "0", "hailong_runtime \(a)", "0", "hailong_app \(a)", "0"])
        }
    }
}
