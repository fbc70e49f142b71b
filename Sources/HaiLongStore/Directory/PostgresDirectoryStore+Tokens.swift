import Foundation
import HaiLongCore

/// An API token as `hailong token list` shows it: never the token itself, which is not stored.
public struct TokenSummary: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var role: String
    public var agencyCode: String?
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var lastUsedAt: Date?
}

/// Listing and revoking API tokens.
extension PostgresDirectoryStore {
    /// Every API token, oldest first.
    public func tokens() async throws -> [TokenSummary] {
        let rows = try await client.query(
            """
            SELECT t.id, t.name, t.role, a.code, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
            FROM api_tokens t LEFT JOIN agencies a ON a.id = t.agency_id ORDER BY t.id
            """, logger: logger)
        var tokens: [TokenSummary] = []
        for try await (id, name, role, code, created, expires, revoked, used) in rows.decode(
            (Int64, String, String, String?, Date, Date?, Date?, Date?).self)
        {
            tokens.append(
                TokenSummary(
                    id: id, name: name, role: role, agencyCode: code, createdAt: created, expiresAt: expires, revokedAt: revoked,
                    lastUsedAt: used))
        }
        return tokens
    }

    /// Revokes every live token named `name` (audited, in the same statement); returns how many.
    public func revokeTokens(named name: String, by actor: String) async throws -> Int {
        let rows = try await client.query(
            """
            WITH revoked AS (
                UPDATE api_tokens SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING id, agency_id
            ), audited AS (
                INSERT INTO audit_log (actor, action, agency_id, subject) SELECT \(actor), 'token.revoke', agency_id, 'token ' || id || ' ' || \(name) FROM revoked
            )
            SELECT count(*)::int FROM revoked
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
