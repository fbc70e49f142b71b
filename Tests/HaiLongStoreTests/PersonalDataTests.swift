import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// Retention, erasure on request, and expired sessions and pairing codes (Luật 91/2025/QH15): personal data goes,
/// everything the figures are made of stays.
@Suite struct PersonalDataTests {
    static let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    /// A response with a comment and a phone number, received `daysAgo` days ago.
    func store(_ db: PostgresClient, _ fixture: Fixture, daysAgo: Double, phone: String) async throws -> UUID {
        let responses = PostgresResponseStore(client: db, logger: TestDatabase.logger, cipher: try ContactCipher(base64: Self.key))
        let id = UUID()
        let at = Date().addingTimeInterval(-daysAgo * 86_400)
        let submission = Submission(
            questionnaire: "kiosk-3", officerBadge: nil, dossierCode: "HS-\(Int(daysAgo))", levels: ["overall": 2], reasons: [],
            comment: "Cán bộ Nguyễn Văn An, gọi lại giúp tôi", submittedAt: at,
            phone: SubmissionValidator.normalisedPhone(phone))
        _ = try await responses.store(
            submission, id: id, questionnaireID: fixture.questionnaireID, source: fixture.sourceA(), receivedAt: at, rules: FlagRules())
        return id
    }

    /// Every column of the responses but the personal ones, to show they do not change.
    func facts(_ db: PostgresClient) async throws -> [String] {
        var rows: [String] = []
        for try await row in try await db.query(
            "SELECT (to_jsonb(r) - 'comment' - 'contact_enc' - 'contact_hmac')::text FROM responses r ORDER BY seq",
            logger: TestDatabase.logger
        ).decode(String.self) { rows.append(row) }
        return rows
    }

    @Test func oldCommentsAndContactsAreClearedAndNothingElse() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            let old = try await store(db, fixture, daysAgo: 400, phone: "0912 345 678")
            let recent = try await store(db, fixture, daysAgo: 10, phone: "0987 654 321")
            let before = try await facts(db)
            let personal = PersonalDataStore(client: db, logger: TestDatabase.logger)
            #expect(try await personal.purge(retentionDays: 365, dryRun: true, by: "test") == .init(comments: 1, contacts: 1))
            #expect(try await scalar(db, "SELECT count(*) FROM responses WHERE comment IS NOT NULL") == 2)
            #expect(try await personal.purge(retentionDays: 365, dryRun: false, by: "test") == .init(comments: 1, contacts: 1))
            #expect(
                try await scalar(
                    db,
                    "SELECT count(*) FROM responses WHERE id = \(old) AND comment IS NULL AND contact_enc IS NULL AND contact_hmac IS NULL")
                    == 1)
            #expect(
                try await scalar(
                    db, "SELECT count(*) FROM responses WHERE id = \(recent) AND comment IS NOT NULL AND contact_enc IS NOT NULL") == 1)
            #expect(try await facts(db) == before)
            #expect(try await personal.purge(retentionDays: 365, dryRun: false, by: "test") == .init(comments: 0, contacts: 0))
            #expect(try await scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'personal_data.purge'") == 1)
            // The guard still refuses any other change, and a comment may be cleared but never rewritten.
            await #expect(throws: (any Error).self) {
                try await db.query("UPDATE responses SET comment = 'đã sửa' WHERE id = \(recent)", logger: TestDatabase.logger)
            }
        }
    }

    @Test func aPhoneNumberIsErasedOnRequestWhateverItsSpelling() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            _ = try await store(db, fixture, daysAgo: 3, phone: "0912 345 678")
            _ = try await store(db, fixture, daysAgo: 2, phone: "0912.345.678")
            let other = try await store(db, fixture, daysAgo: 1, phone: "0987 654 321")
            let personal = PersonalDataStore(client: db, logger: TestDatabase.logger)
            #expect(try await personal.erase(phone: "+84 912 345 678", ciphers: [try ContactCipher(base64: Self.key)], by: "test") == 2)
            #expect(try await scalar(db, "SELECT count(*) FROM responses WHERE contact_enc IS NOT NULL") == 1)
            #expect(try await scalar(db, "SELECT count(*) FROM responses WHERE id = \(other) AND contact_hmac IS NOT NULL") == 1)
            #expect(
                try await scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'personal_data.erase' AND detail->>'responses' = '2'")
                    == 1)
            await #expect(throws: ValidationError.self) {
                try await personal.erase(phone: "12", ciphers: [try ContactCipher(base64: Self.key)], by: "test")
            }
        }
    }

    @Test func expiredSessionsAndPairingCodesAreDeleted() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            var policy = SessionPolicy()
            policy.bcryptCost = 4
            let users = PostgresUserStore(client: db, logger: TestDatabase.logger, policy: policy)
            _ = try await users.addUser(username: "khoa", role: .viewer, agencyCode: "P.A", password: "mật-khẩu-đủ-dài-12", by: "test")
            for _ in 1...3 { _ = try await users.signIn(username: "khoa", password: "mật-khẩu-đủ-dài-12", address: "203.0.113.9") }
            try await db.query(
                "UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash IN (SELECT token_hash FROM sessions LIMIT 2)"
            )
            try await db.query("UPDATE kiosks SET pairing_expires_at = now() - interval '1 minute' WHERE id = \(fixture.kioskA.id)")
            let deleted = try await PersonalDataStore(client: db, logger: TestDatabase.logger)
                .deleteExpired(sessionIdle: policy.idleTimeout, sessionAbsolute: policy.absoluteTimeout)
            #expect(deleted.sessions == 2 && deleted.pairingCodes == 1)
            #expect(try await scalar(db, "SELECT count(*) FROM sessions") == 1)
            #expect(try await scalar(db, "SELECT count(*) FROM kiosks WHERE pairing_code_hash IS NOT NULL") == 1)
        }
    }
}
