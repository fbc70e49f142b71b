import Foundation
import HaiLongCore
import HaiLongTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import HaiLongStore

/// Group commit: many responses per transaction, each answered after its batch's COMMIT, and one bad row never
/// failing or losing the others.
@Suite struct GroupCommitTests {
    func pending(
        _ fixture: Fixture, level: Int = 3, at tap: Date, source: ResponseSource, dossier: String? = nil, id: UUID = UUID(),
        questionnaireID: Int? = nil
    ) -> PendingResponse {
        let submission = Submission(
            questionnaire: "kiosk-3", officerBadge: nil, dossierCode: dossier, levels: ["overall": level], reasons: [],
            comment: nil, submittedAt: tap)
        return PendingResponse(
            submission: submission, id: id, questionnaireID: questionnaireID ?? fixture.questionnaireID, source: source,
            receivedAt: tap, rules: FlagRules(), requestHash: PostgresResponseStore.requestHash(submission, source: source),
            answers: #"{"overall": \#(level)}"#, contact: nil)
    }

    @Test func concurrentRequestsShareTransactionsAndEveryOneIsStoredOnce() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let sizes = Mutex<[Int]>([])
            // One batch in flight at a time: whatever arrives meanwhile must wait and go together.
            let store = PostgresResponseStore(
                client: client, logger: TestDatabase.logger, maxBatch: 64, maxInFlight: 1,
                onBatch: { size, _ in sizes.withLock { $0.append(size) } })
            let base = time("2026-11-23T09:00:00+07:00")
            let outcomes = try await withThrowingTaskGroup(of: StoreOutcome.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let submission = Submission(
                            questionnaire: "kiosk-3", officerBadge: nil, dossierCode: "HS-\(index)", levels: ["overall": 1 + index % 3],
                            reasons: [], comment: nil, submittedAt: base.addingTimeInterval(Double(index) * 10))
                        return try await store.store(
                            submission, id: UUID(), questionnaireID: fixture.questionnaireID, source: fixture.sourceA(),
                            receivedAt: base.addingTimeInterval(3000), rules: FlagRules())
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.count == 300)
            #expect(outcomes.allSatisfy { if case .created = $0 { true } else { false } })
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 300)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 300)
            let recorded = sizes.withLock { $0 }
            #expect(recorded.reduce(0, +) == 300)
            #expect(recorded.max()! > 1, "no batch held more than one response: \(recorded)")
            #expect(recorded.max()! <= 64)
            // Taps 10 s apart on one kiosk: none is a rapid repeat, whichever batch it landed in.
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE 'rapid_repeat' = ANY (flags)") == 0)
        }
    }

    @Test func aBadRowInABatchFailsAloneAndTheOthersAreStored() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let writer = BatchWriter(client: client, logger: TestDatabase.logger)
            let tap = time("2026-11-23T09:00:00+07:00")
            let batch = [
                pending(fixture, at: tap, source: fixture.sourceA()),
                // No such questionnaire: the foreign key fails the batch's INSERT.
                pending(fixture, at: tap.addingTimeInterval(30), source: fixture.sourceA(), questionnaireID: 999_999),
                pending(fixture, at: tap.addingTimeInterval(60), source: fixture.sourceB()),
            ]
            let results = await writer.write(batch)
            #expect(results.count == 3)
            guard case .success(.created) = results[0], case .failure = results[1], case .success(.created) = results[2] else {
                Issue.record("unexpected results: \(results)")
                return
            }
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 2)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 2)
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE id = \(batch[1].id)") == 0)
        }
    }

    @Test func aKeyTwiceInOneBatchIsWrittenOnceAndAnsweredLikeAReplay() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let writer = BatchWriter(client: client, logger: TestDatabase.logger)
            let tap = time("2026-11-23T09:00:00+07:00")
            let id = UUID()
            let first = pending(fixture, level: 3, at: tap, source: fixture.sourceA(), id: id)
            let results = await writer.write([
                first, first, pending(fixture, level: 1, at: tap, source: fixture.sourceA(), id: id),
            ])
            guard case .success(.created(let stored)) = results[0] else {
                Issue.record("first not created: \(results)")
                return
            }
            #expect(try results[1].get() == .replayed(stored))
            #expect(try results[2].get() == .keyReused)
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 1)
        }
    }

    @Test func responsesInOneBatchSeeEachOtherForFlags() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let writer = BatchWriter(client: client, logger: TestDatabase.logger)
            let tap = time("2026-11-23T09:00:00+07:00")
            let results = await writer.write([
                pending(fixture, at: tap, source: fixture.sourceA(), dossier: "HS-1"),
                pending(fixture, at: tap.addingTimeInterval(2), source: fixture.sourceA(), dossier: "HS-1"),
                pending(fixture, at: tap.addingTimeInterval(2), source: fixture.sourceB(), dossier: "HS-1"),
            ])
            let flags = try results.map { result -> [Flag] in
                let outcome = try result.get()
                guard case .created(let stored) = outcome else {
                    Issue.record("not created: \(outcome)")
                    return []
                }
                return stored.flags
            }
            try #require(flags.count == 3)
            #expect(flags[0] == [])
            // Two seconds after the same kiosk's tap, for a dossier already rated on this channel at this agency.
            #expect(flags[1] == [.duplicateDossier, .rapidRepeat])
            // Another agency's kiosk: neither applies.
            #expect(flags[2] == [])
        }
    }

    @Test func tapsOutsideTheAgencysOpeningHoursAreFlaggedInheritedFromTheProvince() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let hours = try OpeningHours(parsing: "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30")
            let json = String(decoding: try JSONEncoder().encode(hours), as: UTF8.self)
            // Set on the province only: its departments and communes inherit them.
            try await client.query("UPDATE agencies SET opening_hours = \(json)::jsonb WHERE code = 'P'", logger: TestDatabase.logger)
            let cases: [(String, Bool)] = [
                ("2026-11-23T09:00:00+07:00", false),  // Monday morning
                ("2026-11-23T12:15:00+07:00", true),  // Monday lunch break
                ("2026-11-23T17:00:00+07:00", true),  // closing time itself
                ("2026-11-28T10:00:00+07:00", false),  // Saturday morning
                ("2026-11-29T10:00:00+07:00", true),  // Sunday
                ("2026-11-23T01:30:00Z", false),  // 08:30 in Hà Nội, though 01:30 UTC
            ]
            for (index, (text, outside)) in cases.enumerated() {
                let source = index.isMultiple(of: 2) ? fixture.sourceA() : fixture.sourceB()
                let outcome = try await fixture.rate(2, at: time(text), source: source, dossier: "HS-\(index)")
                guard case .created(let stored) = outcome else {
                    Issue.record("not created: \(outcome)")
                    continue
                }
                #expect(stored.flags.contains(.outsideHours) == outside, "\(text)")
            }
            // Without opening hours anywhere up the tree, nothing is flagged.
            try await client.query("UPDATE agencies SET opening_hours = NULL", logger: TestDatabase.logger)
            let late = try await fixture.rate(2, at: time("2026-11-29T22:00:00+07:00"), source: fixture.sourceA(), dossier: "HS-x")
            guard case .created(let stored) = late else {
                Issue.record("not created: \(late)")
                return
            }
            #expect(!stored.flags.contains(.outsideHours))
        }
    }

    /// The ingest statement reads opening hours in SQL (`opening_hours_open`, sql/0010): it must agree with
    /// `OpeningHours.isOpen` at every quarter hour of a week, at span edges, midnight and 24:00 included.
    @Test func openingHoursInSQLAgreeWithTheSwiftRules() async throws {
        try await withTestDatabase { client in
            let zone = "Asia/Ho_Chi_Minh"
            let specs = ["mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30", "sun 00:00-24:00; wed 23:45-24:00", "tue 00:00-00:15"]
            let week = time("2026-11-23T00:00:00+07:00")  // a Monday
            let times = stride(from: 0, to: 7 * 86_400 + 1, by: 900).map { week.addingTimeInterval(TimeInterval($0)) }
            for spec in specs {
                let hours = try OpeningHours(parsing: spec)
                let json = String(decoding: try JSONEncoder().encode(hours), as: UTF8.self)
                let rows = try await client.query(
                    "SELECT opening_hours_open(\(json)::jsonb, t, \(zone)) FROM unnest(\(times)::timestamptz[]) WITH ORDINALITY AS u (t, n) ORDER BY n",
                    logger: TestDatabase.logger)
                var inSQL: [Bool] = []
                for try await open in rows.decode(Bool.self) { inSQL.append(open) }
                let inSwift = times.map { hours.isOpen(at: $0, in: TimeZone(identifier: zone)!) }
                #expect(inSQL == inSwift, "\(spec)")
                #expect(inSwift.contains(true) && inSwift.contains(false), "\(spec) tests both answers")
            }
        }
    }
}
