import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Where the read-only figures are read (`DATABASE_READ_URL`): a PostgreSQL streaming replica while it is close
/// enough to the primary, the primary otherwise. Writes never come here; they keep the primary's client.
///
/// Every `interval` it asks the primary for its figures version, then the replica whether it is in recovery, its
/// figures version and how long ago it replayed its last transaction. The replica is taken into use only once it has
/// caught up (its figures version is the primary's), and kept while it stays caught up or replays within `maxLag`
/// (comparing versions covers an idle primary, whose replay timestamp ages although nothing is missing). Any failure
/// to answer — the check's or a read's — sends every read to the primary until a check finds the replica caught up.
public final class ReadRouting: Service, Sendable {
    public let primary: PostgresClient
    public let replica: PostgresClient
    public let maxLag: Duration
    public let interval: Duration
    let logger: Logger
    private let usesReplica = Mutex(false)

    public init(primary: PostgresClient, replica: PostgresClient, maxLag: Duration, interval: Duration = .seconds(1), logger: Logger) {
        self.primary = primary
        self.replica = replica
        self.maxLag = maxLag
        self.interval = interval
        self.logger = logger
    }

    /// Whether reads go to the replica now.
    public var readsFromReplica: Bool { usesReplica.withLock { $0 } }

    /// Runs `body` on the client reads go to now. On the replica, it falls back to the primary when the replica fails
    /// the read, or when a check meanwhile finds the replica gone (a stopped server does not fail a read: the pool
    /// waits to connect), and the replica is left until a check finds it caught up again.
    public func read<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        guard readsFromReplica else { return try await body(primary) }
        do {
            let answer = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body(self.replica) }
                group.addTask {
                    while self.readsFromReplica { try await Task.sleep(for: .milliseconds(100)) }
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            if let answer { return answer }
        } catch {
            if Task.isCancelled { throw error }
            use(replica: false, because: "a read failed on the replica: \(String(reflecting: error))")
        }
        return try await body(primary)
    }

    /// Checks every `interval` (the first after one interval, when the clients run) until shut down.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                await self.check()
            }
        }
    }

    /// One look at both servers; decides where reads go until the next.
    public func check() async {
        do {
            let decision = try await withThrowingTaskGroup(of: Bool?.self) { group in
                group.addTask { try await self.replicaIsCloseEnough() }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            switch decision {
            case .some(let close): use(replica: close, because: close ? "the replica has caught up" : "the replica lags")
            case .none: use(replica: false, because: "the replica did not answer within 2 s")
            }
        } catch {
            use(replica: false, because: "the replica cannot be asked: \(String(reflecting: error))")
        }
    }

    func replicaIsCloseEnough() async throws -> Bool {
        var primaryVersion: Int64 = 0
        for try await version in try await primary.query("SELECT version FROM figures_version WHERE id = 1", logger: logger)
            .decode(Int64.self)
        {
            primaryVersion = version
        }
        let rows = try await replica.query(
            """
            SELECT pg_is_in_recovery(), (SELECT version FROM figures_version WHERE id = 1),
                   COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8, 0)
            """, logger: logger)
        for try await (inRecovery, version, replayAge) in rows.decode((Bool, Int64, Double).self) {
            guard inRecovery else { return false }
            if version >= primaryVersion { return true }
            // Behind: keep the replica only while it was already in use and replays within the bound.
            return readsFromReplica && replayAge <= Double(maxLag.components.seconds)
        }
        return false
    }

    func use(replica: Bool, because reason: String) {
        let changed = usesReplica.withLock { current in
            defer { current = replica }
            return current != replica
        }
        guard changed else { return }
        if replica {
            logger.info("reads go to the replica", metadata: ["reason": "\(reason)"])
        } else {
            logger.warning("reads go to the primary", metadata: ["reason": "\(reason)"])
        }
    }
}
