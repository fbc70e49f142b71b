import Foundation
import HaiLongStore
import Logging
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

/// Throwaway databases for integration tests, on a real PostgreSQL: the embedded launcher's private
/// cluster in a temporary directory (stopped when the test process exits), or the server that
/// `TEST_DATABASE_URL` names. Every test gets a fresh database cloned from a migrated template, so tests
/// run in parallel without seeing each other's rows.
public actor TestDatabase {
    public static let shared = TestDatabase()

    struct Cluster: Sendable {
        /// A client on the server's `postgres` database, for CREATE DATABASE.
        let admin: PostgresClient
        /// The URL of a database on this server.
        let url: @Sendable (String) -> DatabaseURL
    }

    private var cluster: Task<Cluster, any Error>?

    public static let logger: Logger = {
        var logger = Logger(label: "hailong-test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// A new, migrated, empty database.
    public func makeDatabase(migrated: Bool = true) async throws -> DatabaseURL {
        if cluster == nil { cluster = Task { try await Self.startCluster() } }
        let cluster = try await self.cluster!.value
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let sql = migrated ? "CREATE DATABASE \(name) TEMPLATE hailong_template" : "CREATE DATABASE \(name)"
        try await cluster.admin.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger)
        return cluster.url(String(name))
    }

    static func startCluster() async throws -> Cluster {
        let url: @Sendable (String) -> DatabaseURL
        if let text = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !text.isEmpty {
            let base = try DatabaseURL(parsing: text, variable: "TEST_DATABASE_URL")
            url = { name in
                var url = base; url.database = name; return url
            }
        } else {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-test-\(getpid())")
            let embedded = try EmbeddedPostgres(
                root: root,
                settings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "300"],
                logger: logger)
            let started = try await embedded.start()
            Self.stopAtExit(embedded, root: root)
            url = { name in
                var url = started.url; url.database = name; return url
            }
        }
        let admin = PostgresClient(configuration: try url("postgres").clientConfiguration(), backgroundLogger: logger)
        // The admin client lives as long as the test process: there is no scope to run it in.
        Task.detached { await admin.run() }
        try await waitUntilRunning(admin)
        try await admin.query("DROP DATABASE IF EXISTS hailong_template", logger: logger)
        try await admin.query("CREATE DATABASE hailong_template", logger: logger)
        try await withClient(url("hailong_template")) { client in
            let migrator = try Migrator(directory: try Migrator.locateDirectory())
            try await migrator.migrate(client: client, logger: logger)
            try await RuntimeRole.grant(toLogin: RuntimeRole.embeddedLogin, client, logger: logger)
        }
        return Cluster(admin: admin, url: url)
    }

    nonisolated(unsafe) private static var clusterToStop: (EmbeddedPostgres, URL)?

    /// Stops the cluster and removes its files when the test process exits. Set once, before any test uses it.
    private static func stopAtExit(_ embedded: EmbeddedPostgres, root: URL) {
        clusterToStop = (embedded, root)
        atexit {
            guard let (embedded, root) = TestDatabase.clusterToStop else { return }
            _ = try? embedded.psql("SELECT 1")  // no-op if already down
            embedded.stop()
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(atPath: embedded.socketDirectory)
        }
    }
}

extension DatabaseURL {
    /// The same database reached as the service's login (`hailong_app`, a member of the runtime role that owns
    /// nothing), as `hailong serve` runs in production; the test cluster made it when it migrated its template.
    public var asServiceLogin: DatabaseURL {
        var url = self
        url.username = RuntimeRole.embeddedLogin
        url.password = nil
        return url
    }
}

/// Runs `body` with a running `PostgresClient` for `url`.
public func withClient<T: Sendable>(
    _ url: DatabaseURL, waitForRun: Bool = true, asRuntimeRole: Bool = false, _ body: @Sendable (PostgresClient) async throws -> T
) async throws -> T {
    let configuration = asRuntimeRole ? try RuntimeRole.configuration(url) : try url.clientConfiguration()
    let client = PostgresClient(configuration: configuration, backgroundLogger: TestDatabase.logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        if waitForRun { try await waitUntilRunning(client) }
        return try await body(client)
    }
}

/// Runs `body` with a client on a fresh migrated database of its own.
/// With `asRuntimeRole`, the client acts as the service's runtime role (sql/0012), as `hailong serve` does.
/// At most `DatabaseSlots.shared.limit` tests hold a database at once (see `DatabaseSlots`).
public func withTestDatabase<T: Sendable>(
    asRuntimeRole: Bool = false, _ body: @Sendable (PostgresClient) async throws -> T
) async throws -> T {
    try await withTestDatabaseURL { url in try await withClient(url, asRuntimeRole: asRuntimeRole, body) }
}

/// Runs `body` with the URL of a fresh migrated database of its own (for tests that connect to it in more than one way,
/// or hand it to the built binary), holding one of the `DatabaseSlots` meanwhile.
public func withTestDatabaseURL<T: Sendable>(_ body: @Sendable (DatabaseURL) async throws -> T) async throws -> T {
    await DatabaseSlots.shared.acquire()
    do {
        let result = try await body(try await TestDatabase.shared.makeDatabase())
        await DatabaseSlots.shared.release()
        return result
    } catch {
        await DatabaseSlots.shared.release()
        throw error
    }
}

/// How many tests may work on a database at the same time. Swift Testing starts every test at once: on two cores a
/// hundred tests each creating a database and driving it made requests miss their 5 s deadlines. The others wait
/// for a slot (`HAILONG_TEST_DB_SLOTS`, default 4).
public actor DatabaseSlots {
    public static let shared = DatabaseSlots(
        limit: ProcessInfo.processInfo.environment["HAILONG_TEST_DB_SLOTS"].flatMap(Int.init).map { max(1, $0) } ?? 4)

    public let limit: Int
    var available: Int
    var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
        self.available = limit
    }

    public func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    public func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// Waits until the client answers a trivial query, so a test starts on a client whose `run()` is going
/// (and PostgresNIO does not warn that a lease came before `run()`).
func waitUntilRunning(_ client: PostgresClient) async throws {
    try await Task.sleep(for: .milliseconds(20))
    try await client.query("SELECT 1", logger: TestDatabase.logger)
}
