import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongAggregator

/// The heatmap's "not satisfied" as the aggregator counts it (JSON paths over the answers) is the one of sql/0011's
/// `response_not_satisfied` and the respondent question's containment test, answers of unexpected shapes included.
@Suite struct NotSatisfiedTests {
    @Test func oddAnswersAreCountedAsTheReferenceCountsThem() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = Aggregator(client: client, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh")
            let known = try await fixture.responses.questionnaires()
            let tap = time("2026-11-20T08:00:00+07:00")
            let web = ResponseSource(agencyID: fixture.agencyB.id, channel: .web)
            // Stored valid, then given answers the validator would have refused (a restore, a hand-made import): which
            // of them is not satisfied, as the reference says.
            let odd: [(questionnaire: String, answers: String, low: Bool)] = [
                ("kiosk-3", #"{"overall": [3]}"#, true),  // an array is not a satisfied level
                ("kiosk-3", #"{"overall": "3"}"#, true),  // nor is a string
                ("kiosk-3", #"{"overall": 3}"#, false),
                ("sipas-5", #"{"tiep_can.1": [1], "thu_tuc.2": 5}"#, false),  // the array is not an answer on the scale
                ("sipas-5", #"{"tiep_can.1": 2}"#, true),
                ("sipas-5", #"{"tiep_can.1": 5, "reasons": [1]}"#, false),
            ]
            for (index, case_) in odd.enumerated() {
                let id = UUID()
                let submission = Submission(
                    questionnaire: case_.questionnaire, officerBadge: nil, dossierCode: nil,
                    levels: case_.questionnaire == "kiosk-3" ? ["overall": 2] : ["tiep_can.1": 4], reasons: [], comment: nil,
                    submittedAt: tap + Double(index * 3_600))
                _ = try await fixture.responses.store(
                    submission, id: id, questionnaireID: known[case_.questionnaire]!.id,
                    source: case_.questionnaire == "kiosk-3" ? fixture.sourceA() : web, receivedAt: tap + Double(index * 3_600 + 1),
                    rules: FlagRules())
                try await client.withConnection { connection in
                    // Responses are append-only (sql/0001): the guard is set aside for this session's one update.
                    try await connection.query("SET session_replication_role = replica", logger: TestDatabase.logger)
                    try await connection.query(
                        "UPDATE responses SET answers = \(case_.answers)::jsonb WHERE id = \(id)", logger: TestDatabase.logger)
                    try await connection.query("RESET session_replication_role", logger: TestDatabase.logger)
                }
            }
            let expected = odd.filter(\.low).count
            try await aggregator.runUntilIdle()
            #expect(try await hourlyMismatches(client) == 0)
            #expect(try await scalar(client, "SELECT sum(not_satisfied)::bigint FROM fresh_hourly") == expected)
            try await aggregator.rebuild()
            #expect(try await hourlyMismatches(client) == 0)
            #expect(try await scalar(client, "SELECT sum(not_satisfied)::bigint FROM hourly_counts") == expected)
            // The rebuild takes the hourly cube's key away while it fills the cube, and gives it back: compaction adds
            // to it by that key.
            try await fixture.rate(1, at: tap, source: fixture.sourceA())
            try await aggregator.runUntilIdle()
            #expect(try await aggregator.compactAll() > 0)
            #expect(try await hourlyMismatches(client) == 0)
            #expect(try await scalar(client, "SELECT sum(not_satisfied)::bigint FROM hourly_counts") == expected + 1)
        }
    }
}
