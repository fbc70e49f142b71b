import Logging
import PostgresNIO

/// The role the service runs its queries as (sql/0012): it owns no table, and row-level security holds it to the
/// agency subtree named by the setting `hailong.scope` ('all', an agency id, or nothing at all when unset).
/// Migrations and the command-line tools run as the connecting role, the tables' owner.
public enum RuntimeRole {
    public static let name = "hailong_runtime"

    /// Whether the connected role may act as the runtime role (sql/0012 could make it and grant it).
    public static func isAvailable(_ client: PostgresClient, logger: Logger) async throws -> Bool {
        let rows = try await client.query(
            """
            SELECT CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = \(name))
                THEN pg_has_role(current_user, \(name), 'MEMBER') ELSE false END
            """, logger: logger)
        for try await available in rows.decode(Bool.self) { return available }
        return false
    }

    /// `url`'s client configuration acting as the runtime role from connection start, with every row in scope
    /// (the administrators' pages narrow it per transaction, `withScope`).
    public static func configuration(_ url: DatabaseURL) throws -> PostgresClient.Configuration {
        var configuration = try url.clientConfiguration()
        configuration.options.additionalStartupParameters = [("role", name), ("hailong.scope", "all")]
        return configuration
    }
}

extension PostgresClient {
    /// Runs `body` in a transaction that sees only `agency`'s subtree, whatever its queries ask for: row-level security
    /// (sql/0012) is the second wall behind the scope each query carries. Without the runtime role (the connecting
    /// role owns the tables) the queries' own scope is the only wall.
    public func withScope<T: Sendable>(
        _ agency: Int64, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await withTransaction(logger: logger) { connection in
                try await connection.query("SELECT set_config('hailong.scope', \(String(agency)), true)", logger: logger)
                return try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }
}
