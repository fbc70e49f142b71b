import PostgresNIO

/// A storage failure a caller can understand and fix.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A unique value is taken (`field` names it: `code`, `badge`, …).
    case duplicate(field: String, value: String)
    /// A referenced row does not exist.
    case notFound(field: String, value: String)
    /// The kiosk or API token the request came with was revoked before its response could be stored.
    case revoked

    public var description: String {
        switch self {
        case .duplicate(let field, let value): "\(field) '\(value)' already exists"
        case .notFound(let field, let value): "\(field) '\(value)' was not found"
        case .revoked: "the kiosk or token was revoked"
        }
    }

    /// Whether `error` is PostgreSQL's unique_violation (23505).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}

extension PSQLError {
    /// Whether the error means the database could not be reached (rather than a statement failing),
    /// so that the caller should answer 503 and retry.
    public var isConnectionFailure: Bool {
        serverInfo == nil || serverInfo?[.sqlState]?.hasPrefix("08") == true || serverInfo?[.sqlState] == "57P01"
    }
}
