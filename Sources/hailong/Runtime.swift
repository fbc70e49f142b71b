import Foundation
import HaiLongStore
import HaiLongWeb
import Logging
import PostgresNIO

/// What every command needs: the configuration, a logger, and a migrated database to work on.
struct Runtime {
    let configuration: ServerConfiguration
    let logger: Logger

    /// Reads the environment and sets up logging; a bad setting ends the command with one clear line.
    static func load() throws -> Runtime {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try ServerConfiguration(environment: environment)
        LoggingBootstrap.once(level: configuration.logLevel, format: try LogFormat(environment: environment))
        var logger = Logger(label: "hailong")
        logger.logLevel = configuration.logLevel
        return Runtime(configuration: configuration, logger: logger)
    }

    /// Connects (starting the embedded PostgreSQL when `DATABASE_URL` is unset), applies migrations as the tables'
    /// owner (`MIGRATION_DATABASE_URL`, else `DATABASE_URL`), runs `body`, and shuts down what it started. The
    /// command-line tools get the owner's client. With `asRuntimeRole` (the service), `body` gets a client logged in
    /// as `DATABASE_URL` (the embedded cluster's `hailong_app`) acting as the runtime role, after checking that the
    /// login is held by row-level security: a superuser, owner or RLS-bypassing login is refused unless
    /// `HAILONG_ALLOW_OWNER=1`.
    func withDatabase<T: Sendable>(
        asRuntimeRole: Bool = false, _ body: @Sendable (PostgresClient, Migrator) async throws -> T
    ) async throws -> T {
        var embedded: EmbeddedPostgres?
        let ownerURL: DatabaseURL
        var serviceURL = configuration.databaseURL
        if let configured = configuration.databaseURL {
            ownerURL = configuration.migrationDatabaseURL ?? configured
        } else {
            let cluster = try EmbeddedPostgres(root: configuration.dataDirectory.appendingPathComponent("pg"), logger: logger)
            let started = try await cluster.start()
            ownerURL = started.url
            if started.startedHere { embedded = cluster }
        }
        defer { embedded?.stop() }
        let migrator = try Migrator(directory: try Migrator.locateDirectory())
        let owner = PostgresClient(
            configuration: try RuntimeRole.configuration(ownerURL, actAsRuntimeRole: false), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await owner.run() }
            defer { group.cancelAll() }
            // Give the client's run loop a moment to start, so the first lease does not warn that it has not.
            try await Task.sleep(for: .milliseconds(20))
            try await migrator.migrate(client: owner, logger: logger)
            guard asRuntimeRole else { return try await body(owner, migrator) }
            if serviceURL == nil {
                try await RuntimeRole.grant(toLogin: RuntimeRole.embeddedLogin, owner, logger: logger)
                serviceURL = ownerURL
                serviceURL?.username = RuntimeRole.embeddedLogin
            }
            let url = serviceURL!
            let login = PostgresClient(
                configuration: try RuntimeRole.configuration(url, actAsRuntimeRole: false), backgroundLogger: logger)
            group.addTask { await login.run() }
            let objections = try await RuntimeRole.objections(login, logger: logger)
            let actsAsRuntimeRole = !objections.contains { $0.contains("not a member") }
            if !objections.isEmpty {
                let reason = objections.joined(separator: "; ")
                guard configuration.allowOwner else { throw LoginRefused(reason: reason) }
                logger.warning("HAILONG_ALLOW_OWNER=1: running although \(reason); never do this in production")
            }
            guard actsAsRuntimeRole else { return try await body(login, migrator) }
            let runtime = PostgresClient(configuration: try RuntimeRole.configuration(url), backgroundLogger: logger)
            group.addTask { await runtime.run() }
            return try await body(runtime, migrator)
        }
    }
}

/// `hailong serve` will not run as a login that row-level security does not hold.
struct LoginRefused: Error, CustomStringConvertible {
    let reason: String
    var description: String {
        "DATABASE_URL: \(reason); give the service a login that is only a member of hailong_runtime and the owner to "
            + "MIGRATION_DATABASE_URL (docs/SECURITY.md), or set HAILONG_ALLOW_OWNER=1 for development"
    }
}

/// Logging goes to standard error, so that secrets printed to standard output can be captured alone.
enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false

    /// Bootstraps once per process; only called from the main command before any concurrency starts.
    static func once(level: Logger.Level, format: LogFormat = .text) {
        guard !done else { return }
        done = true
        switch format {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        }
    }
}
