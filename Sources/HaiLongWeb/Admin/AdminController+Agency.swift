import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// The agency page, its exports, the flag review page and the complaints inbox. Each one answers 404 for an agency
/// outside the signed-in user's subtree, exactly as for one that does not exist.
extension AdminController {
    func addAgencyRoutes(to router: RouterGroup<PageRequestContext>) {
        router.get("admin/agencies/{code}", deadline: Self.deadline, use: agencyPage)
        router.get("admin/agencies/{code}/export", deadline: Self.deadline, use: export)
        router.get("admin/agencies/{code}/flags", deadline: Self.deadline, use: flagsPage)
        router.post("admin/agencies/{code}/flags", deadline: Self.deadline, use: reviewFlag)
        router.get("admin/agencies/{code}/complaints", deadline: Self.deadline, use: complaintsPage)
        router.post("admin/agencies/{code}/complaints", deadline: Self.deadline, use: updateComplaint)
    }

    /// The agency page's figures, kept per figures version (the heatmap with them: it follows the same responses).
    struct AgencyFigures: Sendable {
        var own: IndicesDocument
        var officers: IndicesDocument
        var trend: [Trend.Point]
        var heat: [HeatCell]
    }

    /// What every page of one agency starts from.
    struct AgencyPage {
        var language: Language
        var user: AdminUser
        var csrf: String
        var agency: Agency
        var period: Period
        var questionnaire: Questionnaire

        /// The page's own query string, to come back to it (after a review, or in a language switch).
        var query: String { "period=\(period.label)&questionnaire=\(questionnaire.code)&lang=\(language.rawValue)" }

        /// Whether the user may review flags and follow complaints up (everyone but a viewer).
        var canEdit: Bool { user.role != .viewer }

        /// The agency page's path; its other pages hang below it.
        var base: String { "/admin/agencies/\(CodeText.escaped(agency.code))" }

        var context: [String: Any] {
            AdminPages.context(language).merging([
                "user": user.username, "csrf": csrf, "agency_code": agency.code, "agency_name": agency.name,
                "period": period.label, "questionnaire": questionnaire.code,
                "base": base, "query": query,
                "switch_query": "period=\(period.label)&questionnaire=\(questionnaire.code)&lang=\(language.other.rawValue)",
                "can_edit": canEdit, "title": agency.name,
                "form_action": base,
                "questionnaires": ["kiosk-3", "sipas-5"].map { code in
                    ["code": code, "label": AdminPages.text("q_\(code)", language), "selected": code == questionnaire.code]
                },
            ]) { $1 }
        }

        /// The period as an instant range `[from, to)` in the province's zone.
        func range(_ timeZone: TimeZone) -> (from: Date, to: Date) {
            (period.first.start(in: timeZone), period.last.adding(days: 1).start(in: timeZone))
        }
    }

    /// The signed-in user's page of `{code}`.
    func agencyPageContext(_ request: Request, context: PageRequestContext) async throws -> AgencyPage {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        let (user, csrf) = (context.user, context.csrf)
        let code = try context.parameters.require("code")
        guard let agency = try await directory.agency(code: code),
            try await user.agencyID.asyncMap({ try await directory.isAgency(agency.id, within: $0) }) ?? true
        else {
            throw Problem(.notFound, field: "code", detail: "agency '\(code)' was not found")
        }
        let year = String(LocalDate(Date(), in: report.timeZone).description.prefix(4))
        let period = try IndicesController.period(request.uri.queryParameters["period"].map(String.init) ?? year)
        let questionnaireCode = request.uri.queryParameters["questionnaire"].map(String.init) ?? "kiosk-3"
        guard let questionnaire = try await indices.questionnaire(code: questionnaireCode) else {
            throw Problem(.badRequest, field: "questionnaire", detail: "unknown questionnaire '\(questionnaireCode)'")
        }
        return AgencyPage(language: language, user: user, csrf: csrf, agency: agency, period: period, questionnaire: questionnaire)
    }

    /// A state-changing form: same site, signed in, allowed to change things, with the session's CSRF token.
    func editorForm(_ request: Request, page: AgencyPage, upTo limit: Int = 16 * 1024) async throws -> [String: String] {
        try checkOrigin(request)
        let fields = try await request.formFields(upTo: limit)
        guard ConstantTime.equals(fields["csrf"], page.csrf) else {
            throw Problem(.forbidden, field: "csrf", detail: "the form is out of date; reload the page")
        }
        guard page.user.role != .viewer else {
            throw Problem(.forbidden, field: "role", detail: "a viewer account cannot change anything")
        }
        return fields
    }

    // MARK: agency page

    @Sendable func agencyPage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let language = page.language
        let methodology = try await indices.defaultMethodology()
        let own = IndicesQuery(
            period: page.period, agency: page.agency, depth: .own, questionnaire: page.questionnaire, methodology: methodology)
        var byOfficer = own
        byOfficer.grouping = .officer
        byOfficer.details = false  // the page lists officers' n, index, interval and rank only
        let key = "\(page.agency.id)|\(page.period.label)|\(page.questionnaire.code)|\(methodology.code):\(methodology.version)"
        let version = try await indices.figuresVersion()
        let agencyFigures = self.agencyFigures
        let html = try await agencyFragments.answer(key: "\(key)|\(language.rawValue)", version: version) {
            [report, dashboard, byOfficer] in
            let figures = try await agencyFigures.answer(key: key, version: version) {
                // Four independent reads, at the same time (each on a connection of its own).
                async let ownDocument = report.document(own)
                async let officers = report.document(byOfficer)
                async let trend = report.trend(own, by: page.period.dayCount > 62 ? "month" : "day")
                async let heat = dashboard.heatmap(
                    under: page.agency.id, questionnaire: page.questionnaire.code, period: page.period)
                return AgencyFigures(own: try await ownDocument, officers: try await officers, trend: try await trend, heat: try await heat)
            }
            let view = AgencyView(
                language: language, questionnaire: page.questionnaire, item: figures.own.items.first, officers: figures.officers.items,
                trend: figures.trend, heat: figures.heat, timeZone: report.timeZone)
            return AdminPages.library.render(AdminPages.context(language).merging(view.values) { $1 }, withTemplate: "agency_figures") ?? ""
        }
        var values = page.context
        values["figures_html"] = html
        values.merge(AdminPages.kioskRows(try await kioskTable(page.agency), language: language, timeZone: report.timeZone)) { $1 }
        return AdminPages.render("agency", values, status: .ok, secure: secure)
    }

    /// The first 100 kiosks of `agency`'s subtree as `PostgresDashboardStore.kiosks` lists them, at most
    /// `kioskTableWindow` seconds old (`kioskTables`).
    func kioskTable(_ agency: Agency) async throws -> KioskTable {
        let window = Int64((Date().timeIntervalSince1970 / Self.kioskTableWindow).rounded(.down))
        let key = "\(agency.id)|\(kioskChanges.current)"
        return try await kioskTables.answer(key: key, version: window) { [dashboard] in
            try await dashboard.kiosks(under: agency.id, limit: 100)
        }
    }

    /// `?format=csv|xlsx`: the page's figures (the agency and its children) as the indices API exports them; audited.
    @Sendable func export(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let format = request.uri.queryParameters["format"].map(String.init) ?? "csv"
        guard ["csv", "xlsx"].contains(format) else {
            throw Problem(.badRequest, field: "format", detail: "format must be csv or xlsx")
        }
        let methodology = try await indices.defaultMethodology()
        let query = IndicesQuery(
            period: page.period, agency: page.agency, depth: .children, questionnaire: page.questionnaire, methodology: methodology)
        let version = try await indices.figuresVersion()
        let key =
            "\(page.agency.id)|\(page.period.label)|\(page.questionnaire.code)|\(methodology.code):\(methodology.version)|\(format)|\(page.language.rawValue)"
        let answer = try await exports.answer(key: key, version: version) { [report] in
            try await onFiguresExecutor { try await report.document(query).answer(format: format, vietnamese: page.language == .vi) }
        }
        try await users.audit(
            actor: page.user.username, action: "export", agencyID: page.agency.id, subject: "agency \(page.agency.code)",
            detail: ["period": page.period.label, "questionnaire": page.questionnaire.code, "format": format])
        var headers = AdminPages.headers(secure: secure)
        for field in answer.headers { headers[field.name] = field.value }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: answer.body))
    }

    // MARK: flag review

    @Sendable func flagsPage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let range = page.range(report.timeZone)
        let flagged = try await dashboard.flagged(under: page.agency.id, from: range.from, to: range.to)
        var values = page.context
        values["title"] = AdminPages.text("flags_title", page.language)
        values["form_action"] = "\(page.base)/flags"
        values["sections"] = AdminPages.flagSections(flagged, page: page, timeZone: report.timeZone)
        values["empty"] = flagged.isEmpty
        values["limit_note"] = flagged.count >= 200
        return AdminPages.render("flags", values, status: .ok, secure: secure)
    }

    @Sendable func reviewFlag(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let fields = try await editorForm(request, page: page)
        let (id, note) = try Self.responseAndNote(fields)
        guard let flag = fields["flag"].flatMap(Flag.init(rawValue:)) else {
            throw Problem(
                .badRequest, field: "flag", detail: "flag must be one of \(Flag.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let action = fields["action"].flatMap(ReviewAction.init(rawValue:)) else {
            throw Problem(.badRequest, field: "action", detail: "action must be clear, restore or confirm")
        }
        guard try await dashboard.holdsResponse(id, under: page.agency.id) else {
            throw Problem(.notFound, field: "response", detail: "no such response at this agency")
        }
        do {
            try await dashboard.reviewer.review(
                responseID: id, flag: flag, action: action, note: note, reviewedBy: page.user.username, within: page.agency.id)
        } catch let error as ValidationError {
            throw Problem(.unprocessableContent, field: error.field, detail: error.reason)
        }
        return redirect("\(page.base)/flags?\(page.query)#r-\(id.uuidString.lowercased())")
    }

    // MARK: complaints

    /// The complaints inbox's place: its filters and which page of it (the complaint the page starts after, and the
    /// position of its first complaint, which only numbers the page). Read from the page's query and kept in its links
    /// and forms, so that following a complaint up comes back to the same page.
    struct ComplaintList {
        /// Complaints shown on one page: a province's 200 with their forms weighed 260 KB.
        static let pageSize = 100

        var counter: String?
        var officer: String?
        var status: ComplaintStatus?
        var after: UUID?
        var start = 1

        init(_ parameters: Parameters) throws {
            func text(_ name: String) -> String? { parameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
            counter = text("counter")
            officer = text("officer")
            if let value = text("status") {
                guard let status = ComplaintStatus(rawValue: value) else {
                    throw Problem(.badRequest, field: "status", detail: "status must be new, following_up or resolved")
                }
                self.status = status
            }
            if let value = text("after") {
                guard let after = UUID(uuidString: value) else {
                    throw Problem(.badRequest, field: "after", detail: "after must be the id of the complaint the page starts after")
                }
                self.after = after
            }
            if let value = text("start") {
                guard let start = Int(value), (1...10_000_000).contains(start) else {
                    throw Problem(.badRequest, field: "start", detail: "start must be a whole number from 1")
                }
                self.start = start
            }
        }

        /// The filters as query parameters (after the page's own).
        var filters: String {
            [("counter", counter), ("officer", officer), ("status", status?.rawValue)]
                .compactMap { name, value in value.map { "&\(name)=\(CodeText.escaped($0))" } }.joined()
        }

        /// This page's query: the agency page's, the filters, and where the page starts.
        func query(_ page: AgencyPage) -> String {
            page.query + filters + (after.map { "&after=\($0.uuidString.lowercased())&start=\(start)" } ?? "")
        }
    }

    @Sendable func complaintsPage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let list = try ComplaintList(request.uri.queryParameters)
        let range = page.range(report.timeZone)
        // One more than a page, to know whether there is a next one.
        var complaints = try await dashboard.complaints(
            under: page.agency.id,
            filter: ComplaintFilter(
                from: range.from, to: range.to, counterCode: list.counter, officerBadge: list.officer, status: list.status,
                after: list.after),
            limit: ComplaintList.pageSize + 1)
        let more = complaints.count > ComplaintList.pageSize
        complaints = Array(complaints.prefix(ComplaintList.pageSize))
        var values = page.context
        values["title"] = AdminPages.text("complaints_title", page.language)
        values["form_action"] = "\(page.base)/complaints"
        values["complaint_filters"] = true
        // "Chuyển thành vi phạm": the violation form, prefilled from the complaint (its id is appended).
        let violationFrom = "\(page.base)/violations?year=\(page.period.first.year)&lang=\(page.language.rawValue)&complaint="
        values["articles"] = AdminPages.complaintArticles(
            complaints, page: page, listQuery: list.query(page), timeZone: report.timeZone, violationFrom: violationFrom)
        values["empty"] = complaints.isEmpty
        values["filter_counter"] = list.counter ?? ""
        values["filter_officer"] = list.officer ?? ""
        values["statuses"] = ComplaintStatus.allCases.map {
            ["value": $0.rawValue, "label": AdminPages.text("status_\($0.rawValue)", page.language), "selected": $0 == list.status]
        }
        let first = "\(page.base)/complaints?\(page.query)\(list.filters)"
        let next = complaints.last.map { "\(first)&after=\($0.id.uuidString.lowercased())&start=\(list.start + complaints.count)" }
        values.merge(
            AdminPages.complaintsPager(
                start: list.start, shown: complaints.count, newest: list.after == nil ? nil : first, older: more ? next : nil,
                language: page.language)
        ) { $1 }
        return AdminPages.render("complaints", values, status: .ok, secure: secure)
    }

    @Sendable func updateComplaint(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let list = try ComplaintList(request.uri.queryParameters)
        let fields = try await editorForm(request, page: page)
        let (id, note) = try Self.responseAndNote(fields)
        guard let status = fields["status"].flatMap(ComplaintStatus.init(rawValue:)) else {
            throw Problem(.badRequest, field: "status", detail: "status must be new, following_up or resolved")
        }
        do {
            try await dashboard.updateComplaint(id, status: status, note: note, by: page.user.username, within: page.agency.id)
        } catch StoreError.notFound {
            throw Problem(.notFound, field: "response", detail: "no such complaint at this agency")
        }
        return redirect("\(page.base)/complaints?\(list.query(page))#r-\(id.uuidString.lowercased())")
    }

    /// The response a review or complaint form is about, and its note (trimmed; none when empty; at most 1,000).
    static func responseAndNote(_ fields: [String: String]) throws -> (id: UUID, note: String?) {
        guard let id = fields["response"].flatMap(UUID.init(uuidString:)) else {
            throw Problem(.badRequest, field: "response", detail: "response must be a response id")
        }
        let note = fields["note"].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        guard (note?.count ?? 0) <= 1000 else { throw Problem(.badRequest, field: "note", detail: "a note has at most 1,000 characters") }
        return (id, note)
    }
}
