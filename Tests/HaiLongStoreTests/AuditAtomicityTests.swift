import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// A change and its audit row are one transaction: when the audit row cannot be written, the change does not happen
/// either (and a change that failed leaves no audit row). A trigger that refuses every audit insert stands in for
/// whatever could make the second statement fail after the first had committed.
@Suite struct AuditAtomicityTests {
    @Test func noChangeHappensWithoutItsAuditRow() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            var policy = SessionPolicy()
            policy.bcryptCost = 4
            let users = PostgresUserStore(client: client, logger: TestDatabase.logger, policy: policy)
            _ = try await users.addUser(username: "an.nv", role: .agencyAdmin, agencyCode: "P.A", password: "mật khẩu dài 1", by: "t")
            let before = try await Self.counts(client)
            try await client.query(
                """
                CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$
                """, logger: TestDatabase.logger)
            try await client.query(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
                logger: TestDatabase.logger)
            let directory = fixture.directory
            let attempts: [(String, @Sendable () async throws -> Void)] = [
                ("agency", { _ = try await directory.addAgency(code: "P.C", name: "Xã Mới", parentCode: "P", kind: "commune") }),
                ("counter", { _ = try await directory.addCounter(agencyCode: "P.A", code: "Q9", name: "Quầy 9", by: "an.nv") }),
                (
                    "officer",
                    {
                        _ = try await directory.addOfficer(
                            agencyCode: "P.A", badge: "B-9", name: "Lê Thị Chín", counterCode: nil, title: nil)
                    }
                ),
                ("kiosk", { _ = try await directory.addKiosk(agencyCode: "P.A", counterCode: nil, label: "K9", by: "an.nv") }),
                ("token", { _ = try await directory.addToken(name: "t9", role: .par, agencyCode: "P") }),
                ("pairing", { _ = try await directory.pairKiosk(code: fixture.kioskB.pairingCode) }),
                ("sign-in", { _ = try await users.signIn(username: "an.nv", password: "mật khẩu dài 1", address: "127.0.0.1") }),
            ]
            for (name, attempt) in attempts {
                await #expect(throws: (any Error).self, "\(name) happened without its audit row") { try await attempt() }
            }
            #expect(try await Self.counts(client) == before)
            // The kiosk's pairing code still works once the log is back: the failed pairing consumed nothing.
            try await client.query("DROP TRIGGER refuse_audit ON audit_log", logger: TestDatabase.logger)
            #expect(try await directory.pairKiosk(code: fixture.kioskB.pairingCode) != nil)
        }
    }

    /// Rows in every table the attempts above would change, and in the audit log.
    static func counts(_ client: PostgresClient) async throws -> [Int] {
        var counts: [Int] = []
        for table in ["agencies", "counters", "officers", "kiosks", "api_tokens", "sessions", "audit_log"] {
            counts.append(try await scalar(client, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")))
        }
        counts.append(try await scalar(client, "SELECT count(*) FROM kiosks WHERE pairing_code_hash IS NULL"))
        return counts
    }
}
