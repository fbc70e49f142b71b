import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HaiLongWeb

/// The yearly reports on the overview (`/admin`), shown to the people who owe one: an agency's admin sees the deadline,
/// the days left and the status of the report the agency owes, with a link to it; the province's admin sees the
/// consolidated report's, and, like a system admin, how many agencies have submitted and been accepted, with a link to
/// the status page. A viewer, who owes nothing, sees neither.
@Suite struct ReportOverviewTests {
    let admin = AdminAgencyTests()

    static let timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    func overview(_ client: some TestClientProtocol, _ cookie: String, lang: String = "vi") async throws -> String {
        let page = try await client.execute(uri: "/admin?lang=\(lang)", method: .get, headers: [.cookie: cookie])
        #expect(page.status == .ok)
        return page.text
    }

    func owed(_ page: String, _ code: String) -> String? {
        page.firstMatch(of: try! Regex(#"<p class="notice[^"]*" role="status" id="owed-report-\#(code)"[^>]*>.*?</p>"#))
            .map { String(page[$0.range]) }
    }

    func tally(_ page: String, _ code: String) -> String? {
        page.firstMatch(of: try! Regex(#"<p class="notice" id="report-tally-\#(code)">.*?</p>"#)).map { String(page[$0.range]) }
    }

    @Test func anAbsentValueIsSeenInAPagesTextNotInItsTokens() {
        #expect("<td>nil</td>".printsNil && "Hạn: nil".printsNil)
        #expect(!#"<input type="hidden" name="csrf" value="pxu4kDOYqAt01j9-k5niltA2">"#.printsNil)
        #expect(!"<td>Chưa lập</td>".printsNil)
    }

    @Test func daysLeftInBothLanguages() {
        #expect(
            [12, 1, 0, -1, -3].map { AdminController.daysLeftText($0, .vi) } == [
                "còn 12 ngày", "còn 1 ngày", "hạn hôm nay", "quá hạn 1 ngày", "quá hạn 3 ngày",
            ])
        #expect([12, 1, 0, -1, -3].map { AdminController.daysLeftText($0, .vi) } == [12, 1, 0, -1, -3].map(ReportDeadlines.daysLeftText))
        #expect(
            [12, 1, 0, -1, -3].map { AdminController.daysLeftText($0, .en) } == [
                "12 days left", "1 day left", "due today", "1 day overdue", "3 days overdue",
            ])
        #expect(AdminController.filled("{a} and {b}, {c}", ["a": "{b}", "b": "2"]) == "{b} and 2, {c}", "one pass; unknown names kept")
    }

    @Test func theOverviewShowsTheDeadlineToThoseWhoOweAReport() async throws {
        try await AppHarness.run { app, client in
            try await ReportWorkflowTests.seed(app)
            let today = LocalDate(Date(), in: Self.timeZone)
            let year = today.year
            let deadlines = ReportDeadlines()
            let agency = try await admin.session(app, client, "tuphap", agency: "P.A")
            let province = try await admin.session(app, client, "snv", agency: "P")
            let system = try await admin.session(app, client, "hethong", role: .admin, agency: nil)
            let viewer = try await admin.session(app, client, "xem", role: .viewer, agency: "P.A")

            // The agency's admin: its report to Sở Nội vụ, not started, with the deadline and the days left.
            let agencyPage = try await overview(client, agency.cookie)
            let notice = try #require(owed(agencyPage, "P.A"))
            #expect(notice.contains(#"data-state="not_started""#) && notice.contains("Chưa lập"))
            #expect(notice.contains(#"<strong class="owed-due">15/11/\#(year)</strong>"#))
            let left = deadlines.daysLeft(.agency, year: year, today: today)
            #expect(notice.contains(#"<span class="owed-days-left">\#(AdminController.daysLeftText(left, .vi))</span>"#))
            #expect(notice.contains(#"href="/admin/agencies/P.A/report?year=\#(year)&amp;lang=vi""#))
            #expect(tally(agencyPage, "P") == nil, "an agency's admin does not speak for the province")
            // In English.
            let english = try #require(owed(try await overview(client, agency.cookie, lang: "en"), "P.A"))
            #expect(english.contains("Not started") && english.contains(AdminController.daysLeftText(left, .en)))
            #expect(english.contains("lang=en"))

            // The province's admin: the consolidated report it owes, and how the agencies stand.
            let provincePage = try await overview(client, province.cookie)
            let consolidated = try #require(owed(provincePage, "P"))
            #expect(consolidated.contains(#"<strong class="owed-due">15/12/\#(year)</strong>"#))
            #expect(consolidated.contains("Báo cáo tổng hợp"))
            let before = try #require(tally(provincePage, "P"))
            #expect(before.contains(#"href="/admin/reports?year=\#(year)&amp;lang=vi""#))
            #expect(before.contains("0/2 cơ quan đã gửi báo cáo, 0 đã được tiếp nhận"))
            #expect(!provincePage.printsNil, "no absent value printed")

            // P.A submits and is accepted; P.B submits and is returned (a returned report being redrafted is not sent).
            let reports = ReportWorkflowTests.reports(app)
            let (agencyA, agencyB) = (app.fixture.agencyA, app.fixture.agencyB)
            for agency in [agencyA, agencyB] {
                _ = try await reports.makeDraft(agency: agency, year: year, kind: .agency, by: "test", within: nil)
                _ = try await reports.store.submit(agency: agency, year: year, kind: .agency, by: "test", within: nil)
            }
            let submitted = try #require(owed(try await overview(client, agency.cookie), "P.A"))
            #expect(submitted.contains(#"data-state="submitted""#) && submitted.contains("Đã gửi"))
            #expect(!submitted.contains("owed-days-left") && !submitted.contains("notice late"), "once sent, no days left")
            #expect(try #require(tally(try await overview(client, province.cookie), "P")).contains("2/2 cơ quan đã gửi báo cáo, 0 đã"))
            _ = try await reports.store.decide(
                agency: agencyA, year: year, kind: .agency, status: .accepted, comment: "", by: "test", within: nil)
            _ = try await reports.store.decide(
                agency: agencyB, year: year, kind: .agency, status: .returned, comment: "Bổ sung.", by: "test", within: nil)
            #expect(try #require(owed(try await overview(client, agency.cookie), "P.A")).contains(#"data-state="accepted""#))
            #expect(
                try #require(tally(try await overview(client, province.cookie), "P")).contains(
                    "1/2 cơ quan đã gửi báo cáo, 1 đã được tiếp nhận"))

            // A system admin sees every province's tally and owes no report; a viewer sees neither.
            let systemPage = try await overview(client, system.cookie, lang: "en")
            #expect(try #require(tally(systemPage, "P")).contains("1 of 2 agencies have submitted their report, 1 accepted"))
            #expect(!systemPage.contains("owed-report-"))
            let viewerPage = try await overview(client, viewer.cookie)
            #expect(!viewerPage.contains("owed-report-") && !viewerPage.contains("report-tally-"))
        }
    }
}
