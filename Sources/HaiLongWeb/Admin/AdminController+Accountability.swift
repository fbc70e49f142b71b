import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird
import MultipartKit

/// The year's accountability loop for an agency's subtree: inspections and violations (report, confirm or dismiss
/// with a reason, evidence files), and the officers' evaluation support. Scoped like every agency page (404 outside the
/// subtree), every form refused to viewers (403), with the session's CSRF token and a same-site `Origin`; the stores
/// audit every change.
extension AdminController {
    func addAccountabilityRoutes(to router: RouterGroup<PageRequestContext>) {
        router.get("admin/agencies/{code}/violations", deadline: Self.deadline, use: violationsPage)
        router.get("admin/agencies/{code}/violations/files/{id}", deadline: Self.deadline, use: evidenceFile)
        router.post("admin/agencies/{code}/violations/{action}", deadline: Self.deadline, use: violationAction)
        router.get("admin/agencies/{code}/evaluation", deadline: Self.deadline, use: evaluationPage)
        router.get("admin/agencies/{code}/evaluation/export", deadline: Self.deadline, use: evaluationExport)
        addEmulationRoutes(to: router)
    }

    var accountability: PostgresAccountabilityStore { dashboard.accountability }

    var evaluation: EvaluationReport {
        EvaluationReport(indices: indices, accountability: dashboard.accountability, emulation: dashboard.emulation, report: report)
    }

    /// The year a page shows: `?year=`, else the year the agency pages' period starts in.
    static func year(_ request: Request, default period: Period) throws -> Int {
        if let text = request.uri.queryParameters["year"].map(String.init), !text.isEmpty {
            guard let year = Int(text), (2000...2100).contains(year) else {
                throw Problem(.badRequest, field: "year", detail: "year must be 2000–2100")
            }
            return year
        }
        return period.first.year
    }

    /// An agency page's context for a page by year: the head's filter asks for the year, the language switch keeps it.
    func yearContext(_ page: AgencyPage, year: Int, title: String, path: String) -> [String: Any] {
        var values = page.context
        values["title"] = AdminPages.text(title, page.language)
        values["period"] = String(year)
        values["year"] = year
        values["year_filter"] = true
        values["form_action"] = "\(page.base)/\(path)"
        values["year_query"] = "year=\(year)&lang=\(page.language.rawValue)"
        values["switch_query"] = "year=\(year)&lang=\(page.language.other.rawValue)"
        return values
    }

    // MARK: violations

    @Sendable func violationsPage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let year = try Self.year(request, default: page.period)
        var prefill = ViolationsView.Prefill()
        if let text = request.uri.queryParameters["complaint"].map(String.init), !text.isEmpty {
            // From the complaints inbox: the rating, and its officer when it named one.
            guard let id = UUID(uuidString: text), let named = try await dashboard.complaintOfficer(id, under: page.agency) else {
                throw Problem(.notFound, field: "complaint", detail: "no such complaint at this agency")
            }
            prefill = .init(source: "complaint", response: id.uuidString.lowercased(), officer: named.badge.map { "\(named.agency)/\($0)" })
        }
        let notice = request.uri.queryParameters["done"].flatMap { AdminPages.strings[page.language]?["done_violation_\($0)"] }
        return try await renderViolations(page, year: year, prefill: prefill, notice: notice, error: nil, status: .ok)
    }

    func renderViolations(
        _ page: AgencyPage, year: Int, prefill: ViolationsView.Prefill, notice: String?, error: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        async let norms = accountability.norms()
        async let officers = indices.officers(under: page.agency)
        async let inspections = accountability.inspections(under: page.agency, year: year, within: page.agency)
        async let violations = accountability.violations(under: page.agency, year: year, within: page.agency)
        async let files = dashboard.evidenceFiles(under: page.agency, year: year)
        let view = ViolationsView(
            language: page.language, base: page.base, year: year, norms: try await norms, officers: try await officers,
            inspections: try await inspections, violations: try await violations, files: try await files, prefill: prefill)
        var values = yearContext(page, year: year, title: "violations_title", path: "violations")
        values.merge(view.values) { $1 }
        values["notice"] = notice
        values["error"] = error
        let today = LocalDate(Date(), in: report.timeZone).description
        values["today"] = today
        values["report_date"] = prefill.date.isEmpty ? today : prefill.date
        return AdminPages.render("violations", values, status: status, secure: secure)
    }

    @Sendable func violationAction(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let year = try Self.year(request, default: page.period)
        let action = try context.parameters.require("action")
        guard ["inspection", "report", "decide", "evidence"].contains(action) else {
            throw Problem(.notFound, field: "action", detail: "no such violations action '\(action)'")
        }
        let fields = try await accountabilityForm(request, page: page)
        let actor = page.user.username
        func value(_ name: String) -> String { (fields.text[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        func optional(_ name: String) -> String? { value(name).isEmpty ? nil : value(name) }
        var prefill = ViolationsView.Prefill()
        do {
            switch action {
            case "inspection":
                let agency = try await agencyWithin(page, code: optional("agency"), field: "agency")
                _ = try await accountability.addInspection(
                    agency: agency, heldOn: try Self.date(value("held_on"), field: "held_on"), kind: value("kind"), team: value("team"),
                    findings: optional("findings"), by: actor, within: page.agency)
            case "report":
                prefill = .init(
                    source: value("source"), response: value("response"), officer: optional("officer"), norm: value("norm"),
                    inspection: value("inspection"), description: value("description"), date: value("occurred_on"))
                let (agency, badge) = try await reportedOfficer(page, fields.text)
                let occurred = try Self.date(value("occurred_on"), field: "occurred_on")
                guard let source = ViolationSource(rawValue: value("source")) else {
                    throw ValidationError(field: "source", reason: "must be inspection, complaint, supervisor, camera or other")
                }
                guard !value("norm").isEmpty else { throw ValidationError(field: "norm", reason: "choose a norm from the catalogue") }
                let description = value("description")
                guard !description.isEmpty, description.count <= 4000 else {
                    throw ValidationError(field: "description", reason: "must be 1–4000 characters")
                }
                var inspection: Int64?
                if let text = optional("inspection") {
                    guard let id = Int64(text) else { throw ValidationError(field: "inspection", reason: "must be an inspection id") }
                    inspection = id
                }
                var response: UUID?
                if let text = optional("response") {
                    guard let id = UUID(uuidString: text) else { throw ValidationError(field: "response", reason: "must be a rating id") }
                    response = id
                }
                // The file is checked before anything is stored: a refused file leaves no violation behind.
                let file = fields.files["evidence"].flatMap { $0.bytes.isEmpty ? nil : $0 }
                if let file { _ = try EvidenceFile.check(file.bytes) }
                let id = try await accountability.report(
                    ViolationReport(
                        badge: badge, occurredOn: occurred, norm: value("norm"), source: source, inspectionID: inspection,
                        responseID: response, description: description),
                    agency: agency, by: actor, within: page.agency)
                if let file {
                    _ = try await accountability.addEvidence(id, fileName: file.name, bytes: file.bytes, by: actor, within: page.agency)
                }
            case "decide":
                guard let id = Int64(value("violation")) else {
                    throw ValidationError(field: "violation", reason: "must be a violation id")
                }
                guard let status = ViolationStatus(rawValue: value("status")), status != .reported else {
                    throw ValidationError(field: "status", reason: "must be confirmed or dismissed")
                }
                try await accountability.decide(id, status: status, reason: value("reason"), by: actor, within: page.agency)
            default:  // evidence
                guard let id = Int64(value("violation")) else {
                    throw ValidationError(field: "violation", reason: "must be a violation id")
                }
                guard let file = fields.files["evidence"], !file.bytes.isEmpty else {
                    throw ValidationError(field: "evidence", reason: "choose a PDF, JPEG or PNG file")
                }
                _ = try await accountability.addEvidence(id, fileName: file.name, bytes: file.bytes, by: actor, within: page.agency)
            }
        } catch let error as ValidationError {
            return try await renderViolations(
                page, year: year, prefill: prefill, notice: nil, error: "\(error.field): \(error.reason)", status: .unprocessableContent)
        } catch StoreError.notFound(let field, let value) where field == "violation" {
            throw Problem(.notFound, field: "violation", detail: "no violation '\(value)' at this agency")
        } catch let error as StoreError {
            return try await renderViolations(
                page, year: year, prefill: prefill, notice: nil, error: error.description, status: .unprocessableContent)
        }
        return redirect("\(page.base)/violations?year=\(year)&lang=\(page.language.rawValue)&done=\(action)")
    }

    /// The officer a report names: `badge` (with `officer_agency`, the page's agency by default) when typed, else the
    /// `officer` select's `agency/badge`; the agency must lie in the page's subtree.
    func reportedOfficer(_ page: AgencyPage, _ fields: [String: String]) async throws -> (Agency, String) {
        let typed = (fields["badge"] ?? "").trimmingCharacters(in: .whitespaces)
        if !typed.isEmpty {
            let code = (fields["officer_agency"] ?? "").trimmingCharacters(in: .whitespaces)
            return (try await agencyWithin(page, code: code.isEmpty ? nil : code, field: "officer_agency"), typed)
        }
        let chosen = (fields["officer"] ?? "").split(separator: "/", maxSplits: 1).map(String.init)
        guard chosen.count == 2 else { throw ValidationError(field: "officer", reason: "choose an officer or type a badge") }
        return (try await agencyWithin(page, code: chosen[0], field: "officer"), chosen[1])
    }

    /// `code` (the page's agency when nil), which must be the page's agency or one below it.
    func agencyWithin(_ page: AgencyPage, code: String?, field: String) async throws -> Agency {
        guard let code, code != page.agency.code else { return page.agency }
        guard let agency = try await directory.agency(code: code), try await directory.isAgency(agency.id, within: page.agency.id) else {
            throw ValidationError(field: field, reason: "'\(code)' is not \(page.agency.code) or an agency below it")
        }
        return agency
    }

    static func date(_ text: String, field: String) throws -> LocalDate {
        guard let date = LocalDate(text), (2000...2100).contains(date.year) else {
            throw ValidationError(field: field, reason: "must be a date YYYY-MM-DD")
        }
        return date
    }

    /// A form of the violations page, URL-encoded or (with a file) multipart, checked like every editor's form.
    func accountabilityForm(_ request: Request, page: AgencyPage) async throws -> (
        text: [String: String], files: [String: (name: String, bytes: [UInt8])]
    ) {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data") else {
            return (try await editorForm(request, page: page), [:])
        }
        return try await multipartForm(request, page: page, upTo: EvidenceFile.maxBytes + 64 * 1024)
    }

    /// An evidence file of a violation in the subtree, as a download (never shown inline).
    @Sendable func evidenceFile(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        guard let id = Int64(try context.parameters.require("id")),
            let file = try await accountability.evidence(id, within: page.agency)
        else {
            throw Problem(.notFound, field: "id", detail: "no such evidence file at this agency")
        }
        var headers = AdminPages.headers(secure: secure)
        headers[.contentType] = file.type
        headers[.contentDisposition] = Self.attachment(file.name)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
    }

    /// `attachment` with an ASCII fallback name and the real one in RFC 5987 form.
    static func attachment(_ name: String) -> String {
        let ascii = String(
            name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && !"\"\\;".unicodeScalars.contains($0) ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? ""
        return "attachment; filename=\"\(ascii.isEmpty ? "evidence" : ascii)\"; filename*=UTF-8''\(encoded)"
    }

    // MARK: evaluation

    @Sendable func evaluationPage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let year = try Self.year(request, default: page.period)
        let document = try await keptEvaluation(year: year, agency: page.agency)
        let minimum = try await indices.defaultMethodology().minN
        let number = try AdminPages.pageNumber(request.uri.queryParameters["page"].map(String.init))
        var values = yearContext(page, year: year, title: "evaluation_title", path: "evaluation")
        let base = "\(page.base)/evaluation?year=\(year)&lang=\(page.language.rawValue)"
        values.merge(AdminPages.evaluationRows(document, minimum: minimum, page: number, base: base, language: page.language)) { $1 }
        return AdminPages.render("evaluation", values, status: .ok, secure: secure)
    }

    /// The evaluation of `agency`'s officers in `year`, computed once per figures version.
    func keptEvaluation(year: Int, agency: Agency) async throws -> EvaluationReport.OfficerDocument {
        let version = try await indices.figuresVersion()
        return try await officerEvaluations.answer(key: "\(agency.id)|\(year)", version: version) { [evaluation] in
            try await onFiguresExecutor { try await evaluation.officers(year: year, agency: agency) }
        }
    }

    /// `?format=csv|xlsx`: the evaluation table as the API exports it, headers in the page's language; audited.
    @Sendable func evaluationExport(_ request: Request, context: PageRequestContext) async throws -> Response {
        let page = try await agencyPageContext(request, context: context)
        let year = try Self.year(request, default: page.period)
        let format = request.uri.queryParameters["format"].map(String.init) ?? "csv"
        guard ["csv", "xlsx"].contains(format) else { throw Problem(.badRequest, field: "format", detail: "format must be csv or xlsx") }
        let document = try await keptEvaluation(year: year, agency: page.agency)
        let answer = try await onFiguresExecutor { try document.answer(format: format, vietnamese: page.language == .vi) }
        try await users.audit(
            actor: page.user.username, action: "export", agencyID: page.agency.id, subject: "evaluation \(page.agency.code)",
            detail: ["year": String(year), "format": format])
        var headers = AdminPages.headers(secure: secure)
        for field in answer.headers { headers[field.name] = field.value }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: answer.body))
    }
}
