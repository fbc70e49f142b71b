import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// `/admin/audit`: administrators read the audit log, an agency admin only about their subtree; viewers cannot.
@Suite struct AdminAuditTests {
    let admin = AdminAgencyTests()

    @Test func theAuditLogShowsTheSubtreesEntriesToItsAdministratorOnly() async throws {
        try await AppHarness.run { app, client in
            let (_, repeated) = try await admin.seed(app)
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let cleared = try await admin.post(
                client, "/admin/agencies/P.A/flags", cookie: cookie,
                ["csrf": csrf, "response": repeated.uuidString, "flag": "rapid_repeat", "action": "clear"])
            #expect(cleared.status == .seeOther)
            // Something at P.B that P.A's admin must not see.
            let (xaCookie, xaCSRF) = try await admin.session(app, client, "xa", agency: "P.B")
            _ = try await admin.post(
                client, "/admin/agencies/P.B/manage/counter", cookie: xaCookie, ["csrf": xaCSRF, "code": "QB", "name": "Quầy xã"])
            let log = try await client.execute(uri: "/admin/audit", method: .get, headers: [.cookie: cookie])
            #expect(log.status == .ok)
            #expect(log.text.contains("flag.clear") && log.text.contains("response \(repeated.uuidString.lowercased()) rapid_repeat"))
            #expect(log.text.contains("P.A/Q1") && !log.text.contains("P.B/QB"))
            let filtered = try await client.execute(uri: "/admin/audit?action=flag.", method: .get, headers: [.cookie: cookie])
            #expect(filtered.text.contains("flag.clear") && !filtered.text.contains("<code>sign_in</code>"))
            let none = try await client.execute(uri: "/admin/audit?actor=nobody", method: .get, headers: [.cookie: cookie])
            #expect(none.text.contains("id=\"audit-empty\""))
            let bad = try await client.execute(uri: "/admin/audit?before=x", method: .get, headers: [.cookie: cookie])
            #expect(bad.status == .badRequest && bad.json["field"] as? String == "before")
            // A system admin sees both; a viewer none.
            let (rootCookie, _) = try await admin.session(app, client, "root", role: .admin, agency: nil)
            let everything = try await client.execute(uri: "/admin/audit", method: .get, headers: [.cookie: rootCookie])
            #expect(everything.text.contains("flag.clear") && everything.text.contains("P.B/QB"))
            let (viewerCookie, _) = try await admin.session(app, client, "xem", role: .viewer)
            let refused = try await client.execute(uri: "/admin/audit", method: .get, headers: [.cookie: viewerCookie])
            #expect(refused.status == .forbidden)
        }
    }
}
