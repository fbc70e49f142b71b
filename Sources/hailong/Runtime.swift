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
        let configuration = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        LoggingBootstrap.once(level: configuration.logLevel)
        var logger = Logger(label: "hailong")
        logger.logLevel = configuration.logLevel
        return Runtime(configuration: configuration, logger: logger)
    }

    /// Connects (starting the embedded PostgreSQL when `DATABASE_URL` is unset), applies migrations, runs
    /// `body`, and shuts down what it started. With `asRuntimeRole`, `body` gets a client acting as the role that owns
    /// nothing and is held by row-level security (`RuntimeRole`, sql/0012), when the connecting role may act as it.
    func withDatabase<T: Sendable>(
        asRuntimeRole: Bool = false, _ body: @Sendable (PostgresClient, Migrator) async throws -> T
    ) async throws -> T {
        var embedded: EmbeddedPostgres?
        let url: DatabaseURL
        if let configured = configuration.databaseURL {
            url = configured
        } else {
            let cluster = try EmbeddedPostgres(root: configuration.dataDirectory.appendingPathComponent("pg"), logger: logger)
            let started = try await cluster.start()
            url = started.url
            if started.startedHere { embedded = cluster }
        }
        defer { embedded?.stop() }
        let migrator = try Migrator(directory: try Migrator.locateDirectory())
        let client = PostgresClient(configuration: try url.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            // Give the client's run loop a moment to start, so the first lease does not warn that it has not.
            try await Task.sleep(for: .milliseconds(20))
            try await migrator.migrate(client: client, logger: logger)
            guard asRuntimeRole else { return try await body(client, migrator) }
            guard try await RuntimeRole.isAvailable(client, logger: logger) else {
                logger.warning(
                    "row-level security: the role \(RuntimeRole.name) is missing or not granted to the connecting role; running as the tables' owner, whom the policies do not hold (see deploy/README.md)"
                )
                return try await body(client, migrator)
            }
            let runtimeClient = PostgresClient(configuration: try RuntimeRole.configuration(url), backgroundLogger: logger)
            group.addTask { await runtimeClient.run() }
            return try await body(runtimeClient, migrator)
        }
    }
}

/// Logging goes to standard error, so that secrets printed to standard output can be captured alone.
enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false

    /// Bootstraps once per process; only called from the main command before any concurrency starts.
    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
