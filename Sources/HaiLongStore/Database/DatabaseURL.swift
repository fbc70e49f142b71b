import Foundation
import NIOSSL
import PostgresNIO

/// A parsed `DATABASE_URL`: `postgres://user:pass@host:port/db?sslmode=…`, or a Unix socket given as
/// `postgres://user@/db?host=/var/run/postgresql` or a percent-encoded path as the host.
public struct DatabaseURL: Sendable, Equatable {
    public enum TLSMode: String, Sendable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var username: String
    public var password: String?
    public var database: String
    /// A TCP host, or `nil` when `socketPath` is set.
    public var host: String?
    public var port: Int
    /// The full path of the server's socket file (`…/.s.PGSQL.5432`).
    public var socketPath: String?
    public var tlsMode: TLSMode

    public init(
        username: String, password: String? = nil, database: String, host: String? = nil, port: Int = 5432,
        socketPath: String? = nil, tlsMode: TLSMode = .disable
    ) {
        self.username = username
        self.password = password
        self.database = database
        self.host = host
        self.port = port
        self.socketPath = socketPath
        self.tlsMode = tlsMode
    }

    /// Parses the URL; errors name `variable` (`DATABASE_URL` or `TEST_DATABASE_URL`).
    public init(parsing text: String, variable: String = "DATABASE_URL") throws(ConfigurationError) {
        func fail(_ reason: String) -> ConfigurationError { ConfigurationError(variable: variable, reason: reason) }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else { throw fail("must look like postgres://user:password@host:5432/database") }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        if let unknown = query.keys.first(where: { !["sslmode", "host", "port", "user", "password"].contains($0) }) {
            throw fail("unknown parameter '\(unknown)'")
        }
        let tlsText = query["sslmode"] ?? "prefer"
        guard let tls = TLSMode(rawValue: tlsText) else {
            throw fail("sslmode '\(tlsText)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        var port = parts.port ?? 5432
        if let portText = query["port"] {
            guard let value = Int(portText) else { throw fail("port '\(portText)' is not a number") }
            port = value
        }
        guard (1...65535).contains(port) else { throw fail("port \(port) is out of range") }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw fail("must name a database after the host") }
        let user = query["user"] ?? parts.user ?? ""
        guard !user.isEmpty else { throw fail("must name a user (postgres://user@host/db)") }
        let hostText = query["host"] ?? parts.percentEncodedHost?.removingPercentEncoding ?? ""
        self.init(
            username: user, password: query["password"] ?? parts.password, database: database, port: port,
            tlsMode: tls)
        if hostText.hasPrefix("/") {
            socketPath = hostText.hasSuffix(".s.PGSQL.\(port)") ? hostText : hostText + "/.s.PGSQL.\(port)"
        } else if hostText.isEmpty {
            throw fail("must name a host, or a socket directory with ?host=/path")
        } else {
            host = hostText
        }
    }

    /// Settings every session of the service starts with (sent with the connection's startup message).
    /// `jit = off`: the figures reads union the rollups with the daily cube for the case where the rollups are not
    /// filled yet, and the planner's estimate for that branch, which never runs, put them above `jit_above_cost`; at 10M
    /// responses PostgreSQL then spent 0.9 s compiling a province's officer evaluation (0.7 s to run). The aggregator
    /// already turned JIT off for its own steps. (Behind a pooler that refuses startup parameters it does not know,
    /// such as PgBouncer, set it on the roles instead: `ALTER ROLE … SET jit = off`; docs/OPERATIONS.md.)
    static let sessionSettings = [("jit", "off")]

    /// The PostgresNIO client configuration for this URL.
    public func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: username, password: password, database: database)
        } else {
            var tlsConfig = TLSConfiguration.makeClientConfiguration()
            if tlsMode != .verifyFull && tlsMode != .verifyCA { tlsConfig.certificateVerification = .none }
            if tlsMode == .verifyCA { tlsConfig.certificateVerification = .noHostnameVerification }
            let tls: PostgresClient.Configuration.TLS =
                switch tlsMode {
                case .disable: .disable
                case .allow, .prefer: .prefer(tlsConfig)
                case .require, .verifyCA, .verifyFull: .require(tlsConfig)
                }
            configuration = .init(
                host: host ?? "localhost", port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 32
        configuration.options.additionalStartupParameters = Self.sessionSettings
        return configuration
    }
}
