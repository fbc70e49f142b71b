import Foundation
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongStore

/// The retention purge and an erasure by phone number read the few responses that hold personal data through their
/// partial indexes (sql/0026), not every response: at 10M responses the purge's full read took 3 s at every start.
@Suite struct PersonalDataPlanTests {
    @Test func thePurgeAndTheErasureCanReadTheirPartialIndexes() async throws {
        try await withTestDatabase { client in
            try await client.withConnection { connection in
                // A new database's tables are small enough that a full read is cheapest; what is shown is that the
                // statements can use their indexes, which a condition that does not imply the index's would forbid.
                try await connection.query("SET enable_seqscan = off", logger: TestDatabase.logger)
                let statements = [
                    ("responses_personal_data_idx", PersonalDataStore.purge(retentionDays: 365, dryRun: true, by: "test")),
                    ("responses_personal_data_idx", PersonalDataStore.purge(retentionDays: 365, dryRun: false, by: "test")),
                    ("responses_contact_lookup_idx", PersonalDataStore.erase(lookups: [String(repeating: "ab", count: 32)], by: "test")),
                ]
                for (index, statement) in statements {
                    let rows = try await connection.query(
                        PostgresQuery(unsafeSQL: "EXPLAIN " + statement.sql, binds: statement.binds), logger: TestDatabase.logger)
                    var plan = ""
                    for try await line in rows.decode(String.self) { plan += line + "\n" }
                    #expect(plan.contains(index), "\(plan)")
                    #expect(!plan.contains("Seq Scan on responses"), "\(plan)")
                }
            }
        }
    }

    /// Every session of the service starts with JIT off (`DatabaseURL.sessionSettings`): the figures reads' plans are
    /// costed above `jit_above_cost` by a branch that never runs, and compiling them cost more than running them.
    @Test(arguments: [false, true])
    func sessionsStartWithoutJIT(asRuntimeRole: Bool) async throws {
        try await withTestDatabase(asRuntimeRole: asRuntimeRole) { client in
            let rows = try await client.query("SELECT current_setting('jit')", logger: TestDatabase.logger)
            var setting = ""
            for try await value in rows.decode(String.self) { setting = value }
            #expect(setting == "off")
        }
    }
}
