import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongAggregator

/// A reviewed flag corrects the counts whether the response was counted already or not, and a rebuild agrees.
@Suite struct FlagReviewTests {
    func validOverall(_ client: PostgresClient) async throws -> Int {
        // Valid = no excluding flag (rapid_repeat 1, duplicate_dossier 2, test 4).
        try await scalar(client, "SELECT coalesce(sum(n), 0)::bigint FROM counted_cells WHERE question = 'overall' AND flag_mask & 7 = 0")
    }

    @Test func clearingAFlagMovesTheCountsAndRestoringMovesThemBack() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = Aggregator(client: client, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh")
            let tap = time("2026-11-20T08:00:00+07:00")
            try await fixture.rate(3, at: tap, source: fixture.sourceA())
            let repeated = UUID()
            try await fixture.rate(1, at: tap + 2, source: fixture.sourceA(), reasons: ["xin_chao"], id: repeated)  // rapid_repeat
            try await aggregator.runUntilIdle()
            #expect(try await validOverall(client) == 1)

            // Counted already: the aggregator applies a correction.
            let flags = try await fixture.responses.review(
                responseID: repeated, flag: .rapidRepeat, action: .clear, note: "hai người dân khác nhau", reviewedBy: "admin")
            #expect(!flags.contains(.rapidRepeat))
            #expect(try await validOverall(client) == 1)  // not yet applied
            try await aggregator.runUntilIdle()
            #expect(try await validOverall(client) == 2)
            #expect(
                try await scalar(
                    client, "SELECT sum(n)::bigint FROM counted_cells WHERE question = 'reason.xin_chao' AND flag_mask & 7 = 0") == 1)
            // Compacted, the correction is in every rollup too (sql/0022), before and after a rebuild.
            #expect(try await aggregator.compactAll() > 0)
            #expect(try await rollupMismatches(client) == 0)
            #expect(
                try await scalar(
                    client, "SELECT sum(n)::bigint FROM officer_yearly_counts WHERE question = 'overall' AND flag_mask & 7 = 0") == 2)
            let incremental = try await cells(client)
            try await aggregator.rebuild()
            #expect(try await cells(client) == incremental)
            try await aggregator.compactAll()
            #expect(try await rollupMismatches(client) == 0)

            try await fixture.responses.review(responseID: repeated, flag: .rapidRepeat, action: .restore, note: nil, reviewedBy: "admin")
            try await aggregator.runUntilIdle()
            #expect(try await validOverall(client) == 1)

            // Not counted yet: the queue counts it under the reviewed mask directly, no correction needed.
            let fresh = UUID()
            try await fixture.rate(2, at: tap + 3, source: fixture.sourceA(), id: fresh)
            try await fixture.responses.review(responseID: fresh, flag: .rapidRepeat, action: .clear, note: nil, reviewedBy: "admin")
            #expect(try await scalar(client, "SELECT count(*) FROM pending_corrections") == 0)
            try await aggregator.runUntilIdle()
            #expect(try await validOverall(client) == 2)

            // A flag the response never had, or an unknown response: refused; reviews and the audit log are kept.
            await #expect(throws: ValidationError.self) {
                try await fixture.responses.review(responseID: fresh, flag: .test, action: .clear, note: nil, reviewedBy: "admin")
            }
            await #expect(throws: StoreError.self) {
                try await fixture.responses.review(responseID: UUID(), flag: .test, action: .clear, note: nil, reviewedBy: "admin")
            }
            #expect(try await scalar(client, "SELECT count(*) FROM flag_reviews") == 3)
            #expect(try await scalar(client, "SELECT count(*) FROM audit_log WHERE action LIKE 'flag.%'") == 3)
            // Responses themselves never changed.
            #expect(try await scalar(client, "SELECT count(*) FROM responses WHERE 'rapid_repeat' = ANY (flags)") == 2)
        }
    }

    func cells(_ client: PostgresClient) async throws -> String {
        let rows = try await client.query(
            """
            SELECT coalesce(string_agg(cell, ';' ORDER BY cell), '') FROM (
                SELECT concat_ws('|', day, agency_id, question, level, flag_mask, officer_id, counter_id, channel, sum(n)) AS cell
                FROM counted_cells
                GROUP BY day, agency_id, question, level, flag_mask, officer_id, counter_id, channel HAVING sum(n) <> 0
            ) AS cells
            """)
        for try await text in rows.decode(String.self) { return text }
        return ""
    }
}
