import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HaiLongWeb

/// The yearly reports through the real router on a real database: an agency's admin drafts, edits and submits; Sở Nội
/// vụ (an admin of the province) sees every agency's status with the deadline and the days left, returns (the agency
/// goes on in a new draft version) and accepts; another subtree's admin can neither see nor act; the API serves the
/// report only within a token's scope.
@Suite struct ReportWorkflowTests {
    let admin = AdminAgencyTests()

    /// The year the seeded ratings fall in.
    static var year: Int { LocalDate(AdminAgencyTests.seedTap(), in: TimeZone(identifier: "Asia/Ho_Chi_Minh")!).year }

    /// Ratings of the year: P.A 4 satisfied of 5 (80 %), P.B 3 of 3 (100 %); one not-satisfied with a comment (a complaint).
    static func seed(_ app: AppHarness) async throws {
        let fixture = app.fixture
        let tap = AdminAgencyTests.seedTap()
        for (offset, level) in [3, 3, 2, 1, 3].enumerated() {
            try await fixture.rate(
                level, at: tap.addingTimeInterval(Double(offset) * 60), source: fixture.sourceA(), reasons: level == 1 ? ["xin_chao"] : [],
                officer: "B-1", dossier: "A-\(offset)")
        }
        for (offset, level) in [3, 2, 3].enumerated() {
            try await fixture.rate(
                level, at: tap.addingTimeInterval(Double(offset) * 60), source: fixture.sourceB(), dossier: "B-\(offset)")
        }
        try await app.aggregate()
    }

    static func reports(_ app: AppHarness) -> YearlyReports {
        let logger = TestDatabase.logger
        return YearlyReports(
            indices: PostgresIndexStore(client: app.db, logger: logger), directory: app.fixture.directory,
            accountability: PostgresAccountabilityStore(client: app.db, logger: logger),
            emulation: PostgresEmulationStore(client: app.db, logger: logger), reports: PostgresReportStore(client: app.db, logger: logger),
            timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh")!)
    }

    func state(_ page: TestResponse, _ code: String) -> String? {
        page.text.firstMatch(of: try! Regex(#"id="r-\#(code)" data-state="([a-z_]+)""#))?.output[1].substring.map(String.init)
    }

    @Test func anAgencyDraftsSubmitsIsReturnedAndAcceptedWhileTheProvinceWatches() async throws {
        try await AppHarness.run { app, client in
            try await Self.seed(app)
            let year = Self.year
            let base = "/admin/agencies/P.A/report"
            let agency = try await admin.session(app, client, "tuphap", agency: "P.A")
            let province = try await admin.session(app, client, "snv", agency: "P")
            let commune = try await admin.session(app, client, "hoabinh", agency: "P.B")

            let before = try await client.execute(uri: "/admin/reports?year=\(year)", method: .get, headers: [.cookie: province.cookie])
            #expect(before.status == .ok)
            #expect(state(before, "P.A") == "not_started" && state(before, "P.B") == "not_started")
            #expect(before.text.contains("15/11/\(year)") && before.text.contains("15/12/\(year)"))
            let today = LocalDate(Date(), in: TimeZone(identifier: "Asia/Ho_Chi_Minh")!)
            let left = ReportDeadlines().daysLeft(.agency, year: year, today: today)
            #expect(before.text.contains(ReportDeadlines.daysLeftText(left)))
            #expect(!before.text.printsNil, "no absent value printed")

            let made = try await admin.post(client, "\(base)/create?year=\(year)", cookie: agency.cookie, ["csrf": agency.csrf])
            #expect(made.status == .seeOther)
            let draftPage = try await client.execute(uri: "\(base)?year=\(year)", method: .get, headers: [.cookie: agency.cookie])
            #expect(draftPage.text.contains(#"data-status="draft""#))
            #expect(
                draftPage.text.contains("(bản công bố được lập khi lập báo cáo)"), "the year had no snapshot: the report says it made one")

            // Another subtree's admin: the report is not found, and cannot be acted on.
            let foreign = try await client.execute(uri: "\(base)?year=\(year)", method: .get, headers: [.cookie: commune.cookie])
            #expect(foreign.status == .notFound)
            let foreignSubmit = try await admin.post(
                client, "\(base)/submit?year=\(year)", cookie: commune.cookie, ["csrf": commune.csrf, "results": "x"])
            #expect(foreignSubmit.status == .notFound)
            let foreignFile = try await client.execute(
                uri: "\(base)/file?year=\(year)&format=docx", method: .get, headers: [.cookie: commune.cookie])
            #expect(foreignFile.status == .notFound)

            let narrative = [
                "csrf": agency.csrf, "results": "Triển khai “4 xin, 4 luôn” tại bộ phận một cửa.",
                "shortcomings": "Còn phiếu chưa hài lòng.",
                "plans": "Tập huấn kỹ năng giao tiếp.", "proposals": "Bổ sung ki-ốt.",
            ]
            #expect(try await admin.post(client, "\(base)/save?year=\(year)", cookie: agency.cookie, narrative).status == .seeOther)
            // The agency cannot accept its own report.
            let selfAccept = try await admin.post(client, "\(base)/accept?year=\(year)", cookie: agency.cookie, ["csrf": agency.csrf])
            #expect(selfAccept.status == .forbidden)
            #expect(try await admin.post(client, "\(base)/submit?year=\(year)", cookie: agency.cookie, narrative).status == .seeOther)
            // Submitted: it cannot change.
            var late = narrative
            late["results"] = "Sửa sau khi gửi"
            let refused = try await admin.post(client, "\(base)/save?year=\(year)", cookie: agency.cookie, late)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("status: version 1 of the report is submitted"))

            let submitted = try await client.execute(uri: "/admin/reports?year=\(year)", method: .get, headers: [.cookie: province.cookie])
            #expect(state(submitted, "P.A") == "submitted" && state(submitted, "P.B") == "not_started")
            // A return needs its reason.
            let bare = try await admin.post(client, "\(base)/return?year=\(year)", cookie: province.cookie, ["csrf": province.csrf])
            #expect(bare.status == .unprocessableContent)
            let returned = try await admin.post(
                client, "\(base)/return?year=\(year)&back=status", cookie: province.cookie,
                ["csrf": province.csrf, "comment": "Bổ sung kết quả kiểm tra đột xuất."])
            #expect(returned.status == .seeOther)
            #expect(returned.headers[.location]?.hasPrefix("/admin/reports?year=\(year)") == true)
            let afterReturn = try await client.execute(
                uri: "/admin/reports?year=\(year)", method: .get, headers: [.cookie: province.cookie])
            #expect(state(afterReturn, "P.A") == "returned")
            #expect(afterReturn.text.contains("Bổ sung kết quả kiểm tra đột xuất."))

            let redraft = try await client.execute(uri: "\(base)?year=\(year)", method: .get, headers: [.cookie: agency.cookie])
            #expect(redraft.text.contains(#"<strong id="report-version">2</strong>"#))
            #expect(redraft.text.contains(#"data-status="draft""#))
            #expect(redraft.text.contains("Sở Nội vụ đã trả lại phiên bản 1: Bổ sung kết quả kiểm tra đột xuất."))
            #expect(!redraft.text.printsNil && !redraft.text.contains("SHA-256 nội dung đã gửi"), "a draft has no content hash yet")
            #expect(redraft.text.contains("Triển khai “4 xin, 4 luôn” tại bộ phận một cửa."), "version 2 starts from what was returned")
            #expect(try await admin.post(client, "\(base)/submit?year=\(year)", cookie: agency.cookie, narrative).status == .seeOther)
            #expect(
                try await admin.post(client, "\(base)/accept?year=\(year)", cookie: province.cookie, ["csrf": province.csrf]).status
                    == .seeOther)
            let accepted = try await client.execute(uri: "/admin/reports?year=\(year)", method: .get, headers: [.cookie: province.cookie])
            #expect(state(accepted, "P.A") == "accepted")

            // The accepted version as a file from the page (an export, audited), with its content's hash in it.
            let file = try await client.execute(
                uri: "\(base)/file?year=\(year)&format=html", method: .get, headers: [.cookie: agency.cookie])
            #expect(file.status == .ok && file.text.contains("trạng thái: Đã tiếp nhận, SHA-256 nội dung "))
            let exports = try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'export' AND subject LIKE 'report %'")
            #expect(exports == 1)
            // The agency's admin is sent to its own report from the status page.
            let own = try await client.execute(uri: "/admin/reports?year=\(year)", method: .get, headers: [.cookie: agency.cookie])
            #expect(own.status == .seeOther && own.headers[.location]?.hasPrefix("/admin/agencies/P.A/report") == true)

            let actions = try await collect(
                app.db.query(
                    "SELECT action FROM audit_log WHERE action LIKE 'report.%' ORDER BY id", logger: TestDatabase.logger
                ).decode(String.self))
            #expect(
                actions == [
                    "report.create", "report.save", "report.save", "report.submit", "report.return", "report.redraft", "report.save",
                    "report.submit", "report.accept",
                ])
        }
    }

    /// `?lang=en` puts the pages in English; the report, its section headings and its files stay Vietnamese, and the
    /// page says so.
    @Test func theReportPagesAreInEnglishWhileTheReportStaysVietnamese() async throws {
        try await AppHarness.run { app, client in
            try await Self.seed(app)
            let year = Self.year
            let base = "/admin/agencies/P.A/report"
            let agency = try await admin.session(app, client, "tuphap", agency: "P.A")
            let province = try await admin.session(app, client, "snv", agency: "P")
            let today = LocalDate(Date(), in: TimeZone(identifier: "Asia/Ho_Chi_Minh")!)
            let left = ReportDeadlines().daysLeft(.agency, year: year, today: today)

            let empty = try await client.execute(uri: "\(base)?year=\(year)&lang=en", method: .get, headers: [.cookie: agency.cookie])
            #expect(empty.text.contains("Report to Sở Nội vụ") && empty.text.contains("No report of \(year) has been made yet."))
            #expect(empty.text.contains(#"<span id="report-days-left">\#(AdminController.daysLeftText(left, .en))</span>"#))
            #expect(empty.text.contains(#"id="report-language""#) && empty.text.contains("it is a Vietnamese state document"))
            #expect(!empty.text.contains("Chưa lập báo cáo") && !empty.text.printsNil)

            let made = try await admin.post(client, "\(base)/create?year=\(year)&lang=en", cookie: agency.cookie, ["csrf": agency.csrf])
            let location = try #require(made.headers[.location])
            #expect(location.contains("lang=en") && location.contains("done=create"))
            let draft = try await client.execute(uri: location, method: .get, headers: [.cookie: agency.cookie])
            #expect(draft.text.contains("The draft report was made.") && draft.text.contains(#"data-status="draft">Draft</strong>"#))
            #expect(draft.text.contains("Figures from the published snapshot version ") && draft.text.contains("Save the draft"))
            #expect(draft.text.contains("IV. Kết quả đạt được"), "the report's own headings stay Vietnamese")
            // In Vietnamese, the page is as before and says nothing of languages.
            let vietnamese = try await client.execute(uri: "\(base)?year=\(year)", method: .get, headers: [.cookie: agency.cookie])
            #expect(vietnamese.text.contains("Lưu dự thảo") && !vietnamese.text.contains(#"id="report-language""#))

            let status = try await client.execute(
                uri: "/admin/reports?year=\(year)&lang=en", method: .get, headers: [.cookie: province.cookie])
            #expect(status.text.contains("Yearly reports on public-service culture · \(year)"))
            #expect(status.text.contains(#"<td class="state">Draft</td>"#) && status.text.contains(#"<td class="state">Not started</td>"#))
            #expect(status.text.contains("Consolidated report due") && status.text.contains(AdminController.daysLeftText(left, .en)))
            #expect(!status.text.contains("Chưa lập") && !status.text.printsNil)
        }
    }

    @Test func theProvinceSetsItsDeadlines() async throws {
        try await AppHarness.run { app, client in
            let year = Self.year
            let province = try await admin.session(app, client, "snv", agency: "P")
            let agency = try await admin.session(app, client, "tuphap", agency: "P.A")
            let bad = try await admin.post(
                client, "/admin/reports/deadlines?year=\(year)", cookie: province.cookie,
                ["csrf": province.csrf, "province": "P", "agency_due": "31/11", "province_due": "05/12"])
            #expect(bad.status == .unprocessableContent && bad.text.contains("agency_due"))
            let refused = try await admin.post(
                client, "/admin/reports/deadlines?year=\(year)", cookie: agency.cookie,
                ["csrf": agency.csrf, "province": "P", "agency_due": "10/11", "province_due": "05/12"])
            #expect(refused.status == .forbidden)
            let set = try await admin.post(
                client, "/admin/reports/deadlines?year=\(year)", cookie: province.cookie,
                ["csrf": province.csrf, "province": "P", "agency_due": "10/11", "province_due": "05/12"])
            #expect(set.status == .seeOther)
            let page = try await client.execute(uri: "/admin/reports?year=\(year)", method: .get, headers: [.cookie: province.cookie])
            #expect(page.text.contains("10/11/\(year)") && page.text.contains("05/12/\(year)"))
            let report = try await client.execute(
                uri: "/admin/agencies/P.A/report?year=\(year)", method: .get, headers: [.cookie: agency.cookie])
            #expect(report.text.contains(#"<strong id="report-due">10/11/\#(year)</strong>"#))
        }
    }

    @Test func theAPIServesAReportOnlyWithinTheTokensScope() async throws {
        try await AppHarness.run { app, client in
            try await Self.seed(app)
            let year = Self.year
            _ = try await Self.reports(app).makeDraft(agency: app.fixture.agencyA, year: year, kind: .agency, by: "test", within: nil)
            let scopedB = try await app.fixture.directory.addToken(name: "xã", role: .par, agencyCode: "P.B")
            let scopedA = try await app.fixture.directory.addToken(name: "sở", role: .admin, agencyCode: "P.A")
            func get(_ query: String, _ token: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/reports?\(query)", method: .get, headers: [.authorization: "Bearer \(token)"])
            }
            let outside = try await get("year=\(year)&agency=P.A&format=docx", scopedB.token)
            #expect(outside.status == .notFound)
            #expect(outside.headers[.contentType] == "application/problem+json")
            let inside = try await get("year=\(year)&agency=P.A&format=docx", scopedA.token)
            #expect(inside.status == .ok)
            #expect(inside.headers[.contentType] == YearlyReports.Format.docx.contentType)
            #expect(inside.headers[HTTPField.Name("X-HaiLong-Report-Status")!] == "draft")
            #expect(Array(inside.body.readableBytesView.prefix(2)) == Array("PK".utf8))
            let unscoped = try await get("year=\(year)&agency=P.A&format=html", app.parToken)
            #expect(unscoped.status == .ok && unscoped.text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
            // Bad input names the field.
            for (query, field) in [
                ("agency=P.A&format=docx", "year"), ("year=20x6&agency=P.A", "year"), ("year=\(year)&agency=P.A&format=odt", "format"),
                ("year=\(year)&agency=P.A&version=0", "version"), ("year=\(year)&agency=P.A&kind=x", "kind"),
                ("year=\(year)&agency=P.A&colour=red", "colour"),
            ] {
                let answer = try await get(query, app.parToken)
                #expect(answer.status == .badRequest, "\(query)")
                #expect(answer.json["field"] as? String == field, "\(query)")
            }
            let none = try await get("year=\(year - 1)&agency=P.A", app.parToken)
            #expect(none.status == .notFound && none.json["field"] as? String == "year")
        }
    }
}
