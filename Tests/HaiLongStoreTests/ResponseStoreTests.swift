import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Testing

@Suite struct ResponseStoreTests {
    @Test func replayingAKeyGivesTheOriginalAnswerAndAnotherBodyIsRefused() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let id = UUID()
            let tap = time("2026-11-23T08:15:00+07:00")
            let first = try await fixture.rate(3, at: tap, source: fixture.sourceA(), id: id)
            guard case .created(let stored) = first else { Issue.record("not created: \(first)"); return }
            let replay = try await fixture.rate(3, at: tap, source: fixture.sourceA(), id: id, receivedAt: tap.addingTimeInterval(60))
            #expect(replay == .replayed(stored))
            #expect(try await fixture.rate(1, at: tap, source: fixture.sourceA(), id: id) == .keyReused)
            // Another kiosk using the same key is another request.
            #expect(try await fixture.rate(3, at: tap, source: fixture.sourceB(), id: id) == .keyReused)
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 1)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 1)
        }
    }

    @Test func fiftyConcurrentRequestsWithOneKeyStoreOneRow() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let id = UUID()
            let tap = time("2026-11-23T09:00:00+07:00")
            let outcomes = try await withThrowingTaskGroup(of: StoreOutcome.self) { group in
                for _ in 0..<50 { group.addTask { try await fixture.rate(2, at: tap, source: fixture.sourceA(), id: id) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = outcomes.filter { if case .created = $0 { true } else { false } }
            #expect(created.count == 1)
            #expect(outcomes.allSatisfy { if case .keyReused = $0 { false } else { true } })
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 1)
        }
    }

    @Test func flagsAreSetAtIngestAndNothingIsDropped() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let tap = time("2026-11-23T09:00:00+07:00")
            func flags(_ outcome: StoreOutcome) -> [Flag] {
                if case .created(let stored) = outcome { stored.flags } else { [] }
            }
            #expect(flags(try await fixture.rate(3, at: tap, source: fixture.sourceA(), officer: "B-1", dossier: "D-1")) == [])
            // 4 s later on the same kiosk: a rapid repeat; 6 s after that: not.
            #expect(flags(try await fixture.rate(3, at: tap + 4, source: fixture.sourceA(), dossier: "D-2")) == [.rapidRepeat])
            #expect(flags(try await fixture.rate(3, at: tap + 10, source: fixture.sourceA(), dossier: "D-3")) == [])
            // An offline queue flushed at once: tap times apart, received together — no rapid repeat, but late.
            let received = tap + 2 * 86_400
            #expect(
                flags(try await fixture.rate(2, at: tap + 60, source: fixture.sourceA(), dossier: "D-4", receivedAt: received)) == [.late])
            #expect(
                flags(try await fixture.rate(2, at: tap + 120, source: fixture.sourceA(), dossier: "D-5", receivedAt: received)) == [.late])
            // The same dossier rated again on this channel, an unknown badge, no dossier.
            #expect(flags(try await fixture.rate(1, at: tap + 300, source: fixture.sourceA(), dossier: "D-1")) == [.duplicateDossier])
            #expect(
                flags(try await fixture.rate(2, at: tap + 400, source: fixture.sourceA(), officer: "B-404", dossier: "D-6")) == [
                    .unknownOfficer
                ])
            #expect(flags(try await fixture.rate(2, at: tap + 500, source: fixture.sourceB())) == [.noDossier])
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 8)
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE officer_badge = 'B-404' AND officer_id IS NULL") == 1)
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE officer_badge = 'B-1' AND officer_id IS NOT NULL") == 1)
        }
    }

    @Test func responsesAreAppendOnly() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            try await fixture.rate(3, at: time("2026-11-23T09:00:00+07:00"), source: fixture.sourceA())
            await #expect(throws: (any Error).self) { try await client.query("UPDATE responses SET answers = '{\"overall\": 1}'") }
            await #expect(throws: (any Error).self) { try await client.query("DELETE FROM responses") }
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE answers ->> 'overall' = '3'") == 1)
        }
    }

    @Test func contactDataMayBePurgedAndNothingElseChanges() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let cipher = try ContactCipher(base64: Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString())
            let store = PostgresResponseStore(client: client, logger: TestDatabase.logger, cipher: cipher)
            let tap = time("2026-11-23T09:00:00+07:00")
            let id = UUID()
            let submission = Submission(
                questionnaire: "kiosk-3", officerBadge: "B-1", dossierCode: "D-1", levels: ["overall": 1], reasons: ["xin_chao"],
                comment: "Gọi lại giúp tôi", submittedAt: tap, phone: "0912345678")
            let outcome = try await store.store(
                submission, id: id, questionnaireID: fixture.questionnaireID, source: fixture.sourceA(), receivedAt: tap + 1,
                rules: FlagRules())
            guard case .created = outcome else {
                Issue.record("not created: \(outcome)")
                return
            }
            // Another response, without contact data, that the purge must not touch either.
            try await fixture.rate(3, at: tap + 60, source: fixture.sourceB(), dossier: "D-2")
            /// Each response's columns but the contact ones, as text, and whether its contact columns are set.
            func snapshot() async throws -> [(row: String, enc: Bool, hmac: Bool)] {
                try await collect(
                    try await client.query(
                        """
                        SELECT (to_jsonb(r) - 'contact_enc' - 'contact_hmac')::text, contact_enc IS NOT NULL, contact_hmac IS NOT NULL
                        FROM responses r ORDER BY seq
                        """
                    ).decode((String, Bool, Bool).self)
                ).map { (row: $0.0, enc: $0.1, hmac: $0.2) }
            }
            let before = try await snapshot()
            try #require(before.count == 2)
            #expect(before[0].enc && before[0].hmac, "the phone was stored")
            #expect(!before[1].enc && !before[1].hmac)
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE contact_hmac = \(cipher.lookupHash("0912345678"))") == 1)
            // Contact data may be purged, found by its look-up hash as a request for erasure would find it.
            try await client.query(
                "UPDATE responses SET contact_enc = NULL, contact_hmac = NULL WHERE contact_hmac = \(cipher.lookupHash("0912345678"))")
            let after = try await snapshot()
            try #require(after.count == 2)
            #expect(after.allSatisfy { !$0.enc && !$0.hmac }, "contact data left: \(after)")
            #expect(after.map(\.row) == before.map(\.row))
            #expect(before[0].row.contains(id.uuidString.lowercased()) && before[0].row.contains("Gọi lại giúp tôi"))
            // Purging and changing anything else in the same statement is refused.
            await #expect(throws: (any Error).self) {
                try await client.query("UPDATE responses SET contact_enc = NULL, comment = 'đã sửa' WHERE id = \(id)")
            }
            #expect(try await snapshot().map(\.row) == before.map(\.row))
        }
    }
}

extension Date {
    static func + (date: Date, seconds: Double) -> Date { date.addingTimeInterval(seconds) }
}
