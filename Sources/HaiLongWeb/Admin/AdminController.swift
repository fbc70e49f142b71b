import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird
import Mustache
import Synchronization

/// An agency page's kiosk table: the kiosks shown, and how many there are and need attention in all.
typealias KioskTable = (kiosks: [KioskHealth], total: Int, attention: Int)

/// How many changes this process made on management pages (`AdminController.kioskTables`).
final class ManagementChanges: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .acquiring) }

    func add() { count.add(1, ordering: .releasing) }
}

/// The administrators' pages: sign-in with server-side sessions, sign-out, the overview of the caller's
/// subtree, and each agency's page (AdminController+Agency). Every page carries the security headers; every state-changing form carries a CSRF token and
/// is refused when its `Origin` is another site's.
struct AdminController: Sendable {
    let users: PostgresUserStore
    let dashboard: PostgresDashboardStore
    let indices: PostgresIndexStore
    let directory: PostgresDirectoryStore
    let report: IndicesReport
    let clientAddress: ClientAddress
    /// Sign-in attempts per client address (20 at once, then one every 3 s)…
    let signInLimiter = RateLimiter(burst: 20, interval: .seconds(3))
    /// …and from everyone together (60 at once, then four a second): a bcrypt check costs a quarter of a core-second,
    /// so guessing cannot be used to burn the CPU.
    let signInBudget = RateLimiter(burst: 60, interval: .milliseconds(250))
    /// `Secure` cookies and HSTS: on when the service is reached over TLS (`HAILONG_SECURE_COOKIES`, default on
    /// outside tests and the local demo).
    let secure: Bool

    /// The figures of the overview and of the agency pages, kept per figures version like the API's answers: computing
    /// a province's year takes seconds on a large database, showing it again should not. The rendered parts (outer)
    /// may show the previous version's while a slow one is computed; the figures they are rendered from (inner) never,
    /// or a part kept under the new version would show the old figures.
    let overviewFigures = AnswerCache<[IndicesDocument]>()
    let overviewTables: AnswerCache<String>
    let agencyFragments: AnswerCache<String>
    let agencyFigures = AnswerCache<AgencyFigures>()
    /// The evaluation of an agency's officers for a year, kept per figures version (violations and blocks change it too).
    let officerEvaluations = AnswerCache<EvaluationReport.OfficerDocument>()
    /// The emulation blocks' rankings, kept per figures version (blocks and their members change it, sql/0025).
    let blockRankings = AnswerCache<EvaluationReport.BlockDocument>()
    /// The agency pages' CSV and XLSX exports, kept per figures version (each download is still audited).
    let exports = AnswerCache<FixedResponse>()
    /// The agency pages' kiosk tables, each kept for `kioskTableWindow`: reading and sorting a province's 3,000 kiosks
    /// was the costliest statement of a page whose figures were kept (6–12 ms of PostgreSQL time on every view, a third
    /// of the page's), while a kiosk reports only once a minute. A change made on a management page of this process
    /// shows at once: `kioskChanges` is part of the key.
    let kioskTables = AnswerCache<KioskTable>()
    let kioskChanges = ManagementChanges()
    static let kioskTableWindow: Double = 5

    init(
        users: PostgresUserStore, dashboard: PostgresDashboardStore, indices: PostgresIndexStore, directory: PostgresDirectoryStore,
        report: IndicesReport, clientAddress: ClientAddress, secure: Bool, staleAnswers: StaleAnswers? = nil
    ) {
        self.users = users
        self.dashboard = dashboard
        self.indices = indices
        self.directory = directory
        self.report = report
        self.clientAddress = clientAddress
        self.secure = secure
        self.overviewTables = AnswerCache(stale: staleAnswers)
        self.agencyFragments = AnswerCache(stale: staleAnswers)
    }

    static var sessionCookie: String { "hl_session" }
    /// How long a page may take before the request is answered 503: a province's cold figures take seconds, a
    /// database that does not answer should not hold the browser (or a connection) for longer.
    static var deadline: Duration { .seconds(60) }
    static var signInCookie: String { "hl_signin" }

    /// Public: the sign-in form and its post, also under the contract's older name `/admin/login`.
    func addSignInRoutes(to router: Router<AppRequestContext>) {
        router.get("admin/sign-in", deadline: Self.deadline, use: signInPage)
        router.post("admin/sign-in", deadline: Self.deadline, use: signIn)
        router.get("admin/login", deadline: Self.deadline, use: signInPage)
        router.post("admin/login", deadline: Self.deadline, use: signIn)
    }

    /// Any signed-in account may sign out.
    func addSignOutRoute(to group: RouterGroup<AccountRequestContext>) {
        group.post("admin/sign-out", deadline: Self.deadline, use: signOut)
    }

    /// The pages, for the roles that may see them (`PageRequestContext`).
    func addPageRoutes(to group: RouterGroup<PageRequestContext>) {
        group.get("admin", deadline: Self.deadline, use: overview)
        addAgencyRoutes(to: group)
        addManagementRoutes(to: group)
        addAuditRoutes(to: group)
        addAccountabilityRoutes(to: group)
    }

    // MARK: sign-in

    @Sendable func signInPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        if try await SessionAuthenticator.account(request, users: users) != nil { return redirect("/admin") }
        return signInForm(language: language, username: "", message: nil, status: .ok)
    }

    func signInForm(language: Language, username: String, message: String?, status: HTTPResponse.Status, headers: HTTPFields = [:])
        -> Response
    {
        let nonce = PostgresUserStore.randomToken()
        var response = AdminPages.render(
            "signin",
            AdminPages.context(language).merging(["csrf": nonce, "username": username, "message": message as Any]) { $1 },
            status: status, secure: secure, headers: headers)
        response.setCookie(cookie(Self.signInCookie, nonce, maxAge: 3600))
        return response
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        try checkOrigin(request)
        let fields = try await request.formFields(upTo: 16 * 1024)
        guard let nonce = request.cookies[Self.signInCookie]?.value, !nonce.isEmpty, ConstantTime.equals(fields["csrf"], nonce) else {
            throw Problem(.forbidden, field: "csrf", detail: "the form is out of date; reload the sign-in page")
        }
        let username = (fields["username"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = fields["password"] ?? ""
        guard !username.isEmpty, !password.isEmpty else {
            return signInForm(
                language: language, username: username, message: AdminPages.text("missing", language), status: .unprocessableContent)
        }
        let address = clientAddress.of(request, context: context)
        if let wait = signInLimiter.take(address) ?? signInBudget.take("*") {
            let seconds = max(1, Int(wait.components.seconds) + 1)
            return signInForm(
                language: language, username: username,
                message: AdminPages.text("too_many", language).replacingOccurrences(of: "{seconds}", with: String(seconds)),
                status: .tooManyRequests, headers: [.retryAfter: String(seconds)])
        }
        let code = fields["code"].flatMap { $0.isEmpty ? nil : $0 }
        switch try await users.signIn(username: username, password: password, code: code, address: address) {
        case .signedIn(_, let session, _):
            var response = redirect("/admin")
            response.setCookie(cookie(Self.sessionCookie, session, maxAge: Int(users.policy.absoluteTimeout.components.seconds)))
            response.setCookie(cookie(Self.signInCookie, "", maxAge: 0))
            return response
        case .refused:
            return signInForm(language: language, username: username, message: AdminPages.text("refused", language), status: .unauthorized)
        case .locked(let until):
            let seconds = max(1, Int(until.timeIntervalSinceNow.rounded(.up)))
            let time = AdminPages.clock(until, timeZone: report.timeZone)
            return signInForm(
                language: language, username: username,
                message: AdminPages.text("locked", language).replacingOccurrences(of: "{time}", with: time),
                status: .tooManyRequests, headers: [.retryAfter: String(seconds)])
        }
    }

    @Sendable func signOut(_ request: Request, context: AccountRequestContext) async throws -> Response {
        try checkOrigin(request)
        let fields = try await request.formFields(upTo: 16 * 1024)
        guard ConstantTime.equals(fields["csrf"], context.csrf) else {
            throw Problem(.forbidden, field: "csrf", detail: "the form is out of date; reload the page")
        }
        try await users.endSession(request.cookies[Self.sessionCookie]?.value ?? "", user: context.user)
        var response = redirect("/admin/sign-in")
        response.setCookie(cookie(Self.sessionCookie, "", maxAge: 0))
        return response
    }

    // MARK: overview

    @Sendable func overview(_ request: Request, context: PageRequestContext) async throws -> Response {
        let language = Language(request.uri.queryParameters["lang"].map(String.init))
        let (user, csrf) = (context.user, context.csrf)
        let year = String(LocalDate(Date(), in: report.timeZone).description.prefix(4))
        let period = try IndicesController.period(request.uri.queryParameters["period"].map(String.init) ?? year)
        let roots: [Agency]
        if let scope = user.agencyID {
            roots = [try await directory.agency(id: scope)].compactMap { $0 }
        } else {
            roots = try await directory.roots()
        }
        guard let questionnaire = try await indices.questionnaire(code: "kiosk-3") else {
            throw Problem(.internalServerError, detail: "the kiosk-3 questionnaire is missing")
        }
        let methodology = try await indices.defaultMethodology()
        // The worst performers first (sufficient figures by index, then the rest), or by the column asked for.
        let parameters = request.uri.queryParameters
        let sort = parameters["sort"].map(String.init) ?? "index"
        guard let column = AdminPages.overviewColumns.first(where: { $0.sort == sort && !["ci", "sufficient"].contains($0.sort) }) else {
            throw Problem(.badRequest, field: "sort", detail: "sort must be name, n, index, par or change")
        }
        let descending = parameters["dir"].map { $0 == "desc" } ?? column.descending
        let page = try AdminPages.pageNumber(parameters["page"].map(String.init))
        let key = "\(roots.map { String($0.id) }.joined(separator: ","))|\(period.label)|\(methodology.code):\(methodology.version)"
        let version = try await indices.figuresVersion()
        // The table itself is kept too, per language and order: a province's thousand rows take longer to render
        // than to send.
        let table = try await overviewTables.answer(
            key: "\(key)|\(language.rawValue)|\(sort)|\(descending)|\(page)", version: version
        ) {
            [overviewFigures, report] in
            let documents = try await overviewFigures.answer(key: key, version: version) {
                var documents: [IndicesDocument] = []
                for root in roots {
                    documents.append(
                        try await report.document(
                            IndicesQuery(
                                period: period, agency: root, depth: .children, questionnaire: questionnaire, methodology: methodology)))
                }
                return documents
            }
            let shown = AdminPages.overviewRows(
                documents, period: period, sort: sort, descending: descending, page: page, language: language)
            // Sparklines for the page's rows only: a province's thousand agencies by month were half its first view.
            let codes = Set(shown.rows.compactMap { $0["code"] as? String })
            var sparklines: [String: [Double?]] = [:]
            for root in roots {
                let query = IndicesQuery(
                    period: period, agency: root, depth: .children, questionnaire: questionnaire, methodology: methodology)
                sparklines.merge(try await report.sparklines(query, only: codes)) { $1 }
            }
            return AdminPages.overviewTable(
                shown, sparklines: sparklines, period: period, sort: sort, descending: descending, language: language)
        }
        let canEmulate = try await seesEmulation(user)
        let reportNotices = try await overviewReportNotices(for: user, language: language)
        return AdminPages.render(
            "overview",
            AdminPages.context(language).merging([
                "user": user.username, "role": AdminPages.text("role_\(user.role.rawValue)", language), "csrf": csrf,
                "period": period.label, "table": table,
                "can_audit": user.role == .admin || user.role == .agencyAdmin,
                "can_emulate": canEmulate,
                "owed_reports": reportNotices.owed, "report_tallies": reportNotices.tallies,
            ]) { $1 },
            status: .ok, secure: secure)
    }

    // MARK: helpers

    /// A state-changing request from another site's page is refused (the CSRF token is the first wall).
    func checkOrigin(_ request: Request) throws {
        guard let origin = request.headers[.origin] else { return }
        let host = request.head.authority ?? ""
        guard origin == "http://\(host)" || origin == "https://\(host)" else {
            throw Problem(.forbidden, field: "Origin", detail: "cross-site form submissions are refused")
        }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/admin", secure: secure, httpOnly: true, sameSite: .strict)
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: AdminPages.headers(secure: secure).merging([.location: location]))
    }
}
