import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongAggregator

/// The counts must always equal a GROUP BY over the raw responses: each acknowledged response counted once.
@Suite struct AggregatorTests {
    let zone = "Asia/Ho_Chi_Minh"

    /// flag_mask() (one inlined expression since sql/0008) gives every set of flags the bits `Flag.mask` gives, a
    /// flag twice counted once, unknown flags ignored, as the unnest form it replaced did.
    @Test func flagMaskInSQLMatchesTheFlagBits() async throws {
        try await withTestDatabase { client in
            for subset in 0..<(1 << Flag.allCases.count) {
                let flags = Flag.allCases.enumerated().filter { subset & (1 << $0.offset) != 0 }.map(\.element)
                let text = flags.map(\.rawValue) + ["unknown_flag"] + flags.prefix(1).map(\.rawValue)
                let mask = try await scalar(client, "SELECT flag_mask(\(text))")
                #expect(mask == Flag.mask(flags), "\(text)")
            }
            #expect(try await scalar(client, "SELECT flag_mask(NULL)") == 0)
            #expect(try await scalar(client, "SELECT flag_mask('{}')") == 0)
        }
    }

    func aggregator(_ client: PostgresClient, batchSize: Int = 20_000) -> Aggregator {
        Aggregator(client: client, logger: TestDatabase.logger, timeZone: zone, batchSize: batchSize)
    }

    /// Cube cells vs. the same cells computed straight from `responses`: the number of cells that differ.
    func mismatches(_ client: PostgresClient) async throws -> Int {
        try await scalar(
            client,
            """
            WITH raw AS (
                SELECT (submitted_at AT TIME ZONE \(zone))::date AS day, agency_id, (answers ->> 'overall')::int AS level,
                       flag_mask(flags) AS mask, count(*) AS n
                FROM responses GROUP BY 1, 2, 3, 4
            ), cube AS (
                SELECT day, agency_id, level::int AS level, flag_mask AS mask, sum(n) AS n
                FROM counted_cells WHERE question = 'overall' GROUP BY 1, 2, 3, 4
            )
            SELECT count(*) FROM raw FULL JOIN cube USING (day, agency_id, level, mask)
            WHERE raw.n IS DISTINCT FROM cube.n
            """)
    }

    @Test func countsEachResponseOnceUnderConcurrentInserts() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = aggregator(client, batchSize: 37)
            let start = time("2026-11-20T08:00:00+07:00")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<6 {
                    group.addTask {
                        for i in 0..<60 {
                            let source = writer % 2 == 0 ? fixture.sourceA() : fixture.sourceB()
                            try await fixture.rate(1 + (writer + i) % 3, at: start + Double(writer * 1000 + i * 7), source: source)
                        }
                    }
                }
                // The aggregator runs while the writers write.
                group.addTask {
                    for _ in 0..<40 {
                        try await aggregator.runUntilIdle()
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                try await group.waitForAll()
            }
            try await aggregator.runUntilIdle()
            #expect(try await scalar(client, "SELECT count(*) FROM responses") == 360)
            #expect(try await scalar(client, "SELECT sum(n)::int FROM counted_cells WHERE question = 'overall'") == 360)
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 0)
            #expect(try await mismatches(client) == 0)
        }
    }

    @Test func aResponseCommittedAfterALaterOneIsStillCounted() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = aggregator(client)
            let tap = time("2026-11-20T08:00:00+07:00")
            try await fixture.rate(3, at: tap, source: fixture.sourceA())
            // A slow transaction takes a sequence number first and commits last.
            try await client.withConnection { slow in
                try await slow.query("BEGIN", logger: TestDatabase.logger)
                try await slow.query(
                    """
                    WITH stored AS (
                        INSERT INTO responses (id, questionnaire_id, agency_id, channel, answers, submitted_at, received_at, request_hash)
                        VALUES (gen_random_uuid(), \(fixture.questionnaireID), \(fixture.agencyA.id), 'kiosk', '{"overall": 1}',
                                \(tap), \(tap), '\\x00') RETURNING seq)
                    INSERT INTO pending_aggregation SELECT seq FROM stored
                    """, logger: TestDatabase.logger)
                try await fixture.rate(2, at: tap + 30, source: fixture.sourceA())
                #expect(try await aggregator.runUntilIdle() == 2)
                try await slow.query("COMMIT", logger: TestDatabase.logger)
            }
            #expect(try await aggregator.runUntilIdle() == 1)
            #expect(try await scalar(client, "SELECT sum(n)::int FROM counted_cells WHERE question = 'overall'") == 3)
            #expect(try await mismatches(client) == 0)
        }
    }

    @Test func aCrashMidRunLosesAndDoublesNothing() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        try await withClient(url) { client in
            let fixture = try await Fixture.make(client)
            let aggregator = aggregator(client)
            let tap = time("2026-11-20T08:00:00+07:00")
            for i in 0..<20 { try await fixture.rate(1 + i % 3, at: tap + Double(i * 10), source: fixture.sourceA()) }
            // An aggregator applies a batch and dies before COMMIT: its backend is killed from outside.
            // The doomed aggregator runs on a bare connection of its own (not a pooled one), so that killing its
            // backend disturbs nothing else in this test.
            let doomed = try await PostgresConnection.connect(
                configuration: .init(unixSocketPath: url.socketPath!, username: url.username, password: nil, database: url.database),
                id: 1, logger: TestDatabase.logger)
            try await doomed.query("BEGIN", logger: TestDatabase.logger)
            let applied = try await doomed.query(Aggregator.applyBatch(timeZone: zone, limit: 1000), logger: TestDatabase.logger)
            #expect(try await collect(applied.decode(Int.self)) == [20])
            // What the batch wrote, as its own transaction sees it: a step appends its cells to fresh_counts (sql/0014) and
            // empties the queue. None of it may outlive the kill.
            let written = try await collect(
                try await doomed.query(
                    """
                    SELECT (SELECT coalesce(sum(n), 0)::int FROM fresh_counts WHERE question = 'overall'),
                           (SELECT count(*)::int FROM pending_aggregation)
                    """, logger: TestDatabase.logger
                ).decode((Int, Int).self))
            #expect(written.count == 1 && written.first! == (20, 0), "\(written)")
            let pids = try await collect(
                try await doomed.query("SELECT pg_backend_pid()::bigint", logger: TestDatabase.logger).decode(Int.self))
            let pid = try #require(pids.first)
            #expect(try await scalar(client, "SELECT pg_terminate_backend(\(pid)::int, 5000)::int") == 1)
            // The process is gone before it could COMMIT (pg_terminate_backend waits up to 5 s for it to exit).
            #expect(try await scalar(client, "SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid)") == 0)
            try? await doomed.close()
            // Nothing of the batch is left: none of the fresh cells it wrote, and nothing in the other two cubes.
            for cube in ["fresh_counts", "response_counts", "monthly_counts"] {
                #expect(try await scalar(client, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(cube)")) == 0, "\(cube)")
            }
            #expect(try await scalar(client, "SELECT count(*) FROM pending_aggregation") == 20)
            #expect(try await aggregator.runUntilIdle() == 20)
            #expect(try await scalar(client, "SELECT sum(n)::int FROM counted_cells WHERE question = 'overall'") == 20)
            #expect(try await mismatches(client) == 0)
        }
    }

    @Test func onlyOneReplicaAggregatesAtATime() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            try await fixture.rate(3, at: time("2026-11-20T08:00:00+07:00"), source: fixture.sourceA())
            try await client.withConnection { leader in
                try await leader.query("BEGIN", logger: TestDatabase.logger)
                try await leader.query("SELECT pg_advisory_xact_lock(\(Aggregator.lockKey))", logger: TestDatabase.logger)
                #expect(try await aggregator(client).step() == .notLeader)
                try await leader.query("ROLLBACK", logger: TestDatabase.logger)
            }
            #expect(try await aggregator(client).step() == .applied(1))
        }
    }

    @Test func rebuildGivesTheSameCounts() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = aggregator(client)
            let tap = time("2026-11-20T08:00:00+07:00")
            for i in 0..<30 {
                try await fixture.rate(
                    1 + i % 3, at: tap + Double(i * 3), source: i % 2 == 0 ? fixture.sourceA() : fixture.sourceB(),
                    reasons: i % 3 == 0 ? ["xin_chao"] : [])
            }
            try await aggregator.runUntilIdle()
            let before = try await cubeText(client)
            #expect(try await aggregator.rebuild() == 30)
            #expect(try await cubeText(client) == before)
            #expect(before.contains("reason.xin_chao"))
            // The rebuild fills the daily cube without its indexes and builds both again (sql/0037: by time for a
            // province's period, by agency for a few agencies').
            let indexes = try await scalar(
                client,
                """
                SELECT count(*)::int FROM pg_indexes WHERE tablename = 'response_counts'
                  AND indexname IN ('response_counts_agency_day_idx', 'response_counts_day_idx')
                """)
            #expect(indexes == 2)
        }
    }

    /// A province's period reads every agency's cells of a few edge days from the daily cube: the rebuild writes them
    /// in that order (day, questionnaire, agency), not in the order its aggregation happened to group them, so that a
    /// day's rows are a few neighbouring pages.
    @Test func theRebuildWritesTheDailyCubeDayByDay() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = aggregator(client)
            let last = time("2026-11-30T08:00:00+07:00")
            for i in 0..<60 {
                try await fixture.rate(
                    1 + i % 5, at: last - Double(i % 30) * 86_400, source: i % 2 == 0 ? fixture.sourceA() : fixture.sourceB(),
                    reasons: i % 3 == 0 ? ["xin_chao"] : [])
            }
            #expect(try await aggregator.rebuild() == 60)
            let outOfOrder = try await scalar(
                client,
                """
                SELECT count(*)::int FROM (
                    SELECT key < lag(key) OVER (ORDER BY ctid) AS back
                    FROM (SELECT ctid, to_char(day, 'YYYYMMDD') || lpad(questionnaire_id::text, 10, '0')
                                 || lpad(agency_id::text, 19, '0') AS key FROM response_counts) AS c
                ) AS s WHERE back
                """)
            #expect(outOfOrder == 0)
            let days = try await scalar(client, "SELECT count(DISTINCT day)::int FROM response_counts")
            #expect(days == 30)
        }
    }

    @Test func refusesToMixTimeZones() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            try await fixture.rate(3, at: time("2026-11-20T08:00:00+07:00"), source: fixture.sourceA())
            try await aggregator(client).runUntilIdle()
            try await fixture.rate(3, at: time("2026-11-20T09:00:00+07:00"), source: fixture.sourceA())
            let utc = Aggregator(client: client, logger: TestDatabase.logger, timeZone: "UTC")
            await #expect(throws: AggregatorError.self) { try await utc.runUntilIdle() }
            #expect(try await utc.rebuild() == 2)
        }
    }

    /// Property: however inserts and aggregation steps interleave, for both questionnaires, across agencies, days,
    /// officers and flags, the incrementally built cube equals a full rebuild, and its respondent cells equal a plain
    /// count of the responses.
    @Test(arguments: [11, 29, 2026])
    func rebuildEqualsIncrementalOnRandomData(seed: UInt64) async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let aggregator = aggregator(client, batchSize: 7)
            let known = try await fixture.responses.questionnaires()
            var random = SeededRandom(seed: seed)
            let base = time("2026-06-25T07:00:00+07:00")
            let web = ResponseSource(agencyID: fixture.agencyB.id, channel: .web)
            for index in 0..<150 {
                let kiosk = random.next(3) != 0
                let tap = base + Double(random.next(20 * 86_400)) + Double(index)
                let dossier = random.next(4) == 0 ? "HS-\(random.next(20))" : nil
                let submission: Submission
                if kiosk {
                    let level = 1 + random.next(3)
                    submission = Submission(
                        questionnaire: "kiosk-3", officerBadge: random.next(2) == 0 ? "B-1" : nil, dossierCode: dossier,
                        levels: ["overall": level], reasons: level == 1 && random.next(2) == 0 ? ["xin_chao", "khac"] : [], comment: nil,
                        submittedAt: tap)
                } else {
                    var levels: [String: Int] = [:]
                    for code in ["tiep_can.1", "thu_tuc.2", "cong_chuc.1", "cong_chuc.5", "pakn.3"] where random.next(3) != 0 {
                        levels[code] = 1 + random.next(5)
                    }
                    if levels.isEmpty { levels["ket_qua.1"] = 5 }
                    submission = Submission(
                        questionnaire: "sipas-5", officerBadge: nil, dossierCode: dossier, levels: levels, reasons: [], comment: nil,
                        submittedAt: tap)
                }
                let source = kiosk ? (random.next(2) == 0 ? fixture.sourceA() : fixture.sourceB()) : web
                _ = try await fixture.responses.store(
                    submission, id: UUID(), questionnaireID: known[submission.questionnaire]!.id, source: source,
                    receivedAt: tap + 1, rules: FlagRules())
                if random.next(10) == 0 { _ = try await aggregator.step() }
            }
            try await aggregator.runUntilIdle()
            let incremental = try await cubeText(client)
            // Compaction moves the fresh cells the steps appended into the daily cube (one row per cell, the same counts)
            // and the monthly one; reading the figures from any of the three gives the same figures (sql/0014).
            let fromFresh = try await figures(client, fixture)
            #expect(try await scalar(client, "SELECT count(*) FROM response_counts") == 0)
            let rowsBefore = try await scalar(client, "SELECT count(*) FROM counted_cells")
            #expect(try await aggregator.compactAll() > 0)
            #expect(try await scalar(client, "SELECT count(*) FROM fresh_counts") == 0)
            #expect(try await scalar(client, "SELECT count(*) FROM fresh_hourly") == 0)
            #expect(try await rollupMismatches(client) == 0)
            #expect(try await hourlyMismatches(client) == 0)
            #expect(try await figures(client, fixture) == fromFresh)
            // Whole weeks are read from the weekly cube once it is filled (sql/0035): doubled there, the figures change.
            try await client.query("UPDATE weekly_counts SET n = n * 2")
            #expect(try await figures(client, fixture) != fromFresh)
            try await client.query("UPDATE weekly_counts SET n = n / 2")
            let rowsAfter = try await scalar(client, "SELECT count(*) FROM response_counts")
            let cells = try await scalar(
                client,
                """
                SELECT count(*) FROM (SELECT DISTINCT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id,
                    counter_id, channel FROM response_counts) AS cells
                """)
            #expect(rowsAfter == cells && rowsAfter < rowsBefore)
            #expect(try await cubeText(client) == incremental)
            #expect(try await aggregator.rebuild() == 150)
            #expect(try await cubeText(client) == incremental)
            // After a rebuild the rollups are empty until the next compaction fills them: read from the daily cubes.
            for rollup in rollupDefinitions {
                #expect(try await scalar(client, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(rollup.table)")) == 0)
            }
            #expect(try await hourlyMismatches(client) == 0)
            #expect(try await figures(client, fixture) == fromFresh)
            #expect(try await aggregator.compact() == 0)
            for rollup in rollupDefinitions {
                #expect(try await scalar(client, PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(rollup.table)")) > 0, "\(rollup.table)")
            }
            // The fill writes the rollups in the order they are read (a period's cells of a questionnaire neighbouring
            // pages): in the table's physical order no row goes back in that order.
            var readOrders = rollupDefinitions.map { ($0.table, "\($0.time), questionnaire_id, agency_id") }
            readOrders.removeAll { $0.0 == "officer_yearly_totals" }
            readOrders.append(("officer_yearly_totals", "questionnaire_id, year, agency_id"))
            for (table, order) in readOrders {
                let back = try await scalar(
                    client,
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT count(*) FROM (
                                SELECT ROW(\(order)) < lag(ROW(\(order))) OVER (ORDER BY ctid) AS back FROM \(table)
                            ) AS rows WHERE back
                            """))
                #expect(back == 0, "\(table) by \(order)")
            }
            #expect(try await rollupMismatches(client) == 0)
            #expect(try await figures(client, fixture) == fromFresh)
            // Filled rollups summed again (as after a migration that marks them not ready) are deleted first: the
            // officers' totals follow the deletion through their trigger (sql/0027) and then the fill, and none is left
            // at zero.
            let totals = try await scalar(client, "SELECT count(*) FROM officer_yearly_totals")
            try await client.query("UPDATE aggregator_state SET rollups_ready = false")
            #expect(try await aggregator.compact() == 0)
            #expect(try await rollupMismatches(client) == 0)
            #expect(try await scalar(client, "SELECT count(*) FROM officer_yearly_totals") == totals)
            #expect(try await scalar(client, "SELECT count(*) FROM officer_yearly_totals WHERE n = 0") == 0)
            #expect(try await figures(client, fixture) == fromFresh)
            // Cells deleted and not summed again (by hand here: the fill is the only delete the service makes) leave
            // no total behind at zero, and the rest still agree.
            let officer = try await scalar(client, "SELECT min(officer_id) FROM officer_yearly_counts WHERE officer_id > 0")
            try await client.query("DELETE FROM officer_yearly_counts WHERE officer_id = \(officer)")
            #expect(try await scalar(client, "SELECT count(*) FROM officer_yearly_totals WHERE officer_id = \(officer)") == 0)
            #expect(try await scalar(client, "SELECT count(*) FROM officer_yearly_totals WHERE n = 0") == 0)
            let disagreeing = try await scalar(
                client,
                """
                SELECT count(*) FROM (
                    SELECT year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, sum(n) AS n
                    FROM officer_yearly_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) AS summed
                FULL JOIN officer_yearly_totals t USING (year, agency_id, officer_id, questionnaire_id, question, level, flag_mask)
                WHERE summed.n IS DISTINCT FROM t.n
                """)
            #expect(disagreeing == 0)
            #expect(try await aggregator.rebuild() == 150)
            // Respondents: '_response' cells, and for a questionnaire with a required question (kiosk-3's 'overall')
            // that question's cells instead, with no '_response' cell repeating them (sql/0008).
            let respondents = try await scalar(
                client,
                """
                SELECT coalesce(sum(c.n), 0)::bigint FROM counted_cells c JOIN questionnaires q ON q.id = c.questionnaire_id
                WHERE c.question = '_response' OR c.question = q.respondent_question
                """)
            #expect(respondents == 150)
            let repeated = try await scalar(
                client,
                """
                SELECT count(*) FROM counted_cells c JOIN questionnaires q ON q.id = c.questionnaire_id
                WHERE q.code = 'kiosk-3' AND c.question = '_response'
                """)
            #expect(repeated == 0)
            // An oracle straight from the raw responses: answers by agency, question and level, and respondents.
            let differing = try await scalar(
                client,
                """
                WITH raw AS (
                    SELECT r.agency_id, a.key AS question, (a.value #>> '{}')::int AS level, count(*)::bigint AS n
                    FROM responses r, jsonb_each(r.answers) AS a WHERE jsonb_typeof(a.value) = 'number' GROUP BY 1, 2, 3
                    UNION ALL
                    SELECT agency_id, '_response', 0, count(*)::bigint FROM responses GROUP BY 1
                ), cube AS (
                    SELECT agency_id, question, level::int AS level, sum(n)::bigint AS n FROM counted_cells
                    WHERE question NOT LIKE 'reason.%' AND question <> '_response' GROUP BY 1, 2, 3
                    UNION ALL
                    SELECT c.agency_id, '_response', 0, sum(c.n)::bigint
                    FROM counted_cells c JOIN questionnaires q ON q.id = c.questionnaire_id
                    WHERE c.question = '_response' OR c.question = q.respondent_question GROUP BY 1
                )
                SELECT count(*) FROM raw FULL JOIN cube USING (agency_id, question, level) WHERE raw.n IS DISTINCT FROM cube.n
                """)
            #expect(differing == 0)
        }
    }

    /// Figures read through the index store for periods that do and do not cover whole years, months and weeks, by every
    /// grouping (each read from the rollups that keep it), for both agencies and both questionnaires; and the heatmap of
    /// the province and one agency.
    func figures(_ client: PostgresClient, _ fixture: Fixture) async throws -> [String: [CountKey: FigureCounts]] {
        let store = PostgresIndexStore(client: client, logger: TestDatabase.logger)
        var result: [String: [CountKey: FigureCounts]] = [:]
        let dashboard = PostgresDashboardStore(client: client, logger: TestDatabase.logger)
        for period in [
            "2026", "2026-Q3", "2026-07", "2026-06-28..2026-07-31", "2026-07-02..2026-07-05", "2025-12-15..2026-12-31",
            "2026-06-22..2026-07-12", "2026-06-24..2026-07-14",
        ] {
            for questionnaire in ["kiosk-3", "sipas-5"] {
                // The heatmap, as counts keyed by its weekday and hour (the figures' type, to compare them all at once).
                for agency in [fixture.province, fixture.agencyA] {
                    var heat: [CountKey: FigureCounts] = [:]
                    for cell in try await dashboard.heatmap(
                        under: agency.id, questionnaire: questionnaire, period: try Period.parse(period))
                    {
                        var counts = FigureCounts()
                        counts.respondents = cell.n
                        counts.excluded = cell.notSatisfied
                        heat[CountKey(agencyID: agency.id, group: "\(cell.weekday) \(cell.hour)")] = counts
                    }
                    result["\(period) \(questionnaire) heatmap \(agency.code)"] = heat
                }
                for grouping in [Grouping.none, .month, .channel, .officer, .counter, .day] {
                    result["\(period) \(questionnaire) \(grouping)"] = try await store.figureCounts(
                        for: [fixture.province, fixture.agencyA, fixture.agencyB], period: try Period.parse(period),
                        questionnaire: questionnaire, methodology: .standard, grouping: grouping)
                }
            }
        }
        #expect(result["2026 kiosk-3 none"]?.isEmpty == false)
        #expect(result["2026 kiosk-3 officer"]?.isEmpty == false)
        #expect(result["2026 kiosk-3 heatmap \(fixture.province.code)"]?.isEmpty == false)
        return result
    }

    /// The cube as text, one line per cell with its count: the sum of the cell's rows (a step appends fragments,
    /// compaction merges them; sql/0008), cells that sum to zero left out.
    func cubeText(_ client: PostgresClient) async throws -> String {
        let rows = try await client.query(
            """
            SELECT string_agg(cell, E'\\n' ORDER BY cell) FROM (
                SELECT concat_ws('|', day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel,
                    sum(n)) AS cell
                FROM counted_cells
                GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel
                HAVING sum(n) <> 0
            ) AS cells
            """
        )
        for try await text in rows.decode(String.self) { return text }
        return ""
    }
}

extension Date {
    static func + (date: Date, seconds: Double) -> Date { date.addingTimeInterval(seconds) }
}

/// A small deterministic generator (SplitMix64) so a failing seed can be replayed.
struct SeededRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A number in 0..<bound.
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
