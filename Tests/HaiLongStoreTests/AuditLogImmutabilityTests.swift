import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// The audit log, once written, stays as written for the service's runtime role: with entries in it (written by the
/// store as the service writes them), every UPDATE and DELETE is refused for lack of the privilege (sql/0018), the
/// entries are unchanged byte for byte, the role cannot switch the guard off, and it can still append. Behind the
/// privileges, the row trigger (sql/0001) refuses a change even to a role that holds UPDATE and DELETE.
/// (`NoTruncateTests` covers TRUNCATE and an empty log.)
@Suite struct AuditLogImmutabilityTests {
    /// The SQLSTATE and message of the error `sql` fails with; nil when it succeeds.
    func refusal(_ client: PostgresClient, _ sql: String) async -> (state: String, message: String)? {
        do {
            // Rows read to the end: a statement's error can come with its rows (RETURNING).
            for try await _ in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger) {}
            return nil
        } catch let error as PSQLError {
            return (error.serverInfo?[.sqlState] ?? "none", error.serverInfo?[.message] ?? "\(error)")
        } catch {
            return ("none", "\(error)")
        }
    }

    /// Every entry as text, in order.
    func entries(_ client: PostgresClient) async throws -> String {
        let rows = try await client.query(
            "SELECT string_agg(concat_ws('|', id, at, actor, action, agency_id, subject, detail), E'\\n' ORDER BY id) FROM audit_log",
            logger: TestDatabase.logger)
        for try await text in rows.decode(String?.self) { return text ?? "" }
        return ""
    }

    static let changes = [
        "UPDATE audit_log SET actor = 'someone else'",
        "UPDATE audit_log SET detail = '{}' WHERE action = 'token.revoke'",
        "UPDATE audit_log SET at = at - interval '1 day' WHERE id = (SELECT max(id) FROM audit_log)",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'token.revoke'",
        "DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log) RETURNING id",
    ]

    @Test func theRuntimeRoleCanAppendButNeitherChangeNorDeleteNorUnguard() async throws {
        try await withTestDatabase(asRuntimeRole: true) { runtime in
            #expect(try await scalar(runtime, "SELECT (current_user = 'hailong_runtime')::int") == 1)
            let fixture = try await Fixture.make(runtime)
            // Written as the service writes them: a revocation through the store, and a plain append.
            _ = try await fixture.directory.addToken(name: "Tích hợp", role: .integration, agencyCode: "P.A")
            #expect(try await fixture.directory.revokeTokens(named: "Tích hợp", by: "admin") == 1)
            try await runtime.query(
                "INSERT INTO audit_log (actor, action, subject) VALUES ('admin', 'export', 'P.A csv')", logger: TestDatabase.logger)
            let before = try await entries(runtime)
            let count = try await scalar(runtime, "SELECT count(*) FROM audit_log")
            #expect(count >= 2)

            for sql in Self.changes {
                let refused = await refusal(runtime, sql)
                #expect(refused?.state == "42501", "\(sql): \(String(describing: refused))")
                #expect(refused?.message == "permission denied for table audit_log", "\(sql): \(String(describing: refused))")
            }
            // Nor can it take the guard away: the trigger is the owner's, and skipping triggers is for superusers.
            for sql in [
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only", "SET session_replication_role = replica",
                "DROP TRIGGER audit_log_append_only ON audit_log",
            ] {
                let refused = await refusal(runtime, sql)
                #expect(refused?.state == "42501", "\(sql): \(String(describing: refused))")
            }
            #expect(try await entries(runtime) == before)
            #expect(try await scalar(runtime, "SELECT count(*) FROM audit_log WHERE action = 'token.revoke' AND actor = 'admin'") == 1)
            // Appending still works.
            try await runtime.query(
                "INSERT INTO audit_log (actor, action, subject) VALUES ('admin', 'export', 'P.A xlsx')", logger: TestDatabase.logger)
            #expect(try await scalar(runtime, "SELECT count(*) FROM audit_log") == count + 1)
        }
    }

    /// Were the runtime role given UPDATE and DELETE back (a careless GRANT), the row trigger still refuses them.
    @Test func theRowTriggerRefusesEvenARoleHoldingThePrivileges() async throws {
        try await withTestDatabase { owner in
            let fixture = try await Fixture.make(owner)
            _ = try await fixture.directory.addToken(name: "Tích hợp", role: .integration, agencyCode: "P.A")
            #expect(try await fixture.directory.revokeTokens(named: "Tích hợp", by: "admin") == 1)
            let before = try await entries(owner)
            #expect(!before.isEmpty)
            for sql in Self.changes {
                let refused: (state: String, message: String)? = try await owner.withConnection { connection in
                    try await connection.query("BEGIN", logger: TestDatabase.logger)
                    try await connection.query("GRANT UPDATE, DELETE ON audit_log TO hailong_runtime", logger: TestDatabase.logger)
                    try await connection.query("SET LOCAL ROLE hailong_runtime", logger: TestDatabase.logger)
                    try await connection.query("SET LOCAL hailong.scope = 'all'", logger: TestDatabase.logger)
                    var outcome: (state: String, message: String)? = nil
                    do {
                        for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger) {}
                    } catch let error as PSQLError {
                        outcome = (error.serverInfo?[.sqlState] ?? "none", error.serverInfo?[.message] ?? "\(error)")
                    }
                    try await connection.query("ROLLBACK", logger: TestDatabase.logger)
                    return outcome
                }
                #expect(refused?.state == "42501", "\(sql): \(String(describing: refused))")
                let operation = sql.hasPrefix("UPDATE") ? "UPDATE" : "DELETE"
                #expect(refused?.message == "audit_log is append-only: \(operation) refused", "\(sql): \(String(describing: refused))")
            }
            #expect(try await entries(owner) == before)
        }
    }
}
