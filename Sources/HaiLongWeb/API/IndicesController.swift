import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird
import HummingbirdCore

/// The figures API for the PAR office and admins: `GET /api/v1/indices` (live or published), its trend series,
/// publication, and the agency tree and questionnaires they refer to.
struct IndicesController: Sendable {
    let indices: PostgresIndexStore
    let directory: PostgresDirectoryStore
    let report: IndicesReport
    let answers: AnswerCache<FixedResponse>

    init(indices: PostgresIndexStore, directory: PostgresDirectoryStore, timeZone: TimeZone, staleAnswers: StaleAnswers? = nil) {
        self.answers = AnswerCache(stale: staleAnswers)
        self.indices = indices
        self.directory = directory
        self.report = IndicesReport(indices: indices, timeZone: timeZone)
    }

    func addRoutes(to group: RouterGroup<TokenRequestContext>) {
        group.get("indices", deadline: .seconds(10), use: list)
        group.get("indices/trend", deadline: .seconds(10)) { request, context in
            try await onFiguresExecutor { try await trend(request, context: context) }
        }
        group.post("publications", deadline: .seconds(20), use: publish)
        group.get("agencies", deadline: .seconds(5), use: agencyTree)
        group.get("questionnaires/{code}", deadline: .seconds(5), use: questionnaire)
    }

    static var parameters: Set<String> {
        ["period", "agency", "depth", "questionnaire", "methodology", "group", "format", "headers", "published"]
    }

    /// The caller's scope: `nil` for province-wide tokens. Only `par` and `admin` tokens read figures.
    func reader(_ context: TokenRequestContext, roles: Set<TokenRole> = [.admin, .par]) throws -> (name: String, scope: Int64?) {
        guard case .token(let id, let role, let scope) = context.caller, roles.contains(role) else {
            let names = roles.map(\.rawValue).sorted().joined(separator: " and ")
            throw Problem(.forbidden, field: "Authorization", detail: "this is for \(names) tokens")
        }
        return ("token \(id) (\(role.rawValue))", scope)
    }

    func checkParameters(_ query: FlatDictionary<Substring, Substring>, allowed: Set<String>) throws {
        if let unknown = query.map({ String($0.key) }).filter({ !allowed.contains($0) }).sorted().first {
            throw Problem(.badRequest, field: unknown, detail: "unknown query parameter '\(unknown)'")
        }
    }

    /// Period, agency, questionnaire and methodology, from query parameters or a JSON body alike.
    func indicesQuery(_ value: (String) -> String?, scope: Int64?) async throws -> IndicesQuery {
        guard let periodText = value("period") else {
            throw Problem(
                .badRequest, field: "period", detail: "period is required (YYYY, YYYY-Qn, YYYY-MM, YYYY-Www, YYYY-MM-DD or FROM..TO)")
        }
        let period = try Self.period(periodText)
        guard let depth = Depth(rawValue: value("depth") ?? "0") else {
            throw Problem(.badRequest, field: "depth", detail: "depth must be 0, 1 or all")
        }
        guard let grouping = Grouping(rawValue: value("group") ?? "none"), grouping != .day, grouping != .month else {
            throw Problem(.badRequest, field: "group", detail: "group must be officer, counter or channel")
        }
        let code = value("questionnaire") ?? "kiosk-3"
        guard let questionnaire = try await indices.questionnaire(code: code) else {
            throw Problem(.badRequest, field: "questionnaire", detail: "unknown questionnaire '\(code)'")
        }
        let methodology = try await methodology(value("methodology"))
        let agency = try await requestedAgency(value("agency"), scope: scope)
        return IndicesQuery(
            period: period, agency: agency, depth: depth, questionnaire: questionnaire, methodology: methodology, grouping: grouping)
    }

    /// The longest period anything is computed for (a month bucket per agency and a day per cube row stay bounded).
    static let maxPeriodDays = 800

    /// A period parameter; a malformed one, or one longer than `maxPeriodDays`, is a 400 like every other bad query
    /// parameter. The API and the administrators' pages read periods through here alike.
    static func period(_ text: String) throws -> Period {
        let period: Period
        do {
            period = try Period.parse(text)
        } catch {
            throw Problem(.badRequest, field: "period", detail: error.reason)
        }
        guard period.dayCount <= maxPeriodDays else {
            throw Problem(.badRequest, field: "period", detail: "a period covers at most \(maxPeriodDays) days")
        }
        return period
    }

    /// `code` or `code:version`; by default the methodology marked default.
    func methodology(_ text: String?) async throws -> Methodology {
        guard let text else { return try await indices.defaultMethodology() }
        // An empty code (`methodology=`, `":1"`) is malformed: without this guard `parts[0]` was out of range and the
        // whole process trapped.
        let (code, version) = try Self.methodologyName(text)
        guard let methodology = try await indices.methodology(code: code, version: version) else {
            throw Problem(.badRequest, field: "methodology", detail: "unknown methodology '\(text)'")
        }
        return methodology
    }

    /// `CODE` or `CODE:VERSION`, split; 400 naming `methodology` when it is neither (an empty code too).
    static func methodologyName(_ text: String) throws -> (code: String, version: Int?) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let code = parts.first, !code.isEmpty else {
            throw Problem(.badRequest, field: "methodology", detail: "methodology must be CODE or CODE:VERSION")
        }
        guard parts.count == 2 else { return (code, nil) }
        guard let number = Int(parts[1]), number >= 1 else {
            throw Problem(.badRequest, field: "methodology", detail: "methodology must be CODE or CODE:VERSION")
        }
        return (code, number)
    }

    @Sendable func list(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let caller = try reader(context)
        let parameters = request.uri.queryParameters
        try checkParameters(parameters, allowed: Self.parameters)
        let format = parameters["format"].map(String.init) ?? "json"
        guard ["json", "csv", "xlsx"].contains(format) else {
            throw Problem(.badRequest, field: "format", detail: "format must be json, csv or xlsx")
        }
        guard ["vi", "en"].contains(parameters["headers"].map(String.init) ?? "en") else {
            throw Problem(.badRequest, field: "headers", detail: "headers must be vi or en")
        }
        let vietnamese = parameters["headers"] == "vi"
        guard let published = parameters["published"].map(String.init) else {
            // Live figures: validated (and the caller's scope checked) on every request, computed once per version.
            let version = try await indices.figuresVersion()
            let query = try await indicesQuery({ parameters[Substring($0)].map(String.init) }, scope: caller.scope)
            let key = Self.answerKey(parameters, scope: caller.scope)
            return try await answers.answer(key: key, version: version) { [report] in
                try await report.document(query).answer(format: format, vietnamese: vietnamese)
            }.response
        }
        let stored = try await publication(published, parameters: parameters, scope: caller.scope)
        if format == "json" {
            // The stored bytes, exactly: their SHA-256 is the publication's content hash.
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/json; charset=utf-8", .cacheControl: "no-store",
                    .eTag: "\"\(stored.contentHash)\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: stored.document)))
        }
        let document = try JSONDecoder().decode(IndicesDocument.self, from: Data(stored.document.utf8))
        return try document.answer(format: format, vietnamese: vietnamese).response
    }

    /// The parameters that make an answer, in a fixed order, and the scope (it picks the default agency).
    static func answerKey(_ parameters: FlatDictionary<Substring, Substring>, scope: Int64?) -> String {
        let pairs = parameters.map { "\($0.key)=\($0.value)" }.sorted()
        return "scope=\(scope.map(String.init) ?? "*")&" + pairs.joined(separator: "&")
    }

    /// The publication `published` (`latest` or a version number) names for the query's agency, period and questionnaire.
    func publication(_ published: String, parameters: FlatDictionary<Substring, Substring>, scope: Int64?) async throws -> Publication {
        // A publication carries its own methodology, depth and breakdown; malformed ones asked for are still refused
        // like on live figures (the fuzzing found `methodology=` and `depth=` accepted here).
        if let methodology = parameters["methodology"] { _ = try Self.methodologyName(String(methodology)) }
        if let depth = parameters["depth"], Depth(rawValue: String(depth)) == nil {
            throw Problem(.badRequest, field: "depth", detail: "depth must be 0, 1 or all")
        }
        if let group = parameters["group"], ![.officer, .counter, .channel].contains(Grouping(rawValue: String(group))) {
            throw Problem(.badRequest, field: "group", detail: "group must be officer, counter or channel")
        }
        var version: Int?
        if published != "latest" {
            guard let first = published.first, first != "0", published.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw Problem(.badRequest, field: "published", detail: "published must be latest or a version number")
            }
            // A well-formed version beyond what the database can hold (a 32-bit integer) cannot exist: 404 like any
            // other missing version, not the database's "out of range" error as a 500.
            guard let number = Int32(published) else {
                throw Problem(.notFound, field: "published", detail: "no publication \(published)")
            }
            version = Int(number)
        }
        guard let periodText = parameters["period"].map(String.init) else {
            throw Problem(.badRequest, field: "period", detail: "period is required")
        }
        let period = try Self.period(periodText)
        let agency = try await requestedAgency(parameters["agency"].map(String.init), scope: scope)
        let questionnaire = parameters["questionnaire"].map(String.init) ?? "kiosk-3"
        guard
            let publication = try await indices.publication(
                agencyID: agency.id, period: period.label, questionnaire: questionnaire, version: version)
        else {
            throw Problem(
                .notFound, field: "published",
                detail: "no publication \(published) of \(questionnaire) for \(agency.code) in \(period.label)")
        }
        return publication
    }

    struct Published: Encodable {
        var id: Int64
        var agency: String
        var period: String
        var questionnaire: String
        var version: Int
        var methodology: IndicesDocument.MethodologyInfo
        var published_at: String
        var published_by: String
        var content_hash: String
        var url: String
    }

    /// `POST /api/v1/publications` `{"period","agency","questionnaire","methodology"}` (admin token): freezes the figures
    /// of the agency's whole subtree into the next version.
    @Sendable func publish(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let caller = try reader(context, roles: [.admin])
        guard case .object(let fields) = try await request.jsonBody(context: context) else {
            throw Problem(.badRequest, field: "body", detail: "the body must be a JSON object")
        }
        let known: Set = ["period", "agency", "questionnaire", "methodology"]
        if let unknown = fields.keys.filter({ !known.contains($0) }).sorted().first {
            throw ValidationError(field: unknown, reason: "is not a known field")
        }
        for (name, value) in fields {
            guard case .string = value else { throw ValidationError(field: name, reason: "must be a string") }
        }
        // The body is well-formed JSON; what it lacks for this caller is a 422, like any other body that is not valid.
        if fields["agency"] == nil, caller.scope == nil {
            throw ValidationError(field: "agency", reason: "is required for a province-wide token")
        }
        var query = try await indicesQuery(
            { name in if case .string(let text)? = fields[name] { text } else { nil } }, scope: caller.scope)
        query.depth = .all
        let publication = try await onFiguresExecutor { try await report.publish(query, by: caller.name) }
        return try .json(Self.published(publication, methodology: query.methodology), status: .created)
    }

    static func published(_ publication: Publication, methodology: Methodology) -> Published {
        Published(
            id: publication.id, agency: publication.agencyCode, period: publication.period, questionnaire: publication.questionnaire,
            version: publication.version, methodology: .init(code: methodology.code, version: methodology.version),
            published_at: Timestamp.format(publication.publishedAt), published_by: publication.publishedBy,
            content_hash: publication.contentHash,
            url: "/api/v1/indices?period=\(publication.period)&agency=\(publication.agencyCode)"
                + "&questionnaire=\(publication.questionnaire)&published=\(publication.version)")
    }

    /// `GET /api/v1/indices/trend?period=…&agency=…&by=day|week|month`: the index per day, ISO week or month.
    @Sendable func trend(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let caller = try reader(context)
        let parameters = request.uri.queryParameters
        try checkParameters(parameters, allowed: ["period", "agency", "questionnaire", "methodology", "by"])
        let by = parameters["by"].map(String.init) ?? "month"
        guard ["day", "week", "month"].contains(by) else {
            throw Problem(.badRequest, field: "by", detail: "by must be day, week or month")
        }
        let query = try await indicesQuery({ parameters[Substring($0)].map(String.init) }, scope: caller.scope)
        let series = try await report.trend(query, by: by)
        return try .json(
            Trend(
                agency: query.agency.code, questionnaire: query.questionnaire.code,
                methodology: .init(code: query.methodology.code, version: query.methodology.version), by: by, series: series))
    }

    struct AgencyNode: Encodable {
        var code: String
        var name: String
        var kind: String
        var parent: String?
        var children: [AgencyNode]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(name, forKey: .name)
            try container.encode(kind, forKey: .kind)
            try container.encode(parent, forKey: .parent)
            try container.encode(children, forKey: .children)
        }

        enum CodingKeys: String, CodingKey { case code, name, kind, parent, children }
    }

    /// `GET /api/v1/agencies?agency=C`: the agency tree (the caller's scope by default).
    @Sendable func agencyTree(_ request: Request, context: TokenRequestContext) async throws -> Response {
        let caller = try reader(context, roles: [.admin, .par, .integration])
        let parameters = request.uri.queryParameters
        try checkParameters(parameters, allowed: ["agency"])
        let roots: [Agency]
        if parameters["agency"] == nil, caller.scope == nil {
            roots = try await directory.roots()
        } else {
            roots = [try await requestedAgency(parameters["agency"].map(String.init), scope: caller.scope)]
        }
        let today = LocalDate(Date(), in: report.timeZone)
        let period = Period(label: today.description, first: today, last: today)
        var trees: [AgencyNode] = []
        for root in roots {
            let agencies = try await indices.agencies(under: root, depth: .all, period: period)
            trees.append(Self.tree(root, agencies))
        }
        return try .json(["agencies": trees])
    }

    static func tree(_ root: Agency, _ agencies: [Agency]) -> AgencyNode {
        let byParent = Dictionary(grouping: agencies.filter { $0.id != root.id }, by: \.parentID)
        let codes = Dictionary(uniqueKeysWithValues: agencies.map { ($0.id, $0.code) })
        func node(_ agency: Agency) -> AgencyNode {
            AgencyNode(
                code: agency.code, name: agency.name, kind: agency.kind, parent: agency.parentID.flatMap { codes[$0] },
                children: (byParent[agency.id] ?? []).map(node))
        }
        return node(root)
    }

    /// `GET /api/v1/questionnaires/{code}`: the newest version's definition (scale, elements, wording, reasons).
    @Sendable func questionnaire(_ request: Request, context: TokenRequestContext) async throws -> Response {
        _ = try reader(context, roles: [.admin, .par, .integration])
        let code = try context.parameters.require("code")
        guard let questionnaire = try await indices.questionnaire(code: code) else {
            throw Problem(.notFound, field: "code", detail: "unknown questionnaire '\(code)'")
        }
        return try .json(questionnaire)
    }

    /// The agency asked for, which must lie in the caller's scope; by default the scope itself.
    func requestedAgency(_ code: String?, scope: Int64?) async throws -> Agency {
        guard let code else {
            guard let scope, let agency = try await directory.agency(id: scope) else {
                throw Problem(.badRequest, field: "agency", detail: "agency is required for a province-wide token")
            }
            return agency
        }
        // Outside the token's scope is answered exactly like unknown: the caller learns nothing of other agencies.
        guard let agency = try await directory.agency(code: code),
            try await scope.asyncMap({ try await directory.isAgency(agency.id, within: $0) }) ?? true
        else {
            throw Problem(.notFound, field: "agency", detail: "agency '\(code)' was not found")
        }
        return agency
    }
}
