import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird
import HummingbirdCore

/// The year's evaluation support for the PAR office and admins (par and admin tokens, within their scope):
/// `GET /api/v1/evaluation/officers` and `GET /api/v1/emulation`, as JSON, CSV or XLSX.
struct EvaluationController: Sendable {
    let evaluation: EvaluationReport
    let directory: PostgresDirectoryStore
    /// The figures API's checks of the caller, the parameters and the agency, shared rather than rewritten.
    let figures: IndicesController
    /// Answers computed once per figures version (which violations, decisions and blocks change too, sql/0025): the
    /// evaluation of a province's officers is seconds of work, asked for again and again by the PAR office.
    let answers: AnswerCache<FixedResponse>

    init(evaluation: EvaluationReport, directory: PostgresDirectoryStore, staleAnswers: StaleAnswers? = nil) {
        self.evaluation = evaluation
        self.directory = directory
        self.figures = IndicesController(indices: evaluation.indices, directory: directory, timeZone: evaluation.report.timeZone)
        self.answers = AnswerCache(stale: staleAnswers)
    }

    /// The kept answer for `key` at the current figures version (and default methodology), or `compute`'s.
    func kept(_ key: String, _ compute: @escaping @Sendable () async throws -> FixedResponse) async throws -> Response {
        let version = try await evaluation.indices.figuresVersion()
        return try await answers.answer(key: key, version: version, compute: compute).response
    }

    func addRoutes(to group: RouterGroup<TokenRequestContext>) {
        group.get("evaluation/officers", deadline: .seconds(20)) { request, context in
            try await onFiguresExecutor { try await officers(request, context: context) }
        }
        group.get("emulation", deadline: .seconds(20)) { request, context in
            try await onFiguresExecutor { try await emulation(request, context: context) }
        }
    }

    func officers(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let caller = try figures.reader(context)
        let parameters = request.uri.queryParameters
        try figures.checkParameters(parameters, allowed: ["year", "agency", "format", "headers"])
        let (year, format, vietnamese) = try Self.common(parameters)
        let agency = try await figures.requestedAgency(parameters["agency"].map(String.init), scope: caller.scope)
        return try await kept("officers|\(agency.id)|\(year)|\(format)|\(vietnamese)") { [evaluation] in
            try await evaluation.officers(year: year, agency: agency).answer(format: format, vietnamese: vietnamese)
        }
    }

    func emulation(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let caller = try figures.reader(context)
        let parameters = request.uri.queryParameters
        try figures.checkParameters(parameters, allowed: ["year", "block", "format", "headers"])
        let (year, format, vietnamese) = try Self.common(parameters)
        guard let code = parameters["block"].map(String.init), !code.isEmpty else {
            throw Problem(.badRequest, field: "block", detail: "block is required (hailong block list)")
        }
        // A block some of whose members lie outside the token's scope is answered like an unknown one.
        guard let block = try await evaluation.emulation.block(code: code, year: year),
            try await Self.allWithin(block.members, scope: caller.scope, directory: directory)
        else {
            throw Problem(.notFound, field: "block", detail: "no block '\(code)' in \(year)")
        }
        return try await kept("emulation|\(block.code)|\(year)|\(format)|\(vietnamese)") { [evaluation] in
            try await evaluation.emulation(year: year, block: block).answer(format: format, vietnamese: vietnamese)
        }
    }

    static func allWithin(_ members: [Agency], scope: Int64?, directory: PostgresDirectoryStore) async throws -> Bool {
        guard let scope else { return true }
        return try await directory.areAgencies(members.map(\.id), within: scope)
    }

    /// `year` (required, 2000–2100), `format` (json, csv, xlsx) and `headers` (en, vi).
    static func common(_ parameters: FlatDictionary<Substring, Substring>) throws -> (year: Int, format: String, vietnamese: Bool) {
        guard let text = parameters["year"] else { throw Problem(.badRequest, field: "year", detail: "year is required (YYYY)") }
        guard let year = Int(text), (2000...2100).contains(year) else {
            throw Problem(.badRequest, field: "year", detail: "year must be a year like 2026")
        }
        let format = parameters["format"].map(String.init) ?? "json"
        guard ["json", "csv", "xlsx"].contains(format) else {
            throw Problem(.badRequest, field: "format", detail: "format must be json, csv or xlsx")
        }
        guard ["vi", "en"].contains(parameters["headers"].map(String.init) ?? "en") else {
            throw Problem(.badRequest, field: "headers", detail: "headers must be vi or en")
        }
        return (year, format, parameters["headers"] == "vi")
    }
}
