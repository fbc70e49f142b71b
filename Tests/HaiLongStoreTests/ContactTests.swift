import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// Phone numbers for a call-back: encrypted with a key from the environment, findable by HMAC, never in clear.
@Suite struct ContactTests {
    static let key = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

    func submission(phone: String?) -> Submission {
        Submission(
            questionnaire: "kiosk-3", officerBadge: nil, dossierCode: "D-1", levels: ["overall": 1], reasons: ["xin_chao"],
            comment: "Gọi lại giúp tôi", submittedAt: time("2026-11-23T09:00:00+07:00"), phone: phone)
    }

    @Test func aPhoneIsStoredEncryptedAndFoundByItsHMAC() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let cipher = try ContactCipher(base64: Self.key)
            let store = PostgresResponseStore(client: client, logger: TestDatabase.logger, cipher: cipher)
            let id = UUID()
            let outcome = try await store.store(
                submission(phone: "0912345678"), id: id, questionnaireID: fixture.questionnaireID, source: fixture.sourceA(),
                receivedAt: time("2026-11-23T09:00:01+07:00"), rules: FlagRules())
            guard case .created = outcome else { Issue.record("not created"); return }
            let rows = try await client.query(
                "SELECT contact_enc, position('0912345678'::bytea in contact_enc) FROM responses WHERE contact_hmac = \(cipher.lookupHash("0912345678"))"
            )
            let found = try await collect(rows.decode((Data, Int).self))
            try #require(found.count == 1)
            let (sealed, position) = found[0]
            #expect(try cipher.open(sealed, responseID: id) == "0912345678")
            #expect(sealed.starts(with: cipher.prefix))
            // Bound to its response: the same bytes on another response do not open.
            #expect(throws: (any Error).self) { try cipher.open(sealed, responseID: UUID()) }
            #expect(position == 0)
            // A different key cannot read it, nor find it by its hash.
            let other = try ContactCipher(base64: Data(repeating: 1, count: 32).base64EncodedString())
            #expect(throws: (any Error).self) { try other.open(sealed, responseID: id) }
            #expect(other.lookupHash("0912345678") != cipher.lookupHash("0912345678"))
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE contact_hmac = \(other.lookupHash("0912345678"))") == 0)
        }
    }

    @Test func withoutAKeyAPhoneIsRefusedAndNothingIsStored() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let store = PostgresResponseStore(client: client, logger: TestDatabase.logger)
            await #expect {
                try await store.store(
                    submission(phone: "0912345678"), id: UUID(), questionnaireID: fixture.questionnaireID,
                    source: fixture.sourceA(), receivedAt: time("2026-11-23T09:00:01+07:00"), rules: FlagRules())
            } throws: { error in
                (error as? ValidationError)?.field == "contact"
            }
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 0)
        }
    }

    @Test(arguments: ["", "c2hvcnQ=", "not base64 at all"])
    func aBadKeyStopsStartUpNamingTheVariable(_ key: String) {
        #expect(throws: ConfigurationError.self) { try ContactCipher(base64: key) }
    }
}
