import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// `HAILONG_DATA_KEY` can be rotated: every sealed contact names its key, `rotateDataKey` re-seals the older ones under
/// the new key with new look-up hashes, leaves alone what no given key opens, and can be run again safely.
@Suite struct KeyRotationTests {
    static func key(_ seed: UInt8) throws -> ContactCipher {
        try ContactCipher(base64: Data((0..<32).map { UInt8($0) &* 13 &+ seed }).base64EncodedString())
    }

    @Test func contactsAreResealedUnderTheNewKeyAndStillFound() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let (old, new, lost) = (try Self.key(1), try Self.key(2), try Self.key(3))
            #expect(old.keyID != new.keyID)
            var ids: [UUID] = []
            for (index, (phone, cipher)) in [("0912345678", old), ("0987654321", old), ("0912345678", lost)].enumerated() {
                let id = UUID()
                ids.append(id)
                let store = PostgresResponseStore(client: client, logger: TestDatabase.logger, cipher: cipher)
                let submission = Submission(
                    questionnaire: "kiosk-3", officerBadge: nil, dossierCode: "D-\(index)", levels: ["overall": 1], reasons: [],
                    comment: nil, submittedAt: time("2026-11-23T09:00:00+07:00").addingTimeInterval(Double(index) * 600), phone: phone)
                _ = try await store.store(
                    submission, id: id, questionnaireID: fixture.questionnaireID, source: fixture.sourceA(),
                    receivedAt: time("2026-11-23T09:00:01+07:00"), rules: FlagRules())
            }
            let personal = PersonalDataStore(client: client, logger: TestDatabase.logger)
            let first = try await personal.rotateDataKey(to: new, from: [old], batch: 1, by: "test")
            #expect(first.resealed == 2 && first.unreadable == 1)
            // Under the new key: it opens them, the old one does not, and the new look-up hash finds them.
            let rows = try await client.query("SELECT id, contact_enc FROM responses WHERE contact_enc IS NOT NULL ORDER BY seq")
            let sealed = try await collect(rows.decode((UUID, Data).self))
            #expect(try new.open(sealed[0].1, responseID: ids[0]) == "0912345678")
            #expect(try new.open(sealed[1].1, responseID: ids[1]) == "0987654321")
            #expect(throws: (any Error).self) { try old.open(sealed[0].1, responseID: ids[0]) }
            #expect(!sealed[2].1.starts(with: new.prefix), "a contact no given key opens is left as it was")
            let found = try await scalar(client, "SELECT count(*) FROM responses WHERE contact_hmac = \(new.lookupHash("0987654321"))")
            #expect(found == 1)
            // Again: nothing left to do but the one no key opens; with its key, that one too.
            let again = try await personal.rotateDataKey(to: new, from: [old], by: "test")
            #expect(again.resealed == 0 && again.unreadable == 1)
            let last = try await personal.rotateDataKey(to: new, from: [old, lost], by: "test")
            #expect(last.resealed == 1 && last.unreadable == 0)
            // Erasure after rotation finds both rows of the number by the new key's hash.
            #expect(try await personal.erase(phone: "0912 345 678", ciphers: [new], by: "test") == 2)
            #expect(try await scalar(client, "SELECT count(*) FROM audit_log WHERE action = 'personal_data.rotate_key'") == 3)
        }
    }
}
