import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Testing

/// API tokens expire when asked to, are revoked by name (audited), and keep when they were last used.
@Suite struct TokenLifecycleTests {
    @Test func tokensExpireAreRevokedByNameAndKeepTheirLastUse() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            let directory = fixture.directory
            let expiring = try await directory.addToken(name: "Một cửa", role: .integration, agencyCode: "P.A", expiresIn: .seconds(86_400))
            let lasting = try await directory.addToken(name: "PAR", role: .par, agencyCode: nil)
            #expect(try await directory.caller(forToken: expiring.token) != nil)
            // Used: the look-up keeps when.
            let listed = try await directory.tokens()
            let used = try #require(listed.first { $0.id == expiring.id })
            #expect(used.lastUsedAt != nil && used.expiresAt != nil && used.agencyCode == "P.A" && used.revokedAt == nil)
            #expect(listed.first { $0.id == lasting.id }?.expiresAt == nil)
            // Past its expiry it is refused like a revoked token.
            try await db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = \(expiring.id)")
            #expect(try await directory.caller(forToken: expiring.token) == nil)
            // Revoked by name: the live one goes, with an audit entry; a second revoke finds nothing.
            #expect(try await directory.revokeTokens(named: "PAR", by: "test") == 1)
            #expect(try await directory.caller(forToken: lasting.token) == nil)
            #expect(try await directory.revokeTokens(named: "PAR", by: "test") == 0)
            #expect(try await scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'token.revoke' AND actor = 'test'") == 1)
        }
    }
}
