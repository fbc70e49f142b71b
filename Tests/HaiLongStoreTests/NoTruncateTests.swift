import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// The append-only history cannot be emptied in bulk (row triggers do not fire on TRUNCATE): not by the runtime role,
/// which holds TRUNCATE only on the derived count tables, and not by the owner either.
@Suite struct NoTruncateTests {
    func refused(_ client: PostgresClient, _ sql: String) async -> Bool {
        do {
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            return false
        } catch {
            return true
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
            // A rebuild recomputes the derived counts: those it may still empty.
            #expect(!(await refused(runtime, "TRUNCATE response_counts, fresh_counts, monthly_counts, pending_corrections")))
            #expect(try await scalar(runtime, "SELECT count(*) FROM responses") == 1)
        }
        try await withTestDatabase { owner in
            for table in ["responses", "audit_log", "flag_reviews", "complaint_updates"] {
                #expect(await refused(owner, "TRUNCATE \(table) CASCADE"), "the owner truncated \(table)")
            }
        }
    }
}
