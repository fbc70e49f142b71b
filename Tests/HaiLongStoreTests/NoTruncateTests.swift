import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// The append-only history cannot be emptied in bulk (row triggers do not fire on TRUNCATE): not by the runtime role,
/// which holds TRUNCATE nowhere (a rebuild of the counts is a command run as the owner), and not by the owner either.
/// The runtime role cannot rewrite history row by row either: no UPDATE or DELETE of the audit log, the publications,
/// the reviews or the migrations, and on responses only the clearing of personal columns.
@Suite struct NoTruncateTests {
    /// Whether PostgreSQL refused `sql` for want of privilege (SQLSTATE 42501), not for any other reason.
    func refused(_ client: PostgresClient, _ sql: String) async -> Bool {
        do {
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            return false
        } catch let error as PSQLError {
            return error.serverInfo?[.sqlState] == "42501"
        } catch {
            return false
        }
    }

    @Test func historyCannotBeTruncatedAndTheAuditLogIsInsertOnly() async throws {
        try await withTestDatabase(asRuntimeRole: true) { runtime in
            let fixture = try await Fixture.make(runtime)
            try await fixture.rate(3, at: Date(), source: fixture.sourceA())
            for table in ["responses", "audit_log", "flag_reviews", "complaint_updates", "agencies", "users", "publications"] {
                #expect(await refused(runtime, "TRUNCATE \(table) CASCADE"), "the runtime role truncated \(table)")
            }
            #expect(await refused(runtime, "DELETE FROM audit_log"))
            #expect(await refused(runtime, "UPDATE audit_log SET actor = 'x'"))
            for table in ["response_counts", "fresh_counts", "monthly_counts", "pending_corrections"] {
                #expect(await refused(runtime, "TRUNCATE \(table)"), "the runtime role truncated \(table)")
            }
            for sql in [
                "DELETE FROM responses", "UPDATE responses SET officer_id = NULL", "UPDATE responses SET answers = '{}'",
                "DELETE FROM publications", "UPDATE publications SET version = version", "DELETE FROM flag_reviews",
                "UPDATE complaint_updates SET note = 'x'", "DELETE FROM schema_migrations",
                "INSERT INTO schema_migrations VALUES (999, 'x', 'x')",
            ] {
                #expect(await refused(runtime, sql), "the runtime role ran: \(sql)")
            }
            // What retention and erasure need, it may: clear the personal columns.
            #expect(!(await refused(runtime, "UPDATE responses SET comment = NULL, contact_enc = NULL, contact_hmac = NULL")))
            #expect(try await scalar(runtime, "SELECT count(*) FROM responses") == 1)
        }
        try await withTestDatabase { owner in
            for table in ["responses", "audit_log", "flag_reviews", "complaint_updates"] {
                #expect(await refused(owner, "TRUNCATE \(table) CASCADE"), "the owner truncated \(table)")
            }
        }
    }
}
