import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

/// Builds the router: health, the API and the landing page, behind the problem middleware.
public func buildRouter(_ dependencies: AppDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    HealthController(isReady: dependencies.isReady).addRoutes(to: router)
    router.get("/") { _, _ in LandingPage.response() }
    let api = router.group("api/v1")
    let responses = ResponsesController(
        responses: dependencies.responses, directory: dependencies.directory, rules: dependencies.rules, metrics: dependencies.metrics)
    responses.addRoutes(to: api)
    router.get("metrics") { _, _ in
        let metrics = dependencies.metrics
        if let backlog = try? await withDeadline(.seconds(2), dependencies.backlog) { metrics.backlog.set(Int64(backlog)) }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }
    IndicesController(
        indices: dependencies.indices, directory: dependencies.directory, timeZone: dependencies.rules.timeZone,
        staleAnswers: dependencies.staleAnswers
    ).addRoutes(to: api)
    DossiersController(dossiers: dependencies.dossiers, directory: dependencies.directory).addRoutes(to: api)
    KioskController(
        directory: dependencies.directory, questionnaires: { try await responses.questionnaires.all() },
        clientAddress: dependencies.clientAddress
    ).addRoutes(to: api)
    KioskPage.addRoutes(to: router)
    let signer = Once<SurveySigner>()
    SurveyController(
        responses: dependencies.responses, directory: dependencies.directory, questionnaires: responses.questionnaires,
        rules: dependencies.rules, metrics: dependencies.metrics, settings: dependencies.survey,
        clientAddress: dependencies.clientAddress, signer: signer
    ).addRoutes(to: router)
    SurveyLinksController(directory: dependencies.directory, signer: signer).addRoutes(to: api)
    OpenAPIDocument.addRoutes(to: router)
    if let users = dependencies.users, let dashboard = dependencies.dashboard {
        AdminController(
            users: users, dashboard: dashboard, indices: dependencies.indices, directory: dependencies.directory,
            report: IndicesReport(indices: dependencies.indices, timeZone: dependencies.rules.timeZone),
            clientAddress: dependencies.clientAddress, secure: dependencies.secureCookies, staleAnswers: dependencies.staleAnswers
        ).addRoutes(to: router)
    }
    return router
}

/// Builds the HTTP application on a running PostgreSQL client, with the given extra services
/// (the PostgreSQL client itself, the aggregator) in its service group.
public func buildApplication(
    client: PostgresClient, migrator: Migrator, configuration: ServerConfiguration, services: [any Service], logger: Logger
) -> some ApplicationProtocol {
    let metrics = AppMetrics()
    let indices = PostgresIndexStore(client: client, logger: logger)
    let dependencies = AppDependencies(
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
        users: PostgresUserStore(client: client, logger: logger),
        dashboard: PostgresDashboardStore(client: client, logger: logger),
        secureCookies: configuration.secureCookies,
        staleAnswers: configuration.staleAnswers)
    return Application(
        router: buildRouter(dependencies),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "HaiLong"),
        services: services,
        logger: logger)
}
