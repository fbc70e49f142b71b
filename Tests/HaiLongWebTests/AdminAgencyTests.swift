import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HaiLongWeb

/// The agency page, its export, the flag review page and the complaints inbox, through the real router on a
/// real database: what each shows, what each changes, and that an agency outside the user's subtree is a 404.
@Suite struct AdminAgencyTests {
    let auth = AdminAuthTests()

    /// Signs `username` in (created with `role` at `agency`); returns the session cookie and the page's CSRF token.
    func session(
        _ app: AppHarness, _ client: some TestClientProtocol, _ username: String, role: UserRole = .agencyAdmin, agency: String? = "P.A"
    ) async throws -> (cookie: String, csrf: String) {
        _ = try await app.users.addUser(username: username, role: role, agencyCode: agency, password: AdminAuthTests.password, by: "test")
        let signedIn = try await auth.signIn(client, username, AdminAuthTests.password)
        let cookie = try #require(auth.sessionCookie(signedIn))
        let overview = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie])
        let csrf = try #require(overview.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1).description
        return (cookie, csrf)
    }

    func post(_ client: some TestClientProtocol, _ uri: String, cookie: String, _ fields: [String: String]) async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie], body: auth.form(fields))
    }

    /// About an hour ago, moved back when needed so that the ten minutes of seeded ratings fall on one local day
    /// (so in one month and one year).
    static func seedTap(now: Date = Date()) -> Date {
        let tap = now.addingTimeInterval(-3600)
        let lastDay = localCalendar.startOfDay(for: tap.addingTimeInterval(600))
        return tap < lastDay ? lastDay.addingTimeInterval(-700) : tap
    }

    static let localCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        return calendar
    }()

    /// Ratings at P.A an hour ago: two satisfied, one "Chưa hài lòng" with a comment and two reasons, one rapid repeat.
    func seed(_ app: AppHarness) async throws -> (complaint: UUID, repeated: UUID) {
        let fixture = app.fixture
        let tap = Self.seedTap()
        try await fixture.rate(3, at: tap, source: fixture.sourceA(), officer: "B-1", dossier: "HS-1")
        let repeated = UUID()
        try await fixture.rate(2, at: tap.addingTimeInterval(2), source: fixture.sourceA(), officer: "B-1", dossier: "HS-2", id: repeated)
        let complaint = UUID()
        let submission = Submission(
            questionnaire: "kiosk-3", officerBadge: "B-1", dossierCode: "HS-3", levels: ["overall": 1],
            reasons: ["xin_chao", "luon_lang_nghe"], comment: "Chờ lâu, cán bộ không chào hỏi.", submittedAt: tap.addingTimeInterval(60))
        _ = try await fixture.responses.store(
            submission, id: complaint, questionnaireID: fixture.questionnaireID, source: fixture.sourceA(), receivedAt: tap + 61,
            rules: FlagRules())
        try await fixture.rate(3, at: tap.addingTimeInterval(600), source: fixture.sourceB(), dossier: "HS-B")
        try await app.aggregate()
        return (complaint, repeated)
    }

    /// The year the seeded ratings were tapped in, in Vietnamese local time. The pages are asked for it rather than for
    /// their default, the current year, which on 1 January before 01:00 would not hold them.
    func seededPeriod(_ app: AppHarness) async throws -> String {
        let year = try await scalar(
            app.db, "SELECT extract(year FROM min(submitted_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::int FROM responses")
        #expect(year > 2000)
        return String(year)
    }

    /// Equal shares are drawn in the kiosk's order of the reasons, not in a dictionary's order (which changes from one
    /// process to the next: the province page's chart reordered itself after a restart).
    @Test func equalReasonsAreDrawnInTheKiosksOrder() {
        let codes = ["xin_chao", "xin_loi", "xin_cam_on", "xin_phep", "luon_mim_cuoi", "luon_nhe_nhang", "luon_lang_nghe", "khac"]
        let questionnaire = Questionnaire(
            code: "kiosk-3", version: 1, kind: .kiosk, title: LocalizedText(vi: "Đánh giá", en: "Rate"),
            scale: Scale(min: 1, max: 3, satisfied: [2, 3], labels: []), sections: [],
            reasons: codes.map { ReasonOption(code: $0, text: LocalizedText(vi: $0, en: $0)) }, reasonsAtMost: 1)
        var shares = Dictionary(uniqueKeysWithValues: codes.map { ($0, 7.5) })
        shares["luon_lang_nghe"] = 20
        shares["xin_phep"] = 1
        let order = AgencyView.reasonBars(shares, questionnaire).map(\.key)
        #expect(order == ["luon_lang_nghe", "xin_chao", "xin_loi", "xin_cam_on", "luon_mim_cuoi", "luon_nhe_nhang", "khac", "xin_phep"])
    }

    @Test func theAgencyPageShowsItsFiguresChartsOfficersAndKiosks() async throws {
        try await AppHarness.run { app, client in
            _ = try await seed(app)
            let period = try await seededPeriod(app)
            let (cookie, _) = try await session(app, client, "tuphap")
            let page = try await client.execute(uri: "/admin/agencies/P.A?period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok)
            let html = page.text
            // 3 ratings, the rapid repeat excluded by the default methodology: 1 satisfied of 2, 50,00 % in Vietnamese notation.
            #expect(html.contains("id=\"summary-n\">2<") && html.contains("id=\"summary-index\">50,00<"))
            #expect(html.contains("<svg class=\"chart\"") && html.contains("class=\"band\"") && html.contains("class=\"line\""))
            #expect(html.contains("Xin chào") && html.contains("Luôn lắng nghe"))  // reasons bars, labelled in Vietnamese
            #expect(html.contains("Số phiếu theo giờ và thứ"))
            #expect(html.contains("id=\"officers\"") && html.contains("Nguyễn Văn An") && html.contains("ẩn (chưa đủ mẫu)"))
            #expect(!html.contains("id=\"officers-more\"") && !html.contains("{shown}"))
            // The fixture's kiosk never sent a heartbeat: flagged in its row, never seen, nothing queued that we know of.
            #expect(
                html.contains("id=\"kiosks\"") && html.contains("<td class=\"warn\">Mất kết nối</td><td>–</td><td class=\"num\">–</td>"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(!html.contains("<script"))
            // The heatmap counts P.A's three ratings (one of them not satisfied) in the hours they were tapped.
            let dashboard = PostgresDashboardStore(client: app.db, logger: TestDatabase.logger)
            let cells = try await dashboard.heatmap(
                under: app.fixture.agencyA.id, questionnaire: "kiosk-3", period: try Period.parse(period))
            #expect(cells.map(\.n).reduce(0, +) == 3 && cells.map(\.notSatisfied).reduce(0, +) == 1)
            // Kiosks needing attention come first: after A's heartbeat only B (never heard from) does.
            try await app.fixture.directory.recordHeartbeat(kioskID: app.fixture.kioskA.id, queueLength: 0, appVersion: "1.0")
            let listed = try await dashboard.kiosks(under: app.fixture.province.id, limit: 1)
            #expect(listed.kiosks.map(\.id) == [app.fixture.kioskB.id] && listed.total == 2 && listed.attention == 1)
            let english = try await client.execute(
                uri: "/admin/agencies/P.A?lang=en&period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(english.text.contains("id=\"summary-index\">50.00<") && english.text.contains("Officers"))
        }
    }

    @Test func anAgencyOutsideTheSubtreeIsNotFoundOnEveryPage() async throws {
        try await AppHarness.run { app, client in
            let (complaint, repeated) = try await seed(app)
            let (cookie, csrf) = try await session(app, client, "xahoabinh", agency: "P.B")
            for path in ["", "/export?format=csv", "/flags", "/complaints"] {
                for code in ["P.A", "P", "NOPE"] {
                    let response = try await client.execute(uri: "/admin/agencies/\(code)\(path)", method: .get, headers: [.cookie: cookie])
                    #expect(response.status == .notFound, "\(code)\(path)")
                    #expect(!response.text.contains("Sở Tư pháp"))
                }
            }
            // Its own page works; a review or a complaint of P.A sent through P.B's page is refused, nothing changes.
            let own = try await client.execute(uri: "/admin/agencies/P.B", method: .get, headers: [.cookie: cookie])
            #expect(own.status == .ok && own.text.contains("Xã Hòa Bình"))
            let review = try await post(
                client, "/admin/agencies/P.B/flags", cookie: cookie,
                ["csrf": csrf, "response": repeated.uuidString, "flag": "rapid_repeat", "action": "clear"])
            #expect(review.status == .notFound)
            let update = try await post(
                client, "/admin/agencies/P.B/complaints", cookie: cookie,
                ["csrf": csrf, "response": complaint.uuidString, "status": "resolved", "note": "x"])
            #expect(update.status == .notFound)
            #expect(try await scalar(app.db, "SELECT count(*) FROM flag_reviews") == 0)
            #expect(try await scalar(app.db, "SELECT count(*) FROM complaint_updates") == 0)
            // The contract's /admin/login is the same sign-in page.
            let login = try await client.execute(uri: "/admin/login", method: .get)
            #expect(login.status == .ok && login.text.contains("id=\"password\""))
            // Without a session every page sends to the sign-in page.
            let anonymous = try await client.execute(uri: "/admin/agencies/P.B", method: .get)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/admin/sign-in")
        }
    }

    @Test func aReviewClearsAFlagAndIsAuditedAndAViewerCannotReview() async throws {
        try await AppHarness.run { app, client in
            let (_, repeated) = try await seed(app)
            let period = try await seededPeriod(app)
            let (cookie, csrf) = try await session(app, client, "tuphap")
            let flags = try await client.execute(
                uri: "/admin/agencies/P.A/flags?period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(flags.status == .ok)
            let id = repeated.uuidString.lowercased()
            #expect(flags.text.contains("id=\"r-\(id)\"") && flags.text.contains("Bấm liên tiếp") && flags.text.contains("chưa xem xét"))
            let cleared = try await post(
                client, "/admin/agencies/P.A/flags", cookie: cookie,
                ["csrf": csrf, "response": id, "flag": "rapid_repeat", "action": "clear", "note": "hai người khác nhau"])
            #expect(cleared.status == .seeOther)
            #expect(cleared.headers[.location]?.hasPrefix("/admin/agencies/P.A/flags?") == true)
            #expect(try await scalar(app.db, "SELECT count(*) FROM response_flag_overrides WHERE cleared_mask = 1") == 1)
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE actor = 'tuphap' AND action = 'flag.clear'") == 1)
            let after = try await client.execute(
                uri: "/admin/agencies/P.A/flags?period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(after.text.contains("đã gỡ — phiếu được tính") && after.text.contains("value=\"restore\""))
            // Bad input names its field; a forged token is refused; nothing more is recorded.
            let bad = try await post(
                client, "/admin/agencies/P.A/flags", cookie: cookie, ["csrf": csrf, "response": id, "flag": "nope", "action": "clear"])
            #expect(bad.status == .badRequest && bad.json["field"] as? String == "flag")
            let forged = try await post(
                client, "/admin/agencies/P.A/flags", cookie: cookie,
                ["csrf": "x", "response": id, "flag": "rapid_repeat", "action": "confirm"])
            #expect(forged.status == .forbidden)
            let (viewerCookie, viewerCSRF) = try await session(app, client, "xem", role: .viewer)
            let viewerPage = try await client.execute(
                uri: "/admin/agencies/P.A/flags?period=\(period)", method: .get, headers: [.cookie: viewerCookie])
            #expect(viewerPage.status == .ok && !viewerPage.text.contains("value=\"restore\""))
            let viewerPost = try await post(
                client, "/admin/agencies/P.A/flags", cookie: viewerCookie,
                ["csrf": viewerCSRF, "response": id, "flag": "rapid_repeat", "action": "restore"])
            #expect(viewerPost.status == .forbidden)
            #expect(try await scalar(app.db, "SELECT count(*) FROM flag_reviews") == 1)
        }
    }

    @Test func theComplaintsInboxListsCommentsAndKeepsEveryStatusChange() async throws {
        try await AppHarness.run { app, client in
            let (complaint, _) = try await seed(app)
            let period = try await seededPeriod(app)
            let (cookie, csrf) = try await session(app, client, "tuphap")
            let inbox = try await client.execute(
                uri: "/admin/agencies/P.A/complaints?period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(inbox.status == .ok)
            #expect(inbox.text.contains("Chờ lâu, cán bộ không chào hỏi.") && inbox.text.contains("Xin chào, Luôn lắng nghe"))
            #expect(!inbox.text.contains("<em>Ghi chú"), "a complaint nobody has followed up shows no note line")
            let id = complaint.uuidString.lowercased()
            for (status, note) in [("following_up", "Đã gọi lại cho công dân"), ("resolved", "Đã nhắc nhở cán bộ")] {
                let saved = try await post(
                    client, "/admin/agencies/P.A/complaints", cookie: cookie,
                    ["csrf": csrf, "response": id, "status": status, "note": note])
                #expect(saved.status == .seeOther)
            }
            #expect(try await scalar(app.db, "SELECT count(*) FROM complaint_updates WHERE response_id = \(complaint)") == 2)
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'complaint.update'") == 2)
            let resolved = try await client.execute(
                uri: "/admin/agencies/P.A/complaints?status=resolved&period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(resolved.text.contains("Đã nhắc nhở cán bộ") && resolved.text.contains("status-resolved"))
            #expect(resolved.text.contains("<p><em>Ghi chú: Đã nhắc nhở cán bộ</em> — tuphap</p>"))
            #expect(resolved.text.contains("<option value=\"resolved\" selected>Đã giải quyết</option>"))
            let open = try await client.execute(
                uri: "/admin/agencies/P.A/complaints?status=new&period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(open.text.contains("complaints-empty"))
            let otherCounter = try await client.execute(
                uri: "/admin/agencies/P.A/complaints?officer=B-9&period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(otherCounter.text.contains("complaints-empty"))
            let badStatus = try await post(
                client, "/admin/agencies/P.A/complaints", cookie: cookie, ["csrf": csrf, "response": id, "status": "closed"])
            #expect(badStatus.status == .badRequest && badStatus.json["field"] as? String == "status")
        }
    }

    /// A hundred complaints a page, newest first; the next page starts after the last one shown, links back to the
    /// newest, and a follow-up made on it comes back to it.
    @Test func theComplaintsInboxShowsAHundredAPage() async throws {
        try await AppHarness.run { app, client in
            let (complaint, _) = try await seed(app)
            let period = try await seededPeriod(app)
            // 129 more complaints, each a second older than the one before.
            try await app.db.query(
                """
                INSERT INTO responses (id, questionnaire_id, agency_id, counter_id, officer_id, officer_badge, kiosk_id, channel,
                    answers, comment, submitted_at, received_at, flags, request_hash)
                SELECT gen_random_uuid(), questionnaire_id, agency_id, counter_id, officer_id, officer_badge, kiosk_id, channel,
                    answers, 'Phản ánh số ' || g, submitted_at - g * interval '1 second', received_at, flags, sha256(int8send(g))
                FROM responses, generate_series(1, 129) AS g WHERE id = \(complaint)
                """)
            let (cookie, csrf) = try await session(app, client, "tuphap")
            func articles(_ html: String) -> Int { html.components(separatedBy: "<article class=\"complaint\"").count - 1 }
            let first = try await client.execute(
                uri: "/admin/agencies/P.A/complaints?period=\(period)&counter=&status=", method: .get, headers: [.cookie: cookie])
            #expect(first.status == .ok && articles(first.text) == 100)
            #expect(first.text.contains("Chờ lâu, cán bộ không chào hỏi.") && first.text.contains("Phản ánh số 99<"))
            #expect(first.text.contains("Phản ánh 1–100") && !first.text.contains("rel=\"prev\""))
            let older = try #require(first.text.firstMatch(of: /<a href="([^"]+)" rel="next">Cũ hơn →<\/a>/)).1
                .replacingOccurrences(of: "&amp;", with: "&")
            #expect(older.contains("&after=") && older.hasSuffix("&start=101"))
            let second = try await client.execute(uri: older, method: .get, headers: [.cookie: cookie])
            #expect(second.status == .ok && articles(second.text) == 30)
            #expect(second.text.contains("Phản ánh số 129<") && !second.text.contains("Phản ánh số 99<"))
            #expect(second.text.contains("Phản ánh 101–130") && second.text.contains("rel=\"prev\">← Mới nhất"))
            #expect(!second.text.contains("rel=\"next\""))
            // A follow-up on the second page is sent to it and comes back to it.
            let last = try #require(
                second.text.firstMatch(of: /id="r-([0-9a-f-]+)">\n<p><strong>[^<]*<\/strong>[^\n]*\n<p class="comment">Phản ánh số 129</)
            )
            .1
            let action = "/admin/agencies/P.A/complaints?" + older.split(separator: "?", maxSplits: 1)[1]
            #expect(second.text.contains("action=\"\(action.replacingOccurrences(of: "&", with: "&amp;"))\""))
            let saved = try await post(client, action, cookie: cookie, ["csrf": csrf, "response": String(last), "status": "following_up"])
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location]?.contains("&start=101#r-\(last)") == true)
            let bad = try await client.execute(
                uri: "/admin/agencies/P.A/complaints?period=\(period)&after=nope", method: .get, headers: [.cookie: cookie])
            #expect(bad.status == .badRequest && bad.json["field"] as? String == "after")
        }
    }

    @Test func theExportIsTheIndicesCSVAndIsAudited() async throws {
        try await AppHarness.run { app, client in
            _ = try await seed(app)
            let period = try await seededPeriod(app)
            let (cookie, _) = try await session(app, client, "tuphap")
            let csv = try await client.execute(
                uri: "/admin/agencies/P.A/export?format=csv&period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment; filename=") == true)
            #expect(Array(csv.body.readableBytesView.prefix(3)) == [0xEF, 0xBB, 0xBF])
            #expect(csv.text.contains("Mã cơ quan") && csv.text.contains("P.A,Sở Tư pháp,2,1,50.00"))
            let xlsx = try await client.execute(
                uri: "/admin/agencies/P.A/export?format=xlsx&period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(xlsx.status == .ok && Array(xlsx.body.readableBytesView.prefix(2)) == [0x50, 0x4B])  // a ZIP
            let bad = try await client.execute(uri: "/admin/agencies/P.A/export?format=pdf", method: .get, headers: [.cookie: cookie])
            #expect(bad.status == .badRequest && bad.json["field"] as? String == "format")
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE actor = 'tuphap' AND action = 'export'") == 2)
        }
    }

    @Test func theOverviewSortsByAnyColumnTheWorstFirstByDefault() async throws {
        try await AppHarness.run { app, client in
            _ = try await seed(app)
            let period = try await seededPeriod(app)
            let (cookie, _) = try await session(app, client, "tinh", agency: "P")
            func order(_ query: String) async throws -> [String] {
                let page = try await client.execute(
                    uri: "/admin?period=\(period)\(query.replacingOccurrences(of: "?", with: "&"))", method: .get,
                    headers: [.cookie: cookie])
                #expect(page.status == .ok, "\(query)")
                return page.text.matches(of: /<small>(P[.A-Z]*)<\/small>/).map { String($0.1) }
            }
            // P.A (50 %) and P (pooled with P.B: 66,67 %) are not sufficient: ordered after sufficient ones, P.B (n = 1) last.
            #expect(try await order("") == ["P.A", "P", "P.B"])
            #expect(try await order("?sort=name") == ["P.A", "P", "P.B"])  // Sở, Tỉnh, Xã
            #expect(try await order("?sort=name&dir=desc") == ["P.B", "P", "P.A"])
            #expect(try await order("?sort=n") == ["P", "P.A", "P.B"])  // 3, 2, 1 (most first)
            let header = try await client.execute(uri: "/admin?sort=n&period=\(period)", method: .get, headers: [.cookie: cookie])
            #expect(header.text.contains("aria-sort=\"descending\"") && header.text.contains("sort=n&amp;dir=asc"))
            // A sparkline per agency, labelled with its figures (this year by month: the seeded month has one).
            #expect(header.text.contains("<svg class=\"spark\"") && header.text.contains("aria-label=\"Chỉ số theo tháng: "))
            // P.A's line: twelve months, this one at 50,00 (1 satisfied of 2 counted), the others without a figure.
            let line = try #require(header.text.firstMatch(of: /Sở Tư pháp<\/a>.*?aria-label="Chỉ số theo tháng: ([^"]*)"/)?.1)
            #expect(line.split(separator: "; ").count == 12)
            #expect(line.split(separator: "; ").filter { $0 != "–" } == ["50,00"], "\(line)")
            let bad = try await client.execute(uri: "/admin?sort=ci", method: .get, headers: [.cookie: cookie])
            #expect(bad.status == .badRequest && bad.json["field"] as? String == "sort")
        }
    }
}
