import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// Emulation blocks (khối/cụm thi đua): the year's blocks with their members, and a block's ranking. The pages are for
/// accounts that see a whole province: system accounts (no agency) and accounts of a root agency (a province), who
/// see the blocks whose members all lie in their province. Only a system admin adds a block (a block may cross
/// provinces; the store's rule). Everyone else gets 403.
extension AdminController {
    func addEmulationRoutes(to router: RouterGroup<PageRequestContext>) {
        router.get("admin/emulation", deadline: Self.deadline, use: emulationPage)
        router.post("admin/emulation", deadline: Self.deadline, use: addBlock)
        router.get("admin/emulation/{block}", deadline: Self.deadline, use: blockPage)
        router.get("admin/emulation/{block}/export", deadline: Self.deadline, use: blockExport)
    }

    /// Whether `user` may see the emulation pages: no agency, or a root agency.
    func seesEmulation(_ user: AdminUser) async throws -> Bool {
        guard let scope = user.agencyID else { return true }
        return try await directory.agency(id: scope)?.parentID == nil
    }

    /// The signed-in user's emulation page context, or 403.
    func emulationContext(_ request: Request, context: PageRequestContext) async throws -> (
        language: Language, year: Int, values: [String: Any]
    ) {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        guard try await seesEmulation(context.user) else {
            throw Problem(.forbidden, field: "role", detail: "emulation blocks are for system and province accounts")
        }
        let current = LocalDate(Date(), in: report.timeZone).year
        let year = try Self.year(request, default: try Period.parse(String(current)))
        let values = AdminPages.context(language).merging([
            "user": context.user.username, "csrf": context.csrf, "year": year, "period": String(year),
            "switch_query": "year=\(year)&lang=\(language.other.rawValue)",
            "can_add": context.user.role == .admin && context.user.agencyID == nil,
        ]) { $1 }
        return (language, year, values)
    }

    /// The year's blocks the user may see.
    func visibleBlocks(_ user: AdminUser, year: Int) async throws -> [EmulationBlock] {
        var visible: [EmulationBlock] = []
        for block in try await dashboard.emulation.blocks(year: year) {
            if try await EvaluationController.allWithin(block.members, scope: user.agencyID, directory: directory) {
                visible.append(block)
            }
        }
        return visible
    }

    @Sendable func emulationPage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let (language, year, values) = try await emulationContext(request, context: context)
        return try await renderEmulation(values, language: language, year: year, user: context.user, status: .ok)
    }

    func renderEmulation(
        _ values: [String: Any], language: Language, year: Int, user: AdminUser, status: HTTPResponse.Status, extra: [String: Any] = [:]
    ) async throws -> Response {
        let blocks = try await visibleBlocks(user, year: year)
        var values = values
        values["title"] = AdminPages.text("emulation_title", language)
        values["blocks"] = blocks.map { block -> [String: Any] in
            [
                "code": block.code, "name": block.name, "path": CodeText.escaped(block.code),
                "members": block.members.map { ["code": $0.code, "name": $0.name, "path": CodeText.escaped($0.code)] },
            ]
        }
        values["blocks_empty"] = blocks.isEmpty
        values.merge(extra) { $1 }
        return AdminPages.render("emulation", values, status: status, secure: secure)
    }

    @Sendable func addBlock(_ request: Request, context: PageRequestContext) async throws -> Response {
        let (language, year, values) = try await emulationContext(request, context: context)
        try checkOrigin(request)
        let fields = try await request.formFields(upTo: 16 * 1024)
        guard ConstantTime.equals(fields["csrf"], context.csrf) else {
            throw Problem(.forbidden, field: "csrf", detail: "the form is out of date; reload the page")
        }
        guard context.user.role == .admin, context.user.agencyID == nil else {
            throw Problem(.forbidden, field: "role", detail: "only a system admin adds emulation blocks")
        }
        func value(_ name: String) -> String { (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let members = value("members").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        let blockYear = Int(value("year")) ?? 0
        do {
            guard Self.isBlockCode(value("code")) else {
                throw ValidationError(field: "code", reason: "must be 1–40 letters, digits or . _ - (no spaces)")
            }
            try Self.checkName(value("name"), field: "name")
            guard (2000...2100).contains(blockYear) else { throw ValidationError(field: "year", reason: "must be 2000–2100") }
            try await dashboard.emulation.addBlock(
                code: value("code"), name: value("name"), year: blockYear, members: members, by: context.user.username)
        } catch let error as ValidationError {
            return try await renderEmulation(
                values, language: language, year: year, user: context.user, status: .unprocessableContent,
                extra: [
                    "error": "\(error.field): \(error.reason)", "form_code": value("code"), "form_name": value("name"),
                    "form_members": value("members"), "form_year": value("year"),
                ])
        }
        return redirect("/admin/emulation?year=\(blockYear)&lang=\(language.rawValue)")
    }

    static func isBlockCode(_ code: String) -> Bool { code.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9._-]{0,39}/) != nil }

    /// The block of the path, if the user may see it, and its ranking.
    func rankedBlock(_ request: Request, context: PageRequestContext, year: Int) async throws -> EvaluationReport.BlockDocument {
        let code = try context.parameters.require("block")
        guard let block = try await dashboard.emulation.block(code: code, year: year),
            try await EvaluationController.allWithin(block.members, scope: context.user.agencyID, directory: directory)
        else {
            throw Problem(.notFound, field: "block", detail: "no block '\(code)' in \(year)")
        }
        let version = try await indices.figuresVersion()
        return try await blockRankings.answer(key: "\(block.code)|\(year)", version: version) { [evaluation] in
            try await onFiguresExecutor { try await evaluation.emulation(year: year, block: block) }
        }
    }

    @Sendable func blockPage(_ request: Request, context: PageRequestContext) async throws -> Response {
        let (language, year, values) = try await emulationContext(request, context: context)
        let document = try await rankedBlock(request, context: context, year: year)
        let minimum = try await indices.defaultMethodology().minN
        var page = values
        page["title"] = "\(document.block.name) · \(document.block.code)"
        page["block_path"] = CodeText.escaped(document.block.code)
        page["members"] = AdminPages.blockRows(document, language: language)
        page["too_few_text"] = AdminPages.text("too_few", language).replacingOccurrences(of: "{min}", with: String(minimum))
        return AdminPages.render("emulation_block", page, status: .ok, secure: secure)
    }

    /// `?format=csv|xlsx`: the block's ranking as the API exports it; audited.
    @Sendable func blockExport(_ request: Request, context: PageRequestContext) async throws -> Response {
        let (language, year, _) = try await emulationContext(request, context: context)
        let format = request.uri.queryParameters["format"].map(String.init) ?? "csv"
        guard ["csv", "xlsx"].contains(format) else { throw Problem(.badRequest, field: "format", detail: "format must be csv or xlsx") }
        let document = try await rankedBlock(request, context: context, year: year)
        let answer = try document.answer(format: format, vietnamese: language == .vi)
        try await users.audit(
            actor: context.user.username, action: "export", agencyID: context.user.agencyID, subject: "block \(document.block.code)",
            detail: ["year": String(year), "format": format])
        var headers = AdminPages.headers(secure: secure)
        for field in answer.headers { headers[field.name] = field.value }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: answer.body))
    }
}
