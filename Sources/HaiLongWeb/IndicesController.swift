import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// `GET /api/v1/indices`: satisfaction figures per agency for a period, for the PAR office and admins.
struct IndicesController<Indices: IndexStore, Directory: DirectoryStore>: Sendable {
    let indices: Indices
    let directory: Directory
    let auth: BearerAuth<Directory>

    init(indices: Indices, directory: Directory) {
        self.indices = indices
        self.directory = directory
        self.auth = BearerAuth(directory: directory)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("indices", deadline: .seconds(5), use: list)
    }

    static var parameters: Set<String> { ["period", "agency", "depth", "questionnaire", "format"] }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try await auth.caller(request)
        guard case .token(_, let role, let scope) = caller, role == .admin || role == .par else {
            throw Problem(.forbidden, field: "Authorization", detail: "figures are for par and admin tokens")
        }
        let query = request.uri.queryParameters
        if let unknown = query.map({ String($0.key) }).filter({ !Self.parameters.contains($0) }).sorted().first {
            throw Problem(.badRequest, field: unknown, detail: "unknown query parameter '\(unknown)'")
        }
        guard let periodText = query["period"].map(String.init) else {
            throw Problem(.badRequest, field: "period", detail: "period is required (YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO)")
        }
        let period = try Period.parse(periodText)
        let depthText = query["depth"].map(String.init) ?? "0"
        guard let depth = Depth(rawValue: depthText) else {
            throw Problem(.badRequest, field: "depth", detail: "depth must be 0, 1 or all")
        }
        let format = query["format"].map(String.init) ?? "json"
        guard format == "json" || format == "csv" else {
            throw Problem(.badRequest, field: "format", detail: "format must be json or csv")
        }
        let questionnaire = query["questionnaire"].map(String.init) ?? "kiosk-3"
        guard let definition = try await indices.questionnaire(code: questionnaire) else {
            throw Problem(.badRequest, field: "questionnaire", detail: "unknown questionnaire '\(questionnaire)'")
        }
        guard definition.questions.count == 1, let question = definition.questions.first else {
            throw Problem(
                .badRequest, field: "questionnaire",
                detail: "figures for multi-element questionnaires such as '\(questionnaire)' are not available yet")
        }
        let agency = try await requestedAgency(query["agency"].map(String.init), scope: scope)

        let methodology = try await indices.defaultMethodology()
        let agencies = try await indices.agencies(under: agency, depth: depth)
        let counts = try await indices.counts(
            for: agencies, period: period, questionnaire: questionnaire, question: question.code,
            excludedMask: methodology.excludedMask)
        let scale = definition.scale
        let items = agencies.map { agency in
            let count = counts[agency.id] ?? LevelCounts()
            let figure = IndexFigure(
                validByLevel: count.validByLevel, excluded: count.excluded, scale: scale, methodology: methodology)
            return IndexItem(agency: agency, figure: figure)
        }
        let document = IndicesDocument(
            period: .init(label: period.label, from: period.first.description, to: period.last.description),
            questionnaire: questionnaire,
            methodology: .init(code: methodology.code, version: methodology.version),
            as_of: try await indices.asOf().map(Timestamp.format), published: false, items: items)
        return format == "csv" ? try document.csvResponse() : try document.jsonResponse()
    }

    /// The agency asked for, which must lie in the caller's scope; by default the scope itself.
    func requestedAgency(_ code: String?, scope: Int64?) async throws -> Agency {
        guard let code else {
            guard let scope, let agency = try await directory.agency(id: scope) else {
                throw Problem(.badRequest, field: "agency", detail: "agency is required for a province-wide token")
            }
            return agency
        }
        guard let agency = try await directory.agency(code: code) else {
            throw Problem(.notFound, field: "agency", detail: "agency '\(code)' was not found")
        }
        if let scope, try await !directory.isAgency(agency.id, within: scope) {
            throw Problem(.forbidden, field: "agency", detail: "agency '\(code)' is outside this token's scope")
        }
        return agency
    }
}
