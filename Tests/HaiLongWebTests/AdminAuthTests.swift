import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Sign-in, sessions, sign-out, lock-out, CSRF and scope of the administrators' pages, through
/// the real router on a real database. Users are created with bcrypt cost 4 to keep the suite fast; the default
/// policy's cost 12 is checked on its own.
@Suite struct AdminAuthTests {
    static let password = "mật-khẩu-đủ-dài-12"

    func form(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(
            string: fields.map { key, value in
                "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
            }.joined(separator: "&"))
    }

    /// The sign-in page's CSRF nonce and its cookie.
    func signInPage(_ client: some TestClientProtocol) async throws -> (nonce: String, cookie: String) {
        let page = try await client.execute(uri: "/admin/sign-in", method: .get)
        #expect(page.status == .ok)
        let cookie = try #require(page.headers[.setCookie])
        let nonce = try #require(cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init))
        #expect(page.text.contains("name=\"csrf\" value=\"\(nonce)\""))
        return (nonce, "hl_signin=\(nonce)")
    }

    func signIn(_ client: some TestClientProtocol, _ username: String, _ password: String, code: String? = nil) async throws -> TestResponse
    {
        let (nonce, cookie) = try await signInPage(client)
        var fields = ["csrf": nonce, "username": username, "password": password]
        if let code { fields["code"] = code }
        return try await client.execute(
            uri: "/admin/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
            body: form(fields))
    }

    func sessionCookie(_ response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("hl_session=") }.flatMap {
            $0.split(separator: ";").first.map(String.init)
        }
    }

    @Test func signInShowsTheOwnSubtreeAndSignOutEndsTheSession() async throws {
        try await AppHarness.run { app, client in
            _ = try await app.users.addUser(
                username: "tuphap", role: .agencyAdmin, agencyCode: "P.A", password: Self.password, by: "test")
            let signedIn = try await signIn(client, "tuphap", Self.password)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/admin")
            let cookie = try #require(sessionCookie(signedIn))
            let setCookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("hl_session=") })
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/admin"))
            let overview = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie])
            #expect(overview.status == .ok)
            #expect(overview.text.contains("Sở Tư pháp") && overview.text.contains("P.A"))
            #expect(!overview.text.contains("P.B"))
            #expect(overview.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(overview.headers[.xContentTypeOptions] == "nosniff" && overview.headers[.cacheControl] == "no-store")
            // Signing out needs the session's CSRF token; then the cookie is worth nothing.
            let csrf = try #require(overview.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1).description
            let forged = try await client.execute(
                uri: "/admin/sign-out", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                body: form(["csrf": "forged"]))
            #expect(forged.status == .forbidden)
            let out = try await client.execute(
                uri: "/admin/sign-out", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                body: form(["csrf": csrf]))
            #expect(out.status == .seeOther && out.headers[.location] == "/admin/sign-in")
            let after = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie])
            #expect(after.status == .seeOther && after.headers[.location] == "/admin/sign-in")
            let actions = try await scalar(
                app.db, "SELECT count(*) FROM audit_log WHERE actor = 'tuphap' AND action IN ('sign_in', 'sign_out')")
            #expect(actions == 2)
        }
    }

    @Test func aProvinceAdminSeesEveryAgencyBelowTheProvince() async throws {
        try await AppHarness.run { app, client in
            _ = try await app.users.addUser(username: "tinh", role: .agencyAdmin, agencyCode: "P", password: Self.password, by: "test")
            let cookie = try #require(sessionCookie(try await signIn(client, "tinh", Self.password)))
            let overview = try await client.execute(uri: "/admin?lang=en", method: .get, headers: [.cookie: cookie])
            #expect(overview.status == .ok)
            #expect(overview.text.contains("P.A") && overview.text.contains("P.B"))
            #expect(overview.text.contains("Sign out"))
            // Another period by its parameter; a malformed one is a 400 naming it, not an error page.
            let quarter = try await client.execute(uri: "/admin?period=2026-Q3", method: .get, headers: [.cookie: cookie])
            #expect(quarter.status == .ok && quarter.text.contains("2026-Q3"))
            let bad = try await client.execute(uri: "/admin?period=quý-3", method: .get, headers: [.cookie: cookie])
            #expect(bad.status == .badRequest && bad.headers[.contentType] == "application/problem+json")
            #expect(bad.text.contains("\"field\":\"period\""))
            // A period of millennia would allocate a bucket per month per agency: the API's cap holds here too.
            for path in ["/admin", "/admin/agencies/P.A"] {
                let huge = try await client.execute(uri: "\(path)?period=2000-01-01..2099-12-31", method: .get, headers: [.cookie: cookie])
                #expect(huge.status == .badRequest && huge.text.contains("\"field\":\"period\""), "\(path): \(huge.status)")
            }
            let twoYears = try await client.execute(uri: "/admin?period=2025-01-01..2026-12-31", method: .get, headers: [.cookie: cookie])
            #expect(twoYears.status == .ok)
        }
    }

    @Test func wrongPasswordsLockTheAccountAndEveryAttemptIsAudited() async throws {
        try await AppHarness.run { app, client in
            _ = try await app.users.addUser(username: "khoa", role: .viewer, agencyCode: "P.A", password: Self.password, by: "test")
            let unknown = try await signIn(client, "khong-co", Self.password)
            #expect(unknown.status == .unauthorized)
            for attempt in 1...10 {
                let wrong = try await signIn(client, "khoa", "sai-mat-khau-\(attempt)")
                #expect(wrong.status == (attempt < 10 ? .unauthorized : .tooManyRequests), "attempt \(attempt)")
                #expect(sessionCookie(wrong) == nil)
            }
            // Locked: even the right password is refused, with Retry-After; the username is kept in the form.
            let locked = try await signIn(client, "khoa", Self.password)
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 800)
            #expect(locked.text.contains("value=\"khoa\"") && sessionCookie(locked) == nil)
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'sign_in.failed'") == 11)
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'sign_in.locked'") == 1)
            // After the lock-out the right password works again.
            try await app.db.query("UPDATE users SET locked_until = now() - interval '1 second' WHERE username = 'khoa'")
            #expect(try await signIn(client, "khoa", Self.password).status == .seeOther)
        }
    }

    @Test func aFormWithoutItsTokenOrFromAnotherSiteIsRefused() async throws {
        try await AppHarness.run { app, client in
            _ = try await app.users.addUser(username: "csrf", role: .viewer, agencyCode: "P.A", password: Self.password, by: "test")
            let (nonce, cookie) = try await signInPage(client)
            let noToken = try await client.execute(
                uri: "/admin/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                body: form(["csrf": "other", "username": "csrf", "password": Self.password]))
            #expect(noToken.status == .forbidden && noToken.headers[.contentType] == "application/problem+json")
            let crossSite = try await client.execute(
                uri: "/admin/sign-in", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie, .origin: "https://evil.example"],
                body: form(["csrf": nonce, "username": "csrf", "password": Self.password]))
            #expect(crossSite.status == .forbidden)
            #expect(try await scalar(app.db, "SELECT count(*) FROM sessions") == 0)
        }
    }

    @Test func anIdleOrOldSessionEnds() async throws {
        try await AppHarness.run { app, client in
            _ = try await app.users.addUser(username: "ngu", role: .viewer, agencyCode: "P.A", password: Self.password, by: "test")
            let cookie = try #require(sessionCookie(try await signIn(client, "ngu", Self.password)))
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]).status == .ok)
            try await app.db.query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]).status == .seeOther)
            let fresh = try #require(sessionCookie(try await signIn(client, "ngu", Self.password)))
            try await app.db.query(
                "UPDATE sessions SET created_at = now() - interval '13 hours' WHERE ended_at IS NULL AND last_seen_at > now() - interval '1 minute'"
            )
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: fresh]).status == .seeOther)
        }
    }

    @Test func passwordsAreBcryptAtCost12AndTooShortOnesAreRefused() async throws {
        try await withTestDatabase { db in
            let fixture = try await Fixture.make(db)
            _ = fixture
            let store = PostgresUserStore(client: db, logger: TestDatabase.logger)
            #expect(store.policy.bcryptCost >= 12)
            _ = try await store.addUser(username: "admin", role: .admin, agencyCode: nil, password: Self.password, by: "test")
            let rows = try await db.query("SELECT password_hash FROM users WHERE username = 'admin'")
            let hashes = try await collect(rows.decode(String.self))
            #expect(hashes.count == 1)
            #expect(hashes.allSatisfy { $0.hasPrefix("$2b$12$") }, "\(hashes)")
            await #expect(throws: ValidationError.self) {
                try await store.addUser(username: "short", role: .admin, agencyCode: nil, password: "ngắn", by: "test")
            }
            await #expect(throws: ValidationError.self) {
                try await store.addUser(username: "noagency", role: .viewer, agencyCode: nil, password: Self.password, by: "test")
            }
            await #expect(throws: StoreError.self) {
                try await store.addUser(username: "admin", role: .admin, agencyCode: nil, password: Self.password, by: "test")
            }
        }
    }
}
