import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// The yearly reports' pages: an agency's report (the province's consolidated report on the province's own page) with
/// its narrative form, its versions and downloads; and the province's status page, where Sở Nội vụ sees every
/// agency's report, its deadline and the days left, and returns or accepts. Scoped like every agency page (404 outside
/// the subtree), forms refused to viewers, with the session's CSRF token; the store audits every step.
extension AdminController {
    func addReportRoutes(to router: RouterGroup<PageRequestContext>, reports: YearlyReports) {
        router.get("admin/reports", deadline: Self.deadline) { request, context in
            try await reportStatusPage(request, context: context, reports: reports)
        }
        router.post("admin/reports/deadlines", deadline: Self.deadline) { request, context in
            try await reportDeadlines(request, context: context, reports: reports)
        }
        router.get("admin/agencies/{code}/report", deadline: Self.deadline) { request, context in
            try await reportPage(request, context: context, reports: reports)
        }
        router.get("admin/agencies/{code}/report/file", deadline: Self.deadline) { request, context in
            try await reportFile(request, context: context, reports: reports)
        }
        router.post("admin/agencies/{code}/report/{action}", deadline: Self.deadline) { request, context in
            try await reportAction(request, context: context, reports: reports)
        }
    }

    /// Whether `user` speaks for the province: a system admin, or an admin of a province (an agency without a parent).
    func speaksForProvince(_ user: AdminUser) async throws -> Bool {
        guard user.role == .admin || user.role == .agencyAdmin else { return false }
        guard let scope = user.agencyID else { return user.role == .admin }
        return try await directory.agency(id: scope)?.parentID == nil
    }

    func reportYear(_ request: Request) throws -> Int {
        try Self.year(request, default: try Period.parse(String(LocalDate(Date(), in: report.timeZone).year)))
    }

    // MARK: an agency's report

    @Sendable func reportPage(_ request: Request, context: PageRequestContext, reports: YearlyReports) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let year = try reportYear(request)
        let notice = Self.reportNotice(request, page.language)
        return try await renderReport(page, year: year, reports: reports, notice: notice, error: nil, status: .ok)
    }

    /// What `?done=` says was done, in the page's language.
    static func reportNotice(_ request: Request, _ language: Language) -> String? {
        guard let done = request.uri.queryParameters["done"].map(String.init),
            ["create", "save", "refresh", "submit", "return", "accept", "deadlines", "compose"].contains(done)
        else { return nil }
        return AdminPages.text("yearly_done_\(done)", language)
    }

    /// The page's words for a version's status ("Dự thảo", "Draft").
    static func statusText(_ status: ReportStatus, _ language: Language) -> String {
        AdminPages.text("yearly_version_\(status.rawValue)", language)
    }

    /// The report pages follow `?lang=`, the reports do not: in English the page says so.
    static func documentNote(_ language: Language) -> String? {
        language == .en ? AdminPages.text("yearly_document_note", language) : nil
    }

    func renderReport(
        _ page: AgencyPage, year: Int, reports: YearlyReports, notice: String?, error: String?, status: HTTPResponse.Status,
        narrative: ReportNarrative? = nil
    ) async throws -> Response {
        let kind: ReportKind = page.agency.parentID == nil ? .consolidated : .agency
        let versions = try await reports.store.versions(agency: page.agency, year: year, kind: kind, within: page.agency)
        let current = versions.first
        let province =
            try await ReportBuilder(
                indices: indices, directory: directory, reports: reports.store, evaluation: evaluation
            ).ancestors(of: page.agency).last ?? page.agency
        let deadlines = try await reports.store.deadlines(province: province)
        let today = LocalDate(Date(), in: report.timeZone)
        let canEdit = page.user.role != .viewer
        let decides = try await speaksForProvince(page.user) && kind == .agency
        var values = yearContext(page, year: year, title: "report_title", path: "report")
        let language = page.language
        values["title"] = AdminPages.text(kind == .consolidated ? "yearly_title_consolidated" : "yearly_title", language)
        values["document_note"] = Self.documentNote(language)
        values["notice"] = notice
        values["error"] = error
        values["consolidated"] = kind == .consolidated
        values["due"] = Self.dayText(deadlines.due(kind, year: year))
        values["days_left"] = Self.daysLeftText(deadlines.daysLeft(kind, year: year, today: today), language)
        values["none"] = current == nil
        values["none_text"] = Self.filled(AdminPages.text("yearly_none", language), ["year": String(year)])
        values["can_create"] = canEdit && current == nil
        if let current {
            let shown = narrative ?? current.content.narrative
            values["version"] = current.version
            values["status"] = Self.statusText(current.status, language)
            values["status_code"] = current.status.rawValue
            values["editable"] = canEdit && current.status == .draft
            values["can_decide"] = decides && current.status == .submitted
            if current.status == .draft, versions.count > 1, versions[1].status == .returned {
                values["returned_comment"] = versions[1].decisionComment
                values["returned_by"] = Self.filled(
                    AdminPages.text("yearly_returned_by", language), ["version": String(versions[1].version)])
            }
            let snapshot = current.content.snapshot
            values["snapshot"] = Self.filled(
                AdminPages.text("yearly_snapshot", language),
                ["version": String(snapshot.version), "agency": snapshot.agency, "sha256": snapshot.sha256])
            values["published_for_report"] = current.content.snapshot.publishedForReport
            values["content_sha256"] = current.contentSHA256
            values["sections"] = zip(
                ReportNarrative.fields,
                [
                    "IV. Kết quả đạt được", "V. Tồn tại, hạn chế và nguyên nhân",
                    "VI. Phương hướng, nhiệm vụ năm \(year + 1)", "VII. Đề xuất, kiến nghị",
                ]
            ).map { field, label in
                ["field": field, "label": label, "text": shown[field]]
            }
            values["versions"] = versions.map { version -> [String: Any] in
                [
                    "version": version.version, "status": Self.statusText(version.status, language),
                    "submitted": version.submittedAt.map { AdminPages.dateTime($0, timeZone: report.timeZone) } ?? "–",
                    "decided": version.decidedAt.map { AdminPages.dateTime($0, timeZone: report.timeZone) } ?? "–",
                    "comment": version.decisionComment ?? "", "sha256": version.contentSHA256 ?? "–",
                ]
            }
        }
        return AdminPages.render("report_agency", values, status: status, secure: secure)
    }

    /// "15/11/2026".
    static func dayText(_ day: LocalDate) -> String { String(format: "%02d/%02d/%04d", day.day, day.month, day.year) }

    @Sendable func reportAction(_ request: Request, context: PageRequestContext, reports: YearlyReports) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let year = try reportYear(request)
        let action = try context.parameters.require("action")
        guard ["create", "save", "refresh", "submit", "return", "accept", "compose"].contains(action) else {
            throw Problem(.notFound, field: "action", detail: "no such report action '\(action)'")
        }
        let fields = try await editorForm(request, page: page, upTo: 128 * 1024)
        let kind: ReportKind = page.agency.parentID == nil ? .consolidated : .agency
        let actor = page.user.username
        var narrative = ReportNarrative()
        for field in ReportNarrative.fields { narrative[field] = (fields[field] ?? "").replacingOccurrences(of: "\r\n", with: "\n") }
        do {
            switch action {
            case "create":
                _ = try await onFiguresExecutor {
                    try await reports.makeDraft(agency: page.agency, year: year, kind: kind, by: actor, within: page.agency)
                }
            case "save", "submit":
                _ = try await reports.saveNarrative(narrative, agency: page.agency, year: year, kind: kind, by: actor, within: page.agency)
                if action == "submit" {
                    _ = try await reports.store.submit(agency: page.agency, year: year, kind: kind, by: actor, within: page.agency)
                }
            case "refresh":
                _ = try await onFiguresExecutor {
                    try await reports.refreshFigures(agency: page.agency, year: year, kind: kind, by: actor, within: page.agency)
                }
            case "compose":
                guard kind == .consolidated else {
                    throw ValidationError(field: "action", reason: "only the consolidated report is composed from the agencies' reports")
                }
                let composed = try await reports.composedNarrative(province: page.agency, year: year)
                _ = try await reports.saveNarrative(composed, agency: page.agency, year: year, kind: kind, by: actor, within: page.agency)
            default:  // return, accept
                guard try await speaksForProvince(page.user), kind == .agency else {
                    throw Problem(.forbidden, field: "role", detail: "only Sở Nội vụ (an admin of the province) returns or accepts reports")
                }
                _ = try await reports.store.decide(
                    agency: page.agency, year: year, kind: kind, status: action == "return" ? .returned : .accepted,
                    comment: fields["comment"] ?? "", by: actor, within: page.agency)
            }
        } catch let error as ValidationError {
            return try await renderReport(
                page, year: year, reports: reports, notice: nil, error: "\(error.field): \(error.reason)", status: .unprocessableContent,
                narrative: action == "save" || action == "submit" ? narrative : nil)
        } catch let error as StoreError {
            if case .notFound(let field, _) = error, field == "agency" { throw error }
            return try await renderReport(
                page, year: year, reports: reports, notice: nil, error: error.description, status: .unprocessableContent)
        }
        let back = request.uri.queryParameters["back"] == "status" ? "/admin/reports?year=\(year)" : "\(page.base)/report?year=\(year)"
        return redirect("\(back)&lang=\(page.language.rawValue)&done=\(action)")
    }

    /// `?format=docx|pdf|html[&version=N]`: a version as a file; audited.
    @Sendable func reportFile(_ request: Request, context: PageRequestContext, reports: YearlyReports) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let year = try reportYear(request)
        guard let format = YearlyReports.Format(rawValue: request.uri.queryParameters["format"].map(String.init) ?? "docx") else {
            throw Problem(.badRequest, field: "format", detail: "format must be docx, pdf or html")
        }
        let kind: ReportKind = page.agency.parentID == nil ? .consolidated : .agency
        let versions = try await reports.store.versions(agency: page.agency, year: year, kind: kind, within: page.agency)
        let wanted = request.uri.queryParameters["version"].flatMap { Int(String($0)) }
        guard let chosen = wanted.map({ number in versions.first { $0.version == number } }) ?? versions.first else {
            throw Problem(.notFound, field: wanted == nil ? "year" : "version", detail: "no such report of \(year) for \(page.agency.code)")
        }
        let file: (bytes: [UInt8], filename: String)
        do {
            file = try await reports.render(chosen, format: format)
        } catch let error as ReportPDF.Unavailable {
            throw Problem(.serviceUnavailable, field: "format", detail: error.description)
        }
        try await users.audit(
            actor: page.user.username, action: "export", agencyID: page.agency.id, subject: "report \(year) \(page.agency.code)",
            detail: ["version": String(chosen.version), "format": format.rawValue])
        var headers = AdminPages.headers(secure: secure)
        headers[.contentType] = format.contentType
        if format != .html { headers[.contentDisposition] = Self.attachment(file.filename) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    // MARK: the province's status page

    @Sendable func reportStatusPage(_ request: Request, context: PageRequestContext, reports: YearlyReports) async throws -> Response {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        let year = try reportYear(request)
        let user = context.user
        let provinces: [Agency]
        if let scope = user.agencyID {
            guard let own = try await directory.agency(id: scope) else { throw Problem(.notFound, field: "agency", detail: "no agency") }
            guard own.parentID == nil else {
                // An agency's admin owes a report: their own page says when and where it stands.
                return redirect("/admin/agencies/\(CodeText.escaped(own.code))/report?year=\(year)&lang=\(language.rawValue)")
            }
            provinces = [own]
        } else {
            provinces = try await directory.roots()
        }
        let today = LocalDate(Date(), in: report.timeZone)
        let decides = try await speaksForProvince(user)
        var sections: [[String: Any]] = []
        for province in provinces {
            let deadlines = try await reports.store.deadlines(province: province)
            let standings = try await reports.store.standings(province: province, year: year, within: province)
            let consolidated = try await reports.store.latest(agency: province, year: year, kind: .consolidated, within: province)
            let due = deadlines.due(.agency, year: year)
            let left = deadlines.daysLeft(.agency, year: year, today: today)
            var counts: [String: Int] = [:]
            for standing in standings { counts[standing.state, default: 0] += 1 }
            sections.append([
                "code": province.code, "path": CodeText.escaped(province.code), "name": province.name,
                "agency_due": Self.dayText(due), "province_due": Self.dayText(deadlines.due(.consolidated, year: year)),
                "agency_days_left": Self.daysLeftText(left, language),
                "province_days_left": Self.daysLeftText(deadlines.daysLeft(.consolidated, year: year, today: today), language),
                "agency_due_input": "\(deadlines.agencyDay)/\(deadlines.agencyMonth)",
                "province_due_input": "\(deadlines.provinceDay)/\(deadlines.provinceMonth)",
                "consolidated_status": consolidated.map { "\(Self.statusText($0.status, language)) (v\($0.version))" }
                    ?? AdminPages.text("yearly_state_not_started", language),
                "summary": ["not_started", "draft", "submitted", "returned", "accepted"].map {
                    ["label": AdminPages.text("yearly_state_\($0)", language), "count": counts[$0] ?? 0, "state": $0] as [String: Any]
                },
                "rows": standings.map { standing -> [String: Any] in
                    let latest = standing.latest
                    let late = latest?.submittedAt == nil && left < 0
                    return [
                        "code": standing.agency.code, "path": CodeText.escaped(standing.agency.code), "name": standing.agency.name,
                        "state": standing.state, "status": AdminPages.text("yearly_state_\(standing.state)", language),
                        "version": latest.map { "v\($0.version)" } ?? "–",
                        "submitted": latest?.submittedAt.map { AdminPages.dateTime($0, timeZone: report.timeZone) } ?? "–",
                        "days_left": latest?.submittedAt == nil ? Self.daysLeftText(left, language) : "–", "late": late,
                        "comment": standing.returnedComment ?? latest?.decisionComment ?? "",
                        "can_decide": decides && latest?.status == .submitted,
                    ]
                },
            ])
        }
        var values = AdminPages.context(language).merging([
            "user": user.username, "csrf": context.csrf, "year": year, "period": String(year),
            "switch_query": "year=\(year)&lang=\(language.other.rawValue)", "provinces": sections, "can_decide": decides,
        ]) { $1 }
        // Set only when there is one: an absent optional put in the context would print as "nil".
        values["notice"] = Self.reportNotice(request, language)
        values["document_note"] = Self.documentNote(language)
        return AdminPages.render("report_status", values, status: .ok, secure: secure)
    }

    @Sendable func reportDeadlines(_ request: Request, context: PageRequestContext, reports: YearlyReports) async throws -> Response {
        try checkOrigin(request)
        let fields = try await request.formFields(upTo: 16 * 1024)
        guard ConstantTime.equals(fields["csrf"], context.csrf) else {
            throw Problem(.forbidden, field: "csrf", detail: "the form is out of date; reload the page")
        }
        guard try await speaksForProvince(context.user) else {
            throw Problem(.forbidden, field: "role", detail: "only an admin of the province sets its deadlines")
        }
        let code = fields["province"] ?? ""
        guard let province = try await directory.agency(code: code), province.parentID == nil,
            context.user.agencyID.map({ $0 == province.id }) ?? true
        else {
            throw Problem(.notFound, field: "province", detail: "province '\(code)' was not found")
        }
        let agencyDue = try ReportDeadlines.parseDay(fields["agency_due"] ?? "", field: "agency_due")
        let provinceDue = try ReportDeadlines.parseDay(fields["province_due"] ?? "", field: "province_due")
        try await reports.store.setDeadlines(
            ReportDeadlines(
                agencyMonth: agencyDue.month, agencyDay: agencyDue.day, provinceMonth: provinceDue.month, provinceDay: provinceDue.day),
            province: province, by: context.user.username, within: province)
        let year = try reportYear(request)
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        return redirect("/admin/reports?year=\(year)&lang=\(language.rawValue)&done=deadlines")
    }
}
