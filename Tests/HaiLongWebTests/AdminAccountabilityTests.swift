import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The accountability pages through the real router on a real database: inspections and violations with their
/// decisions and evidence, the officers' evaluation with its ceiling, complaints turned into violations, and
/// emulation blocks; each scoped to the subtree, each form refused to viewers and audited.
@Suite struct AdminAccountabilityTests {
    let admin = AdminAgencyTests()
    let manage = AdminManageTests()
    let evaluation = EvaluationAPITests()

    static let pdf: [UInt8] = Array("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".utf8)
    static let html: [UInt8] = Array("<!doctype html><script>alert(1)</script>".utf8)

    func get(_ client: some TestClientProtocol, _ uri: String, cookie: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie])
    }

    func upload(
        _ client: some TestClientProtocol, _ uri: String, cookie: String, _ fields: [String: String],
        files: [(String, String, String, [UInt8])] = []
    ) async throws -> TestResponse {
        let (body, type) = manage.multipart(fields, files: files)
        return try await client.execute(uri: uri, method: .post, headers: [.contentType: type, .cookie: cookie], body: body)
    }

    func audited(_ app: AppHarness, _ action: String, actor: String = "tuphap") async throws -> Int {
        try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE actor = \(actor) AND action = \(action)")
    }

    @Test func inspectionsViolationsDecisionsAndEvidenceOnThePage() async throws {
        try await AppHarness.run { app, client in
            try await evaluation.seed(app)
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let base = "/admin/agencies/P.A/violations"
            let page = try await get(client, "\(base)?year=2025", cookie: cookie)
            #expect(page.status == .ok && page.text.contains("id=\"inspection-form\"") && page.text.contains("value=\"P.A/B-2\""))
            #expect(page.text.contains("Giao tiếp, ứng xử") && page.headers[.contentSecurityPolicy] != nil)
            // An inspection: a bad kind is a 422 naming the field; a good one is stored and audited.
            let badKind = try await admin.post(
                client, "\(base)/inspection?year=2025", cookie: cookie,
                ["csrf": csrf, "held_on": "2025-04-02", "kind": "surprise", "team": "Tổ kiểm tra"])
            #expect(badKind.status == .unprocessableContent && badKind.text.contains("kind: must be planned or unannounced"))
            let inspected = try await admin.post(
                client, "\(base)/inspection?year=2025", cookie: cookie,
                ["csrf": csrf, "held_on": "2025-04-02", "kind": "unannounced", "team": "Tổ kiểm tra", "findings": "B-2 không đeo thẻ"])
            #expect(inspected.status == .seeOther && inspected.headers[.location]?.contains("done=inspection") == true)
            let inspection = try await scalar(app.db, "SELECT max(id)::int FROM inspections")
            // A violation found by it, with a PDF: an HTML file named .pdf is refused by its content and nothing is kept.
            var report = [
                "csrf": csrf, "officer": "P.A/B-2", "occurred_on": "2025-04-02", "norm": "trang_phuc", "source": "inspection",
                "inspection": String(inspection), "description": "Không đeo thẻ công chức",
            ]
            let fake = try await upload(
                client, "\(base)/report?year=2025", cookie: cookie, report,
                files: [("evidence", "bien-ban.pdf", "application/pdf", Self.html)])
            #expect(fake.status == .unprocessableContent && fake.text.contains("evidence: must be a PDF, JPEG or PNG"))
            #expect(try await scalar(app.db, "SELECT count(*) FROM violations") == 0)
            report["occurred_on"] = "02/04/2025"
            let badDate = try await upload(client, "\(base)/report?year=2025", cookie: cookie, report)
            #expect(badDate.status == .unprocessableContent && badDate.text.contains("occurred_on: must be a date"))
            report["occurred_on"] = "2025-04-02"
            let reported = try await upload(
                client, "\(base)/report?year=2025", cookie: cookie, report,
                files: [("evidence", "biên bản.pdf", "application/pdf", Self.pdf)])
            #expect(reported.status == .seeOther, "\(reported.text)")
            let violation = try await scalar(app.db, "SELECT max(id)::int FROM violations WHERE inspection_id IS NOT NULL")
            let file = try await scalar(app.db, "SELECT max(id)::int FROM violation_evidence")
            // The decision needs a reason; then it is final.
            let noReason = try await admin.post(
                client, "\(base)/decide?year=2025", cookie: cookie, ["csrf": csrf, "violation": String(violation), "status": "confirmed"])
            #expect(noReason.status == .unprocessableContent && noReason.text.contains("reason: must be"))
            let confirmed = try await admin.post(
                client, "\(base)/decide?year=2025", cookie: cookie,
                ["csrf": csrf, "violation": String(violation), "status": "confirmed", "reason": "Biên bản kiểm tra"])
            #expect(confirmed.status == .seeOther)
            let again = try await admin.post(
                client, "\(base)/decide?year=2025", cookie: cookie,
                ["csrf": csrf, "violation": String(violation), "status": "dismissed", "reason": "Đổi ý"])
            #expect(again.status == .unprocessableContent && again.text.contains("already decided"))
            let shown = try await get(client, "\(base)?year=2025", cookie: cookie)
            #expect(
                shown.text.contains("Đã xác nhận") && shown.text.contains("Biên bản kiểm tra") && shown.text.contains("Kiểm tra công vụ #"))
            #expect(shown.text.contains("href=\"/admin/agencies/P.A/violations/files/\(file)\""))
            // The file is a download with its stored type, never sniffed.
            let download = try await get(client, "\(base)/files/\(file)", cookie: cookie)
            #expect(download.status == .ok && download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(download.headers[.xContentTypeOptions] == "nosniff" && Array(download.body.readableBytesView) == Self.pdf)
            // More evidence may be attached later, to the same violation.
            let attached = try await upload(
                client, "\(base)/evidence?year=2025", cookie: cookie, ["csrf": csrf, "violation": String(violation)],
                files: [("evidence", "anh-chup.pdf", "application/pdf", Self.pdf)])
            #expect(attached.status == .seeOther, "\(attached.text)")
            #expect(try await scalar(app.db, "SELECT count(*) FROM violation_evidence WHERE violation_id = \(violation)") == 2)
            for (action, count) in [("inspection.add", 1), ("violation.report", 1), ("violation.evidence", 2), ("violation.confirm", 1)] {
                #expect(try await audited(app, action) == count, "\(action)")
            }
            // A forged form changes nothing.
            let forged = try await admin.post(
                client, "\(base)/inspection", cookie: cookie, ["csrf": "x", "held_on": "2025-04-03", "kind": "planned", "team": "T"])
            #expect(forged.status == .forbidden)
            var crossSite = HTTPFields()
            crossSite[.contentType] = "application/x-www-form-urlencoded"
            crossSite[.cookie] = cookie
            crossSite[.origin] = "https://evil.example"
            let origin = try await client.execute(
                uri: "\(base)/inspection", method: .post, headers: crossSite,
                body: admin.auth.form(["csrf": csrf, "held_on": "2025-04-03", "kind": "planned", "team": "T"]))
            #expect(origin.status == .forbidden)
            #expect(try await scalar(app.db, "SELECT count(*) FROM inspections") == 1)
        }
    }

    @Test func outsideTheSubtreeIsNotFoundAndAViewerOnlyReads() async throws {
        try await AppHarness.run { app, client in
            try await evaluation.seed(app)
            let accountability = PostgresAccountabilityStore(client: app.db, logger: TestDatabase.logger)
            let violation = try await accountability.report(
                ViolationReport(
                    badge: "B-1", occurredOn: LocalDate("2025-05-01")!, norm: "giao_tiep_ung_xu", source: .supervisor, description: "x"),
                agency: app.fixture.agencyA, by: "test", within: nil)
            let file = try await accountability.addEvidence(violation, fileName: "a.pdf", bytes: Self.pdf, by: "test", within: nil)
            let (other, otherCSRF) = try await admin.session(app, client, "xahoabinh", agency: "P.B")
            for path in [
                "/violations?year=2025", "/evaluation?year=2025", "/evaluation/export?year=2025&format=csv", "/violations/files/\(file)",
            ] {
                let response = try await get(client, "/admin/agencies/P.A\(path)", cookie: other)
                #expect(response.status == .notFound, "\(path)")
            }
            // Through its own page: the evidence and the decision of a violation at P.A are not found, nothing changes.
            #expect(try await get(client, "/admin/agencies/P.B/violations/files/\(file)", cookie: other).status == .notFound)
            let decide = try await admin.post(
                client, "/admin/agencies/P.B/violations/decide", cookie: other,
                ["csrf": otherCSRF, "violation": String(violation), "status": "dismissed", "reason": "x"])
            #expect(decide.status == .notFound)
            let foreign = try await upload(
                client, "/admin/agencies/P.B/violations/report", cookie: other,
                [
                    "csrf": otherCSRF, "officer": "P.A/B-1", "occurred_on": "2025-05-02", "norm": "trang_phuc", "source": "other",
                    "description": "x",
                ])
            #expect(foreign.status == .unprocessableContent && foreign.text.contains("officer: &#39;P.A&#39; is not P.B"))
            // A viewer reads the pages without their forms; every form is refused.
            let (viewer, viewerCSRF) = try await admin.session(app, client, "xem", role: .viewer)
            let read = try await get(client, "/admin/agencies/P.A/violations?year=2025", cookie: viewer)
            #expect(read.status == .ok && !read.text.contains("id=\"report-form\"") && !read.text.contains("id=\"inspection-form\""))
            #expect(try await get(client, "/admin/agencies/P.A/evaluation?year=2025", cookie: viewer).status == .ok)
            let inspection = try await admin.post(
                client, "/admin/agencies/P.A/violations/inspection", cookie: viewer,
                ["csrf": viewerCSRF, "held_on": "2025-04-03", "kind": "planned", "team": "T"])
            let decision = try await admin.post(
                client, "/admin/agencies/P.A/violations/decide", cookie: viewer,
                ["csrf": viewerCSRF, "violation": String(violation), "status": "confirmed", "reason": "x"])
            let evidence = try await upload(
                client, "/admin/agencies/P.A/violations/evidence", cookie: viewer, ["csrf": viewerCSRF, "violation": String(violation)],
                files: [("evidence", "b.pdf", "application/pdf", Self.pdf)])
            #expect([inspection.status, decision.status, evidence.status] == [.forbidden, .forbidden, .forbidden])
            #expect(try await scalar(app.db, "SELECT count(*) FROM violation_decisions") == 0)
            #expect(try await scalar(app.db, "SELECT count(*) FROM violation_evidence") == 1)
            // The par role has no pages at all.
            _ = try await app.users.addUser(username: "cchc", role: .par, agencyCode: "P", password: AdminAuthTests.password, by: "test")
            let par = try #require(admin.auth.sessionCookie(try await admin.auth.signIn(client, "cchc", AdminAuthTests.password)))
            #expect(try await get(client, "/admin/agencies/P.A/violations", cookie: par).status == .forbidden)
            #expect(try await get(client, "/admin/emulation", cookie: par).status == .forbidden)
        }
    }

    @Test func theEvaluationPageCapsOnlyConfirmedViolations() async throws {
        try await AppHarness.run { app, client in
            try await evaluation.seed(app)
            let store = PostgresAccountabilityStore(client: app.db, logger: TestDatabase.logger)
            func report(_ badge: String) async throws -> Int64 {
                try await store.report(
                    ViolationReport(
                        badge: badge, occurredOn: LocalDate("2025-05-01")!, norm: "giao_tiep_ung_xu", source: .supervisor, description: "x"),
                    agency: app.fixture.agencyA, by: "test", within: nil)
            }
            try await store.decide(try await report("B-2"), status: .confirmed, reason: "Đúng", by: "test", within: nil)
            _ = try await report("B-1")
            try await store.decide(try await report("B-3"), status: .dismissed, reason: "Không đúng", by: "test", within: nil)
            let (cookie, _) = try await admin.session(app, client, "tinh", agency: "P")
            let page = try await get(client, "/admin/agencies/P/evaluation?year=2025", cookie: cookie)
            #expect(page.status == .ok)
            func row(_ id: String, in text: String) -> String {
                guard let start = text.range(of: "<tr id=\"o-\(id)\">") else { return "" }
                let rest = text[start.lowerBound...]
                return String(rest[..<(rest.range(of: "</tr>")?.upperBound ?? rest.endIndex)])
            }
            #expect(row("P.A-B-2", in: page.text).contains("Không quá Hoàn thành nhiệm vụ"))
            #expect(!row("P.A-B-1", in: page.text).contains("Không quá") && !row("P.A-B-3", in: page.text).contains("Không quá"))
            // Vietnamese numbers (B-1 38/40: lower bound 83,50); C-1's five ratings are "too few", no index shown.
            #expect(row("P.A-B-1", in: page.text).contains("83,50"))
            #expect(row("P.B-C-1", in: page.text).contains("chưa đủ mẫu"))
            #expect(page.text.contains("id=\"evaluation-link\"") && page.text.contains("id=\"violations-link\""))
            let english = try await get(client, "/admin/agencies/P/evaluation?year=2025&lang=en", cookie: cookie)
            #expect(row("P.A-B-2", in: english.text).contains("At most") && row("P.A-B-1", in: english.text).contains("83.50"))
            let csv = try await get(client, "/admin/agencies/P/evaluation/export?year=2025&format=csv", cookie: cookie)
            #expect(
                csv.status == .ok && csv.text.hasPrefix("\u{FEFF}Cơ quan,Số hiệu")
                    && csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let xlsx = try await get(client, "/admin/agencies/P/evaluation/export?year=2025&format=xlsx", cookie: cookie)
            #expect(xlsx.status == .ok && Array(xlsx.body.readableBytesView.prefix(2)) == [0x50, 0x4B])
            #expect(try await get(client, "/admin/agencies/P/evaluation/export?format=pdf", cookie: cookie).status == .badRequest)
            #expect(
                try await scalar(
                    app.db, "SELECT count(*) FROM audit_log WHERE actor = 'tinh' AND action = 'export' AND subject = 'evaluation P'")
                    == 2)
            #expect(try await get(client, "/admin/agencies/P/evaluation?year=1999", cookie: cookie).status == .badRequest)
        }
    }

    @Test func aComplaintBecomesAViolationPrefilled() async throws {
        try await AppHarness.run { app, client in
            let (complaint, _) = try await admin.seed(app)
            let year = try await admin.seededPeriod(app)
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let inbox = try await get(client, "/admin/agencies/P.A/complaints?period=\(year)", cookie: cookie)
            let id = complaint.uuidString.lowercased()
            #expect(inbox.text.contains("Chuyển thành vi phạm") && inbox.text.contains("complaint=\(id)"))
            let form = try await get(client, "/admin/agencies/P.A/violations?year=\(year)&complaint=\(id)", cookie: cookie)
            #expect(
                form.status == .ok && form.text.contains("value=\"P.A/B-1\" selected") && form.text.contains("value=\"complaint\" selected")
            )
            #expect(form.text.contains("name=\"response\" value=\"\(id)\""))
            let made = try await upload(
                client, "/admin/agencies/P.A/violations/report?year=\(year)", cookie: cookie,
                [
                    "csrf": csrf, "officer": "P.A/B-1", "occurred_on": "\(year)-01-01", "norm": "giao_tiep_ung_xu", "source": "complaint",
                    "response": id, "description": "Không chào hỏi",
                ])
            #expect(made.status == .seeOther, "\(made.text)")
            #expect(try await scalar(app.db, "SELECT count(*) FROM violations WHERE response_id = \(complaint)") == 1)
            // Another agency's admin cannot open it from its own page.
            let (other, _) = try await admin.session(app, client, "xahoabinh", agency: "P.B")
            #expect(try await get(client, "/admin/agencies/P.B/violations?complaint=\(id)", cookie: other).status == .notFound)
        }
    }

    @Test func emulationBlocksForSystemAndProvinceAccounts() async throws {
        try await AppHarness.run { app, client in
            try await evaluation.seed(app)
            let (root, rootCSRF) = try await admin.session(app, client, "root", role: .admin, agency: nil)
            #expect(try await get(client, "/admin?period=2025", cookie: root).text.contains("id=\"emulation-link\""))
            let empty = try await get(client, "/admin/emulation?year=2025", cookie: root)
            #expect(empty.status == .ok && empty.text.contains("id=\"blocks-empty\"") && empty.text.contains("id=\"block-add\""))
            let bad = try await admin.post(
                client, "/admin/emulation?year=2025", cookie: root,
                ["csrf": rootCSRF, "code": "K 1", "name": "Khối 1", "year": "2025", "members": "P.A, P.B"])
            #expect(bad.status == .unprocessableContent && bad.text.contains("code: must be"))
            let unknown = try await admin.post(
                client, "/admin/emulation?year=2025", cookie: root,
                ["csrf": rootCSRF, "code": "K1", "name": "Khối 1", "year": "2025", "members": "P.A, NOPE"])
            #expect(unknown.status == .unprocessableContent && unknown.text.contains("agency: unknown agency"))
            let added = try await admin.post(
                client, "/admin/emulation?year=2025", cookie: root,
                ["csrf": rootCSRF, "code": "K1", "name": "Khối Sở", "year": "2025", "members": "P.A, P.B"])
            #expect(added.status == .seeOther)
            #expect(try await audited(app, "block.add", actor: "root") == 1)
            // A province's admin reads the blocks and rankings, adds none; an agency below sees no page.
            let (province, provinceCSRF) = try await admin.session(app, client, "tinh", agency: "P")
            let listed = try await get(client, "/admin/emulation?year=2025", cookie: province)
            #expect(listed.status == .ok && listed.text.contains("Khối Sở") && !listed.text.contains("id=\"block-add\""))
            let refused = try await admin.post(
                client, "/admin/emulation", cookie: province,
                ["csrf": provinceCSRF, "code": "K2", "name": "Khối 2", "year": "2025", "members": "P.B"])
            #expect(refused.status == .forbidden)
            let ranking = try await get(client, "/admin/emulation/K1?year=2025", cookie: province)
            #expect(ranking.status == .ok && ranking.text.contains("Điểm CCHC (tham khảo, theo cách tính của QĐ 766)"))
            #expect(ranking.text.contains("id=\"m-P.A\"") && ranking.text.contains("id=\"m-P.B\""))
            // The ranking is kept per figures version: asked again it is the same; a new rating of a member, once
            // counted, shows at once.
            func memberRow(_ page: String) -> String {
                String(page.components(separatedBy: "id=\"m-P.B\"").dropFirst().first?.components(separatedBy: "</tr>").first ?? "")
            }
            let rowBefore = memberRow(ranking.text)
            #expect(!rowBefore.isEmpty)
            #expect(memberRow(try await get(client, "/admin/emulation/K1?year=2025", cookie: province).text) == rowBefore)
            try await app.fixture.rate(1, at: time("2025-06-02T09:00:00+07:00"), source: app.fixture.sourceB(), dossier: "K1-new")
            try await app.aggregate()
            #expect(memberRow(try await get(client, "/admin/emulation/K1?year=2025", cookie: province).text) != rowBefore)
            let english = try await get(client, "/admin/emulation/K1?year=2025&lang=en", cookie: province)
            #expect(english.text.contains("PAR points (reference, Decision 766&#39;s rule)"))
            let csv = try await get(client, "/admin/emulation/K1/export?year=2025&format=csv", cookie: province)
            #expect(csv.status == .ok && csv.text.hasPrefix("\u{FEFF}Xếp hạng"))
            #expect(try await audited(app, "export", actor: "tinh") == 1)
            #expect(try await get(client, "/admin/emulation/NOPE?year=2025", cookie: province).status == .notFound)
            let (agency, _) = try await admin.session(app, client, "tuphap")
            #expect(try await get(client, "/admin/emulation", cookie: agency).status == .forbidden)
            #expect(!(try await get(client, "/admin?period=2025", cookie: agency).text.contains("id=\"emulation-link\"")))
            // The agency page's card and the overview's column say what PAR points are.
            #expect(try await get(client, "/admin?period=2025", cookie: province).text.contains("Điểm CCHC (tham khảo"))
        }
    }
}
