import Foundation
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongStore

/// The flag review page and the complaints inbox read their rows in their own order from sql/0028's indexes and stop
/// after the rows they show. What they show must be exactly what reading every row of the subtree and sorting would
/// give: each list is compared, row for row, with that plain statement, over kiosks whose labels do not follow their
/// ids, responses without a kiosk, ties in tap time, every subtree, short limits, and every filter of the inbox.
@Suite struct ReviewListTests {
    static let year = (from: time("2026-01-01T00:00:00+07:00"), to: time("2027-01-01T00:00:00+07:00"))
    static let days = (from: time("2026-03-05T00:00:00+07:00"), to: time("2026-03-09T00:00:00+07:00"))

    @Test func theFlagReviewListIsTheSortedListOfEveryFlaggedResponse() async throws {
        try await withTestDatabase { client in
            let fixture = try await Self.seed(client)
            let store = PostgresDashboardStore(client: client, logger: TestDatabase.logger)
            var compared = 0
            for agency in [fixture.province.id, fixture.agencyA.id, fixture.agencyB.id] {
                for range in [Self.year, Self.days] {
                    for limit in [1, 7, 40, 200] {
                        let listed = try await store.flagged(under: agency, from: range.from, to: range.to, limit: limit)
                        let expected = try await Self.ids(
                            client,
                            """
                            SELECT r.id FROM responses r JOIN agency_subtree(\(agency)) s ON s.id = r.agency_id
                            LEFT JOIN kiosks k ON k.id = r.kiosk_id
                            WHERE r.submitted_at >= \(range.from) AND r.submitted_at < \(range.to)
                              AND r.flags && \(unescaped: PostgresDashboardStore.reviewableLiteral)
                            ORDER BY k.label NULLS LAST, r.kiosk_id, r.submitted_at, r.id
                            LIMIT \(limit)
                            """)
                        #expect(listed.map(\.id) == expected, "agency \(agency), limit \(limit)")
                        #expect(!expected.isEmpty)
                        compared += 1
                    }
                }
            }
            // The whole year of the province holds both parts: kiosks first, then the responses without one.
            let all = try await store.flagged(under: fixture.province.id, from: Self.year.from, to: Self.year.to, limit: 1000)
            #expect(all.contains { $0.kiosk == nil } && all.contains { $0.kiosk != nil })
            #expect(all.firstIndex { $0.kiosk == nil }! > all.lastIndex { $0.kiosk != nil }!)
            #expect(compared == 24)
        }
    }

    @Test(arguments: PostgresDashboardStore.ComplaintsRead.allCases)
    func theComplaintsInboxIsTheSortedListOfEveryComplaint(read: PostgresDashboardStore.ComplaintsRead) async throws {
        try await withTestDatabase { client in
            let fixture = try await Self.seed(client)
            // Every read gives every filter but the updated complaints', which gives those followed up or resolved.
            let statuses: [ComplaintStatus?] = read == .updated ? [.followingUp, .resolved] : [nil, .new, .followingUp, .resolved]
            var filters: [(counter: String, officer: String, status: ComplaintStatus?)] = statuses.map { ("", "", $0) }
            if read != .updated { filters += [("Q1", "", nil), ("", "B-1", nil), ("Q1", "B-1", .new)] }
            var nonEmpty = 0
            for agency in [fixture.province.id, fixture.agencyA.id, fixture.agencyB.id] {
                let agencies = try await client.withConnection { connection in
                    try await PostgresDashboardStore.subtree(agency, on: connection, logger: TestDatabase.logger)
                }
                for range in [Self.year, Self.days] {
                    for (counter, officer, status) in filters {
                        for limit in [1, 5, 200] {
                            let filter = ComplaintFilter(
                                from: range.from, to: range.to, counterCode: counter.isEmpty ? nil : counter,
                                officerBadge: officer.isEmpty ? nil : officer, status: status)
                            let listed = try await Self.ids(
                                client, PostgresDashboardStore.complaintsQuery(agencies: agencies, filter: filter, limit: limit, read: read)
                            )
                            let status = status?.rawValue ?? ""
                            let expected = try await Self.ids(
                                client,
                                """
                                SELECT r.id FROM responses r JOIN agency_subtree(\(agency)) s ON s.id = r.agency_id
                                JOIN questionnaires q ON q.id = r.questionnaire_id
                                LEFT JOIN counters c ON c.id = r.counter_id
                                LEFT JOIN officers o ON o.id = r.officer_id
                                LEFT JOIN LATERAL (SELECT status FROM complaint_updates cu
                                    WHERE cu.response_id = r.id ORDER BY cu.id DESC LIMIT 1) AS u ON true
                                WHERE r.comment IS NOT NULL AND r.submitted_at >= \(range.from) AND r.submitted_at < \(range.to)
                                  AND response_not_satisfied(r.answers, q.definition -> 'scale')
                                  AND (\(counter) = '' OR c.code = \(counter))
                                  AND (\(officer) = '' OR r.officer_badge = \(officer) OR o.badge = \(officer))
                                  AND (\(status) = '' OR coalesce(u.status, 'new') = \(status))
                                ORDER BY r.submitted_at DESC, r.id
                                LIMIT \(limit)
                                """)
                            #expect(listed == expected, "agency \(agency), filter \(counter)/\(officer)/\(status), limit \(limit)")
                            if !expected.isEmpty { nonEmpty += 1 }
                        }
                    }
                }
            }
            #expect(nonEmpty >= (read == .updated ? 20 : 70))
        }
    }

    /// The inbox's pages, each starting after the last complaint of the page before, follow each other without a gap
    /// or a repeat: walked a few at a time they are the whole list (ties in tap time included, three responses share
    /// each), for every read, subtree and range; a page after a complaint that does not exist is empty.
    @Test(arguments: PostgresDashboardStore.ComplaintsRead.allCases)
    func theInboxsPagesFollowEachOther(read: PostgresDashboardStore.ComplaintsRead) async throws {
        try await withTestDatabase { client in
            let fixture = try await Self.seed(client)
            let status: ComplaintStatus? = read == .updated ? .followingUp : nil
            var walked = 0
            for agency in [fixture.province.id, fixture.agencyA.id, fixture.agencyB.id] {
                let agencies = try await client.withConnection { connection in
                    try await PostgresDashboardStore.subtree(agency, on: connection, logger: TestDatabase.logger)
                }
                for range in [Self.year, Self.days] {
                    func page(after: UUID?, limit: Int) async throws -> [UUID] {
                        let filter = ComplaintFilter(from: range.from, to: range.to, status: status, after: after)
                        return try await Self.ids(
                            client, PostgresDashboardStore.complaintsQuery(agencies: agencies, filter: filter, limit: limit, read: read))
                    }
                    let whole = try await page(after: nil, limit: 1000)
                    var pages: [UUID] = []
                    while true {
                        let next = try await page(after: pages.last, limit: 4)
                        #expect(next.count <= 4)
                        pages += next
                        if next.count < 4 || pages.count > whole.count { break }
                    }
                    #expect(pages == whole, "agency \(agency), \(range)")
                    #expect(try await page(after: UUID(), limit: 4).isEmpty)
                    walked += whole.count
                }
            }
            #expect(walked >= (read == .updated ? 6 : 300))
        }
    }

    /// Each statement can be read in its list's order from the indexes made for it, and stop: explained on the seeded
    /// database with full reads, bitmap reads and sorts made costly (its tables are small enough that reading all and
    /// sorting would be cheapest), it reads each index it is meant to read and `responses` no other way.
    @Test func theListsReadTheirPartialIndexes() async throws {
        try await withTestDatabase { client in
            let fixture = try await Self.seed(client)
            try await client.query("ANALYZE")
            let filter = ComplaintFilter(from: Self.year.from, to: Self.year.to)
            let agencies = try await client.withConnection { connection in
                try await PostgresDashboardStore.subtree(fixture.province.id, on: connection, logger: TestDatabase.logger)
            }
            var after = filter
            after.after = try await Self.ids(
                client, PostgresDashboardStore.complaintsQuery(agencies: agencies, filter: filter, limit: 50, read: .newestFirst)
            ).last
            let asked: [(String, [String], PostgresQuery)] = [
                (
                    "flags", ["responses_reviewable_kiosk_idx", "responses_reviewable_unattended_idx"],
                    PostgresDashboardStore.flaggedQuery(under: fixture.province.id, from: Self.year.from, to: Self.year.to, limit: 200)
                ),
                (
                    "complaints agency by agency", ["responses_agency_comment_idx"],
                    PostgresDashboardStore.complaintsQuery(agencies: agencies, filter: filter, limit: 200, read: .byAgency)
                ),
                (
                    "complaints newest first", ["responses_latest_comment_idx"],
                    PostgresDashboardStore.complaintsQuery(agencies: agencies, filter: filter, limit: 200, read: .newestFirst)
                ),
                (
                    "complaints' next page", ["responses_latest_comment_idx"],
                    PostgresDashboardStore.complaintsQuery(agencies: agencies, filter: after, limit: 200, read: .newestFirst)
                ),
            ]
            try await client.withConnection { connection in
                for setting in ["enable_seqscan", "enable_bitmapscan", "enable_sort"] {
                    try await connection.query(PostgresQuery(unsafeSQL: "SET \(setting) = off"), logger: TestDatabase.logger)
                }
                for (list, indexes, statement) in asked {
                    let rows = try await connection.query(
                        PostgresQuery(unsafeSQL: "EXPLAIN " + statement.sql, binds: statement.binds), logger: TestDatabase.logger)
                    var plan = ""
                    for try await line in rows.decode(String.self) { plan += line + "\n" }
                    for index in indexes { #expect(plan.contains(index), "\(list): \(index)\n\(plan)") }
                    #expect(!plan.contains("Seq Scan on responses") && !plan.contains("Bitmap Heap Scan on responses"), "\(list)\n\(plan)")
                }
            }
        }
    }

    /// The newest-first read runs with the planner settings it asks for (`ComplaintsRead.settings`) and nothing else
    /// changed, and walks the comments' index in order: the plan the service gets, not one the test forces.
    @Test func theNewestComplaintsAreReadInTheIndexOrderWithTheirOwnSettings() async throws {
        try await withTestDatabase { client in
            let fixture = try await Self.seed(client)
            try await client.query("ANALYZE")
            let plan = try await client.withTransaction(logger: TestDatabase.logger) { connection in
                let agencies = try await PostgresDashboardStore.subtree(fixture.province.id, on: connection, logger: TestDatabase.logger)
                let read = PostgresDashboardStore.ComplaintsRead.choose(agencies: 40, status: nil)
                #expect(read == .newestFirst && !read.settings.isEmpty)
                for setting in read.settings {
                    try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL \(setting) = off"), logger: TestDatabase.logger)
                }
                let statement = PostgresDashboardStore.complaintsQuery(
                    agencies: agencies, filter: ComplaintFilter(from: Self.year.from, to: Self.year.to), limit: 200, read: read)
                var plan = ""
                for try await line in try await connection.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN " + statement.sql, binds: statement.binds), logger: TestDatabase.logger
                ).decode(String.self) {
                    plan += line + "\n"
                }
                return plan
            }
            // (The 200 rows found are then joined to the rest of their response; on these few rows by a full read.)
            #expect(plan.contains("Index Scan using responses_latest_comment_idx"), "\(plan)")
            #expect(!plan.contains("Bitmap Heap Scan on responses"), "\(plan)")
        }
    }

    /// The inbox is kept between views only until something it shows could have changed: a new complaint stored, a
    /// follow-up written (here straight into the table, as another server would), or responses counted.
    @Test func theInboxIsKeptOnlyUntilSomethingItShowsCouldHaveChanged() async throws {
        try await withTestDatabase { client in
            let fixture = try await Self.seed(client)
            let store = PostgresDashboardStore(client: client, logger: TestDatabase.logger)
            let filter = ComplaintFilter(from: Self.year.from, to: Self.year.to)
            func inbox() async throws -> [Complaint] { try await store.complaints(under: fixture.province.id, filter: filter) }
            let first = try await inbox()
            #expect(!first.isEmpty)
            #expect(try await inbox() == first)
            #expect(store.keptComplaints.hits == 1)

            let complaint = UUID()
            try await client.query(
                """
                INSERT INTO responses (id, questionnaire_id, agency_id, channel, answers, comment, submitted_at, received_at,
                    request_hash)
                VALUES (\(complaint), \(fixture.questionnaireID), \(fixture.agencyA.id), 'web', '{"overall": 1}',
                    'Chờ quá lâu', timestamptz '2026-06-01 09:00+07', timestamptz '2026-06-01 09:00:01+07', sha256('new'))
                """)
            #expect(try await inbox().first?.id == complaint)

            try await client.query(
                """
                INSERT INTO complaint_updates (response_id, status, note, updated_by)
                VALUES (\(complaint), 'resolved', 'đã gọi lại', 'other-server')
                """)
            #expect(try await inbox().first?.status == .resolved)

            let hits = store.keptComplaints.hits
            try await client.query("UPDATE figures_version SET version = version + 1 WHERE id = 1")
            #expect(try await inbox().first?.status == .resolved)
            #expect(store.keptComplaints.hits == hits)
        }
    }

    /// The directory of `Fixture` with two more kiosks whose labels sort before their ids ("0" at P.B, "" at P.A),
    /// and 600 responses stored as the service stores them: every sixth place a kiosk or, without one, a web survey of
    /// P.A or P.B; three responses at each tap time; flags worth reviewing or not; levels 1–3; a comment on half;
    /// and a few complaints followed up, some of them resolved or set back to new.
    static func seed(_ client: PostgresClient) async throws -> Fixture {
        let fixture = try await Fixture.make(client)
        let late = try await fixture.directory.addKiosk(agencyCode: "P.B", counterCode: nil, label: "0")
        let blank = try await fixture.directory.addKiosk(agencyCode: "P.A", counterCode: nil, label: "")
        try await client.query(
            """
            WITH places (place, kiosk, agency) AS (
                VALUES (0, \(fixture.kioskA.id), \(fixture.agencyA.id)), (1, \(fixture.kioskB.id), \(fixture.agencyB.id)),
                       (2, \(late.id), \(fixture.agencyB.id)), (3, \(blank.id), \(fixture.agencyA.id)),
                       (4, NULL, \(fixture.agencyA.id)), (5, NULL, \(fixture.agencyB.id))
            ), src AS (
                SELECT g, (g * 7) % 6 AS place, (g * 11) % 5 AS f, (g * 13) % 4 AS lv FROM generate_series(1, 600) AS g
            )
            INSERT INTO responses (id, questionnaire_id, agency_id, counter_id, officer_id, officer_badge, kiosk_id, channel,
                answers, comment, submitted_at, received_at, flags, request_hash)
            SELECT gen_random_uuid(), \(fixture.questionnaireID), p.agency,
                (SELECT k.counter_id FROM kiosks k WHERE k.id = p.kiosk),
                CASE WHEN p.agency = \(fixture.agencyA.id) AND s.g % 3 = 0 THEN (SELECT o.id FROM officers o WHERE o.badge = 'B-1') END,
                CASE WHEN s.g % 3 = 1 THEN 'B-1' END,
                p.kiosk, CASE WHEN p.kiosk IS NULL THEN 'web' ELSE 'kiosk' END,
                jsonb_build_object('overall', 1 + s.lv % 3), CASE WHEN s.g % 2 = 0 THEN 'Góp ý số ' || s.g END,
                timestamptz '2026-03-01 08:00+07' + (s.g / 3) * interval '1 hour',
                timestamptz '2026-03-01 08:00+07' + (s.g / 3) * interval '1 hour' + interval '1 second',
                (ARRAY['{}', '{no_dossier}', '{rapid_repeat,no_dossier}', '{late}', '{unverified}'])[1 + s.f]::text[],
                sha256(int8send(s.g))
            FROM src s JOIN places p USING (place)
            """)
        try await client.query(
            """
            WITH complaints AS (
                SELECT r.id, row_number() OVER (ORDER BY r.submitted_at, r.id) AS n FROM responses r
                JOIN questionnaires q ON q.id = r.questionnaire_id
                WHERE r.comment IS NOT NULL AND response_not_satisfied(r.answers, q.definition -> 'scale')
            )
            INSERT INTO complaint_updates (response_id, status, note, updated_by)
            SELECT id, status, 'ghi chú', 'test' FROM complaints
            CROSS JOIN LATERAL (VALUES (1, 'following_up'), (2, CASE WHEN n % 10 = 0 THEN 'new' ELSE 'resolved' END)) AS s (k, status)
            WHERE n % 5 = 0 OR (n % 7 = 0 AND k = 1)
            ORDER BY id, k
            """)
        return fixture
    }

    static func ids(_ client: PostgresClient, _ query: PostgresQuery) async throws -> [UUID] {
        var found: [UUID] = []
        for try await row in try await client.query(query).decode((UUID).self) { found.append(row) }
        return found
    }
}
