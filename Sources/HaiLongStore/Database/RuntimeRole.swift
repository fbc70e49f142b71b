import Logging
import PostgresNIO

/// The role the service runs its queries as (sql/0012, sql/0019): it owns nothing, holds no TRUNCATE, cannot rewrite
/// history, and row-level security holds it to the agency subtree named by the setting `hailong.scope` ('all', an
/// agency id, or nothing at all when unset). `hailong serve` connects as a login that is a member of it
/// (`DATABASE_URL`); the migrations and the command-line tools run as the tables' owner (`MIGRATION_DATABASE_URL`).
public enum RuntimeRole {
    public static let name = "hailong_runtime"
    /// The login the embedded PostgreSQL gives the service (trusted on its private socket, like every local login).
    public static let embeddedLogin = "hailong_app"

    /// Makes `login` a login role that is a member of the runtime role, if it is not one already (run as the owner,
    /// with CREATEROLE; the embedded cluster and the tests use it).
    public static func grant(toLogin login: String, _ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query(
                """
                CREATE OR REPLACE FUNCTION pg_temp.hailong_grant_runtime(login text) RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = login) THEN
                        EXECUTE format('CREATE ROLE %I LOGIN', login);
                    END IF;
                    IF NOT pg_has_role(login, 'hailong_runtime', 'MEMBER') THEN
                        EXECUTE format('GRANT hailong_runtime TO %I', login);
                    END IF;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;  -- another process made it at the same moment
                END $$
                """, logger: logger)
            try await connection.query("SELECT pg_temp.hailong_grant_runtime(\(login))", logger: logger)
        }
    }

    /// Why the connected login may not run the service, in words an operator can act on; empty when it may. A
    /// superuser, a role that bypasses row-level security, or one with a table owner's rights would be held by
    /// nothing; a login outside the runtime role has none of its grants.
    public static func objections(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT session_user::text, r.rolsuper, r.rolbypassrls,
                (SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND pg_has_role(session_user, c.relowner, 'USAGE')),
                -- CASE, not AND: pg_has_role raises for a role that does not exist, and AND does not order its operands.
                CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = \(name)) THEN pg_has_role(session_user, \(name), 'MEMBER')
                    ELSE false END
            FROM pg_roles r WHERE r.rolname = session_user
            """, logger: logger)
        for try await (login, isSuperuser, bypassesRLS, owned, isMember) in rows.decode((String, Bool, Bool, String?, Bool).self) {
            var objections: [String] = []
            if isSuperuser { objections.append("the login '\(login)' is a superuser") }
            if bypassesRLS { objections.append("the login '\(login)' bypasses row-level security") }
            if let owned, !isSuperuser { objections.append("the login '\(login)' has the owner's rights on tables (\(owned.prefix(120)))") }
            if !isMember && !isSuperuser {
                objections.append("the login '\(login)' is not a member of \(name) (GRANT \(name) TO \(login))")
            }
            return objections
        }
        return ["the connected login is not in pg_roles"]
    }

    /// `url`'s client configuration with every row in scope (the administrators' pages narrow it per transaction,
    /// `withScope`); with `actAsRuntimeRole`, acting as the runtime role from connection start.
    public static func configuration(_ url: DatabaseURL, actAsRuntimeRole: Bool = true) throws -> PostgresClient.Configuration {
        var configuration = try url.clientConfiguration()
        configuration.options.additionalStartupParameters +=
            (actAsRuntimeRole ? [("role", name)] : []) + [("hailong.scope", "all")]
        return configuration
    }
}

extension PostgresClient {
    /// Runs `body` in a transaction that sees only `agency`'s subtree, whatever its queries ask for: row-level security
    /// (sql/0012) is the second wall behind the scope each query carries. Without the runtime role (the connecting
    /// role owns the tables) the queries' own scope is the only wall. With `snapshot`, a read-only transaction whose
    /// statements all see one snapshot (REPEATABLE READ).
    public func withScope<T: Sendable>(
        _ agency: Int64, snapshot: Bool = false, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await withTransaction(logger: logger) { connection in
                if snapshot {
                    try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                }
                try await connection.query("SELECT set_config('hailong.scope', \(String(agency)), true)", logger: logger)
                return try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }
}
