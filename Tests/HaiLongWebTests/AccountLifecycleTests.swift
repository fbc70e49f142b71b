import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import Testing

/// An account's life: its user changes their own password, an agency admin resets another's (changed at the next
/// sign-in before any page opens), and two-step sign-in with an authenticator app's codes, each used once, required
/// of system admins when the configuration says so.
@Suite struct AccountLifecycleTests {
    let admin = AdminAgencyTests()
    let auth = AdminAuthTests()

    func csrf(_ page: TestResponse) throws -> String {
        try #require(page.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1).description
    }

    /// The code of the 30-second step `offset` steps from now.
    func code(_ secret: String, offset: Int = 0) -> String {
        String(format: "%06d", TOTP(secret: secret).compute(date: Date().addingTimeInterval(Double(offset * 30))))
    }

    @Test func aUserChangesTheirOwnPasswordAndTheirOtherSessionsEnd() async throws {
        try await AppHarness.run { app, client in
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let other = try #require(auth.sessionCookie(try await auth.signIn(client, "tuphap", AdminAuthTests.password)))
            let page = try await client.execute(uri: "/admin/account", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok && page.text.contains("Đổi mật khẩu"))
            let uri = "/admin/account/password"
            let wrong = try await admin.post(
                client, uri, cookie: cookie, ["csrf": csrf, "current_password": "sai mật khẩu rồi", "new_password": "mật-khẩu-mới-dài-đủ"])
            #expect(wrong.status == .unprocessableContent && wrong.text.contains("current_password"))
            let short = try await admin.post(
                client, uri, cookie: cookie, ["csrf": csrf, "current_password": AdminAuthTests.password, "new_password": "ngắn"])
            #expect(short.status == .unprocessableContent && short.text.contains("new_password"))
            let noToken = try await admin.post(
                client, uri, cookie: cookie, ["current_password": AdminAuthTests.password, "new_password": "mật-khẩu-mới-dài-đủ"])
            #expect(noToken.status == .forbidden)
            let changed = try await admin.post(
                client, uri, cookie: cookie,
                ["csrf": csrf, "current_password": AdminAuthTests.password, "new_password": "mật-khẩu-mới-dài-đủ"])
            #expect(changed.status == .ok && changed.text.contains("id=\"notice\""))
            // This session goes on, the other one ended; the old password no longer signs in, the new one does.
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]).status == .ok)
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: other]).status == .seeOther)
            #expect(try await auth.signIn(client, "tuphap", AdminAuthTests.password).status == .unauthorized)
            #expect(try await auth.signIn(client, "tuphap", "mật-khẩu-mới-dài-đủ").status == .seeOther)
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'password.change' AND actor = 'tuphap'") == 1)
        }
    }

    @Test func anAgencyAdminResetsAPasswordThatMustBeChangedAtTheNextSignIn() async throws {
        try await AppHarness.run { app, client in
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let (viewerCookie, _) = try await admin.session(app, client, "xem", role: .viewer)
            _ = try await app.users.addUser(username: "root", role: .admin, agencyCode: nil, password: AdminAuthTests.password, by: "t")
            _ = try await app.users.addUser(
                username: "xa", role: .agencyAdmin, agencyCode: "P.B", password: AdminAuthTests.password, by: "t")
            let uri = "/admin/agencies/P.A/manage/user-reset"
            let reset = try await admin.post(client, uri, cookie: cookie, ["csrf": csrf, "username": "xem"])
            #expect(reset.status == .ok)
            let temporary = try #require(reset.text.firstMatch(of: /id="reset-password">([^<]+)</)?.1).description
            #expect(temporary.count == 16)
            // The account's session ended; nobody outside the subtree, no system admin, not oneself.
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: viewerCookie]).status == .seeOther)
            for target in ["xa", "root", "tuphap", "nobody"] {
                let refused = try await admin.post(client, uri, cookie: cookie, ["csrf": csrf, "username": target])
                #expect(refused.status == .unprocessableContent, "reset \(target)")
            }
            #expect(try await auth.signIn(client, "xa", AdminAuthTests.password).status == .seeOther)
            // The temporary password signs in, but every page leads to the account page until it is changed.
            let signedIn = try await auth.signIn(client, "xem", temporary)
            let xem = try #require(auth.sessionCookie(signedIn))
            for page in ["/admin", "/admin/agencies/P.A", "/admin/audit"] {
                let sent = try await client.execute(uri: page, method: .get, headers: [.cookie: xem])
                #expect(sent.status == .seeOther && sent.headers[.location] == "/admin/account", "\(page)")
            }
            let account = try await client.execute(uri: "/admin/account", method: .get, headers: [.cookie: xem])
            #expect(account.status == .ok && account.text.contains("id=\"must-change\""))
            let changed = try await admin.post(
                client, "/admin/account/password", cookie: xem,
                ["csrf": try self.csrf(account), "current_password": temporary, "new_password": "mật-khẩu-của-tôi-12"])
            #expect(changed.status == .ok)
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: xem]).status == .ok)
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'password.reset' AND subject = 'xem'") == 1)
        }
    }

    @Test func twoStepSignInAsksForAFreshCodeEveryTime() async throws {
        try await AppHarness.run { app, client in
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let started = try await admin.post(client, "/admin/account/second-factor", cookie: cookie, ["csrf": csrf, "action": "start"])
            let secret = try #require(started.text.firstMatch(of: /id="totp-secret">([A-Z2-7]{32})</)?.1).description
            #expect(started.text.contains("otpauth://totp/tuphap?secret="))
            let wrong = try await admin.post(
                client, "/admin/account/second-factor", cookie: cookie, ["csrf": csrf, "action": "confirm", "code": "000000"])
            #expect(wrong.status == .unprocessableContent)
            let confirmed = try await admin.post(
                client, "/admin/account/second-factor", cookie: cookie, ["csrf": csrf, "action": "confirm", "code": code(secret)])
            #expect(confirmed.status == .ok && confirmed.text.contains("id=\"second-factor-on\""))
            // Without a code, with a wrong one, or with the code already used: refused like a wrong password.
            #expect(try await auth.signIn(client, "tuphap", AdminAuthTests.password).status == .unauthorized)
            #expect(try await auth.signIn(client, "tuphap", AdminAuthTests.password, code: "123456").status == .unauthorized)
            #expect(try await auth.signIn(client, "tuphap", AdminAuthTests.password, code: code(secret)).status == .unauthorized)
            // The next step's code (within the clock drift allowed) signs in, once.
            let next = code(secret, offset: 1)
            #expect(try await auth.signIn(client, "tuphap", AdminAuthTests.password, code: next).status == .seeOther)
            #expect(try await auth.signIn(client, "tuphap", AdminAuthTests.password, code: next).status == .unauthorized)
            let reasons = try await scalar(
                app.db, "SELECT count(*) FROM audit_log WHERE action = 'sign_in.failed' AND detail->>'reason' IN ('code', 'code missing')")
            #expect(reasons == 4)
        }
    }

    @Test func whereRequiredASystemAdminTurnsOnTheSecondFactorFirst() async throws {
        try await AppHarness.run(secondFactorRequired: true) { app, client in
            _ = try await app.users.addUser(username: "root", role: .admin, agencyCode: nil, password: AdminAuthTests.password, by: "t")
            let cookie = try #require(auth.sessionCookie(try await auth.signIn(client, "root", AdminAuthTests.password)))
            let sent = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/admin/account")
            let account = try await client.execute(uri: "/admin/account", method: .get, headers: [.cookie: cookie])
            #expect(account.text.contains("id=\"needs-second-factor\""))
            let csrf = try self.csrf(account)
            let started = try await admin.post(client, "/admin/account/second-factor", cookie: cookie, ["csrf": csrf, "action": "start"])
            let secret = try #require(started.text.firstMatch(of: /id="totp-secret">([A-Z2-7]{32})</)?.1).description
            _ = try await admin.post(
                client, "/admin/account/second-factor", cookie: cookie, ["csrf": csrf, "action": "confirm", "code": code(secret)])
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]).status == .ok)
            // An agency admin is not held to it.
            let (other, _) = try await admin.session(app, client, "tuphap")
            #expect(try await client.execute(uri: "/admin", method: .get, headers: [.cookie: other]).status == .ok)
        }
    }
}
