import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Builds the router. Its groups show who may call what: public routes, routes behind a bearer token (a kiosk's
/// device token or an API token, resolved by `BearerAuthenticator`) and the administrators' routes behind a session
/// (`SessionAuthenticator`). Each protected group runs in a child context that carries the caller or the account.
///
/// `unsafeAckBeforeCommit` is for the reliability bench only (`HAILONG_UNSAFE_ACK_BEFORE_COMMIT=1`): ratings are
/// acknowledged before they are stored, so a crash loses acknowledged ratings. Never set it in production.
public func buildRouter(_ dependencies: AppDependencies, unsafeAckBeforeCommit: Bool = false) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // First, so that the proxy's request id is on every line logged about the request, errors included.
    router.add(middleware: ProxyRequestIDMiddleware())
    router.add(middleware: ProblemMiddleware())
    let routeMethods = RouteMethods()
    router.add(middleware: MethodNotAllowedMiddleware(routes: routeMethods))
    router.add(middleware: InputGuardMiddleware())
    let directory = dependencies.directory
    let responses = ResponsesController(
        responses: dependencies.responses, directory: directory, rules: dependencies.rules, metrics: dependencies.metrics,
        unsafeAckBeforeCommit: unsafeAckBeforeCommit)
    let kiosk = KioskController(
        directory: directory, questionnaires: { try await responses.questionnaires.all() }, clientAddress: dependencies.clientAddress)
    let signer = Once<SurveySigner>()

    // Public: health, metrics, the landing page, the OpenAPI document, the kiosk app's files, the web survey (its own
    // guards: signed links, a honeypot, a minimum fill time, a rate limit) and pairing a kiosk with its one-time code.
    HealthController(isReady: dependencies.isReady).addRoutes(to: router)
    router.get("metrics") { request, _ in
        // Public unless a token is configured; the numbers tell an outsider how busy each channel is.
        if let token = dependencies.metricsToken {
            guard ConstantTime.equals(try? BearerAuthenticator.token(request), token) else { throw Problem.invalidToken }
        }
        let metrics = dependencies.metrics
        if let backlog = try? await withDeadline(.seconds(2), dependencies.backlog) { metrics.backlog.set(Int64(backlog)) }
        metrics.readsFromReplica.set(Int64(dependencies.reads?.readsFromReplica == true ? 1 : 0))
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }
    router.get("/") { _, _ in LandingPage.response() }
    OpenAPIDocument.addRoutes(to: router)
    KioskPage.addRoutes(to: router)
    SurveyController(
        responses: dependencies.responses, directory: directory, questionnaires: responses.questionnaires,
        rules: dependencies.rules, metrics: dependencies.metrics, settings: dependencies.survey,
        clientAddress: dependencies.clientAddress, signer: signer
    ).addRoutes(to: router)
    let api = router.group("api/v1")
    kiosk.addPairingRoute(to: api)

    // A bearer token. Ingest: a kiosk's device token or an agency-scoped integration token, refusals counted, known
    // tokens kept for a minute (each write re-checks that the token is still live).
    let ingest = api.group().add(middleware: responses.rejections).add(middleware: responses.authenticator)
    responses.addRoutes(to: ingest.group(context: TokenRequestContext.self))
    let withToken = api.group().add(middleware: BearerAuthenticator(directory: directory))
    // A kiosk's device token only.
    kiosk.addDeviceRoutes(to: withToken.group(context: DeviceRequestContext.self))
    // API tokens; each route names the roles it serves (par and admin read figures, integrations feed dossiers).
    let apiToken = withToken.group(context: TokenRequestContext.self)
    IndicesController(
        indices: dependencies.indices, directory: directory, timeZone: dependencies.rules.timeZone,
        staleAnswers: dependencies.staleAnswers
    ).addRoutes(to: apiToken)
    DossiersController(dossiers: dependencies.dossiers).addRoutes(to: apiToken)
    if let evaluation = dependencies.evaluationReport {
        EvaluationController(evaluation: evaluation, directory: directory, staleAnswers: dependencies.staleAnswers)
            .addRoutes(to: apiToken)
    }
    // One for the API and the pages, so that their PDFs share one printer.
    let yearlyReports = dependencies.yearlyReports
    if let reports = yearlyReports {
        ReportsController(
            reports: reports, directory: directory,
            figures: IndicesController(indices: dependencies.indices, directory: directory, timeZone: dependencies.rules.timeZone)
        ).addRoutes(to: apiToken)
    }
    SurveyLinksController(directory: directory, signer: signer).addRoutes(to: apiToken)

    // Administrators: the sign-in form is public; everything else needs a live session (without one, the browser is
    // sent to the sign-in form), and the pages refuse the par role, which reads the API only.
    if let users = dependencies.users, let dashboard = dependencies.dashboard {
        let admin = AdminController(
            users: users, dashboard: dashboard, indices: dependencies.indices, directory: directory,
            report: IndicesReport(indices: dependencies.indices, timeZone: dependencies.rules.timeZone),
            clientAddress: dependencies.clientAddress, secure: dependencies.secureCookies, staleAnswers: dependencies.staleAnswers)
        admin.addSignInRoutes(to: router)
        let signedIn = router.group().add(middleware: SessionAuthenticator(users: users, secure: dependencies.secureCookies))
        admin.addSignOutRoute(to: signedIn.group(context: AccountRequestContext.self))
        admin.addAccountRoutes(to: signedIn.group(context: AccountRequestContext.self))
        admin.addPageRoutes(to: signedIn.group(context: PageRequestContext.self))
        if let reports = yearlyReports {
            admin.addReportRoutes(to: signedIn.group(context: PageRequestContext.self), reports: reports)
        }
    }
    routeMethods.record(router.routes.map { (path: $0.path, method: $0.method) })
    return router
}

/// Builds the HTTP application on a running PostgreSQL client, with the given extra services
/// (the PostgreSQL client itself, the aggregator) in its service group.
/// With `reads`, the figures are read where it routes them (a streaming replica while it keeps up); it must run in
/// `services`.
public func buildApplication(
    client: PostgresClient, reads: ReadRouting? = nil, migrator: Migrator, configuration: ServerConfiguration,
    services: [any Service], logger: Logger
) -> some ApplicationProtocol {
    let metrics = AppMetrics()
    let indices = PostgresIndexStore(client: client, reads: reads, logger: logger)
    var dependencies = AppDependencies(
        directory: PostgresDirectoryStore(client: client, logger: logger),
        responses: PostgresResponseStore(
            client: client, logger: logger, cipher: configuration.contactCipher, onBatch: metrics.batch(size:duration:)),
        indices: indices,
        dossiers: PostgresDossierStore(client: client, logger: logger),
        isReady: { try await migrator.isCurrent(client: client, logger: logger) },
        backlog: { try await indices.aggregationBacklog() },
        metrics: metrics,
        rules: FlagRules(timeZone: TimeZone(identifier: configuration.timeZone)!),
        clientAddress: configuration.clientAddress,
        survey: configuration.survey,
        users: PostgresUserStore(client: client, logger: logger, policy: configuration.sessionPolicy),
        dashboard: PostgresDashboardStore(client: client, reads: reads, logger: logger),
        secureCookies: configuration.secureCookies,
        staleAnswers: configuration.staleAnswers, metricsToken: configuration.metricsToken)
    dependencies.accountability = PostgresAccountabilityStore(client: client, logger: logger)
    dependencies.emulation = PostgresEmulationStore(client: client, logger: logger)
    dependencies.reads = reads
    return Application(
        router: buildRouter(dependencies, unsafeAckBeforeCommit: configuration.unsafeAckBeforeCommit),
        server: httpServer(idleTimeout: configuration.idleTimeout),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "HaiLong"),
        services: services,
        logger: logger)
}

/// HTTP/1.1 that closes a connection idle for `idleTimeout` (nothing received, nothing being answered).
func httpServer(idleTimeout: Duration) -> HTTPServerBuilder {
    .http1(configuration: .init(idleTimeout: TimeAmount(idleTimeout)))
}
