import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The management page: opening hours, counters and the officer on duty, officers and their photos,
/// kiosks, accounts and CSV imports, through the real router on a real database, each change audited.
@Suite struct AdminManageTests {
    let admin = AdminAgencyTests()
    let auth = AdminAuthTests()

    /// A `multipart/form-data` body: text fields, then files `(field, filename, type, bytes)`.
    func multipart(_ fields: [String: String], files: [(String, String, String, [UInt8])]) -> (ByteBuffer, String) {
        let boundary = "hailong-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for (name, filename, type, bytes) in files {
            body.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n"
            )
            body.writeBytes(bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    func upload(
        _ client: some TestClientProtocol, _ action: String, cookie: String, _ fields: [String: String],
        files: [(String, String, String, [UInt8])]
    ) async throws -> TestResponse {
        let (body, type) = multipart(fields, files: files)
        return try await client.execute(
            uri: "/admin/agencies/P.A/manage/\(action)", method: .post, headers: [.contentType: type, .cookie: cookie], body: body)
    }

    func audited(_ app: AppHarness, _ action: String) async throws -> Int {
        try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE actor = 'tuphap' AND action = \(action)")
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 64)

    @Test func hoursCountersOfficersPhotosAndTheOfficerOnDuty() async throws {
        try await AppHarness.run { app, client in
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let page = try await client.execute(uri: "/admin/agencies/P.A/manage", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok && page.text.contains("Nguyễn Văn An") && page.text.contains("id=\"counters\""))
            // No stray backslash between the forms' tags (line continuations of the old Swift literal leaked into it).
            #expect(!page.text.contains(">\\\n"), "a stray backslash in the management page")
            // Opening hours: a bad text is a 422 naming the field, nothing changes; a good one is stored and audited.
            let bad = try await admin.post(
                client, "/admin/agencies/P.A/manage/hours", cookie: cookie, ["csrf": csrf, "opening_hours": "thứ hai 8h"])
            #expect(bad.status == .unprocessableContent && bad.text.contains("opening_hours:"))
            let hours = try await admin.post(
                client, "/admin/agencies/P.A/manage/hours", cookie: cookie, ["csrf": csrf, "opening_hours": "mon-fri 07:30-17:00"])
            #expect(hours.status == .seeOther && hours.headers[.location]?.contains("done=hours") == true)
            #expect(try await scalar(app.db, "SELECT count(*) FROM agencies WHERE code = 'P.A' AND opening_hours ? 'mon'") == 1)
            let shown = try await client.execute(uri: "/admin/agencies/P.A/manage", method: .get, headers: [.cookie: cookie])
            #expect(shown.text.contains("id=\"hours-in-force\">mon-fri 07:30-17:00<"))
            // A counter, an officer at it, on duty there; a duplicate code is refused with the reason.
            for (action, fields) in [
                ("counter", ["code": "Q2", "name": "Quầy 2"]), ("officer", ["badge": "B-2", "name": "Trần Thị Bình", "counter": "Q2"]),
                ("duty", ["counter": "Q2", "badge": "B-2"]),
            ] {
                var form = fields
                form["csrf"] = csrf
                let done = try await admin.post(client, "/admin/agencies/P.A/manage/\(action)", cookie: cookie, form)
                #expect(done.status == .seeOther, "\(action): \(done.text)")
            }
            #expect(
                try await scalar(
                    app.db,
                    "SELECT count(*) FROM counters c JOIN officers o ON o.id = c.on_duty_officer_id WHERE c.code = 'Q2' AND o.badge = 'B-2'"
                )
                    == 1)
            let duplicate = try await admin.post(
                client, "/admin/agencies/P.A/manage/counter", cookie: cookie, ["csrf": csrf, "code": "Q2", "name": "Quầy khác"])
            #expect(duplicate.status == .unprocessableContent && duplicate.text.contains("counter code &#39;Q2&#39; already exists"))
            let spaces = try await admin.post(
                client, "/admin/agencies/P.A/manage/officer", cookie: cookie, ["csrf": csrf, "badge": "B 3", "name": "X"])
            #expect(spaces.status == .unprocessableContent && spaces.text.contains("badge: must be"))
            // A photo: PNG accepted by its bytes; a text file named .png and an oversized one refused.
            let photo = try await upload(
                client, "photo", cookie: cookie, ["csrf": csrf, "badge": "B-2"], files: [("photo", "anh.png", "image/png", Self.png)])
            #expect(photo.status == .seeOther, "\(photo.text)")
            #expect(try await scalar(app.db, "SELECT count(*) FROM officers WHERE badge = 'B-2' AND photo_type = 'image/png'") == 1)
            let fake = try await upload(
                client, "photo", cookie: cookie, ["csrf": csrf, "badge": "B-1"],
                files: [("photo", "anh.png", "image/png", Array("not an image".utf8))])
            #expect(fake.status == .unprocessableContent && fake.text.contains("JPEG, PNG or WebP"))
            let huge = try await upload(
                client, "photo", cookie: cookie, ["csrf": csrf, "badge": "B-1"],
                files: [("photo", "to.png", "image/png", Self.png + Array(repeating: 0, count: 1_100_000))])
            #expect(huge.status == .unprocessableContent && huge.text.contains("at most 1 MB"))
            let forged = try await upload(
                client, "photo", cookie: cookie, ["csrf": "x", "badge": "B-1"], files: [("photo", "a.png", "image/png", Self.png)])
            #expect(forged.status == .forbidden)
            #expect(try await scalar(app.db, "SELECT count(*) FROM officers WHERE badge = 'B-1' AND photo IS NOT NULL") == 0)
            // An officer who left: off the kiosks' lists, still in the table.
            let left = try await admin.post(
                client, "/admin/agencies/P.A/manage/officer-status", cookie: cookie, ["csrf": csrf, "badge": "B-1", "active": "0"])
            #expect(left.status == .seeOther)
            #expect(try await scalar(app.db, "SELECT count(*) FROM officers WHERE badge = 'B-1' AND NOT active") == 1)
            for action in ["agency.hours", "counter.add", "officer.add", "counter.on_duty", "officer.photo", "officer.deactivate"] {
                #expect(try await audited(app, action) == 1, "\(action)")
            }
        }
    }

    @Test func kiosksArePairedOnceAndRevokedAndAccountsStayInTheSubtree() async throws {
        try await AppHarness.run { app, client in
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let added = try await admin.post(
                client, "/admin/agencies/P.A/manage/kiosk", cookie: cookie, ["csrf": csrf, "label": "Kiosk sảnh", "counter": "Q1"])
            #expect(added.status == .ok)
            let code = try #require(added.text.firstMatch(of: /id="pairing-code">([^<]+)</)?.1).description
            // The code pairs a kiosk through the API, and is not shown again.
            let paired = try await client.execute(
                uri: "/api/v1/kiosk/pair", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"code":"\#(code)"}"#))
            #expect(paired.status == .ok, "\(paired.text)")
            let again = try await client.execute(uri: "/admin/agencies/P.A/manage", method: .get, headers: [.cookie: cookie])
            #expect(!again.text.contains(code) && again.text.contains("Kiosk sảnh"))
            let id = try await scalar(app.db, "SELECT id FROM kiosks WHERE label = 'Kiosk sảnh'")
            // The agency page's kiosk table is kept for a few seconds, but not past a change made on a management page.
            func kioskRow() async throws -> String {
                let page = try await client.execute(uri: "/admin/agencies/P.A", method: .get, headers: [.cookie: cookie])
                return String(page.text.firstMatch(of: /<tr><td>Kiosk sảnh<\/td>.*?<\/tr>/)?.output ?? "")
            }
            let shown = try await kioskRow()
            #expect(!shown.isEmpty && !shown.contains("Đã thu hồi"), "\(shown)")
            let revoked = try await admin.post(
                client, "/admin/agencies/P.A/manage/kiosk-revoke", cookie: cookie, ["csrf": csrf, "kiosk": String(id)])
            #expect(revoked.status == .seeOther)
            #expect(try await scalar(app.db, "SELECT count(*) FROM kiosks WHERE id = \(id) AND status = 'revoked'") == 1)
            #expect(try await kioskRow().contains("Đã thu hồi"))
            // P.B's kiosk is not P.A's to revoke.
            let other = try await admin.post(
                client, "/admin/agencies/P.A/manage/kiosk-revoke", cookie: cookie, ["csrf": csrf, "kiosk": String(app.fixture.kioskB.id)])
            #expect(other.status == .unprocessableContent)
            #expect(try await scalar(app.db, "SELECT count(*) FROM kiosks WHERE id = \(app.fixture.kioskB.id) AND status = 'active'") == 1)
            #expect(try await audited(app, "kiosk.add") == 1)
            #expect(try await audited(app, "kiosk.revoke") == 1)
            // Accounts: a viewer of P.A yes; a system admin or an account at P.B no.
            let viewer = try await admin.post(
                client, "/admin/agencies/P.A/manage/user", cookie: cookie,
                ["csrf": csrf, "username": "xem.tuphap", "role": "viewer", "agency": "P.A", "password": AdminAuthTests.password])
            #expect(viewer.status == .seeOther, "\(viewer.text)")
            let system = try await admin.post(
                client, "/admin/agencies/P.A/manage/user", cookie: cookie,
                ["csrf": csrf, "username": "sieu", "role": "admin", "password": AdminAuthTests.password])
            #expect(system.status == .unprocessableContent && system.text.contains("role:"))
            let outside = try await admin.post(
                client, "/admin/agencies/P.A/manage/user", cookie: cookie,
                ["csrf": csrf, "username": "xa", "role": "agency_admin", "agency": "P.B", "password": AdminAuthTests.password])
            #expect(outside.status == .unprocessableContent && outside.text.contains("agency:"))
            #expect(try await scalar(app.db, "SELECT count(*) FROM users WHERE username IN ('sieu', 'xa')") == 0)
            // The viewer's role changes, the kiosk gets a new name, and an account is disabled: its sessions end.
            let (viewerSession, _) = try await admin.session(app, client, "xem.sau", role: .viewer)
            for (action, fields) in [
                ("user-role", ["username": "xem.tuphap", "role": "agency_admin"]),
                ("kiosk-label", ["kiosk": String(id), "label": "Kiosk cửa chính"]),
                ("user-disable", ["username": "xem.sau"]),
            ] {
                var form = fields
                form["csrf"] = csrf
                let done = try await admin.post(client, "/admin/agencies/P.A/manage/\(action)", cookie: cookie, form)
                #expect(done.status == .seeOther, "\(action): \(done.text)")
            }
            #expect(try await scalar(app.db, "SELECT count(*) FROM users WHERE username = 'xem.tuphap' AND role = 'agency_admin'") == 1)
            #expect(try await scalar(app.db, "SELECT count(*) FROM kiosks WHERE label = 'Kiosk cửa chính'") == 1)
            let gone = try await client.execute(uri: "/admin", method: .get, headers: [.cookie: viewerSession])
            #expect(gone.status == .seeOther && gone.headers[.location] == "/admin/sign-in")
            let refusedSignIn = try await auth.signIn(client, "xem.sau", AdminAuthTests.password)
            #expect(refusedSignIn.status == .unauthorized)
            for action in ["user.role", "kiosk.label", "user.disable"] { #expect(try await audited(app, action) == 1, "\(action)") }
            // Not one's own account, not to the system role, not outside the subtree.
            let own = try await admin.post(
                client, "/admin/agencies/P.A/manage/user-disable", cookie: cookie, ["csrf": csrf, "username": "tuphap"])
            #expect(own.status == .unprocessableContent)
            let promote = try await admin.post(
                client, "/admin/agencies/P.A/manage/user-role", cookie: cookie, ["csrf": csrf, "username": "xem.tuphap", "role": "admin"])
            #expect(promote.status == .unprocessableContent)
            // A viewer sees no forms and cannot change anything.
            let (viewerCookie, viewerCSRF) = try await admin.session(app, client, "xem2", role: .viewer)
            let viewerPage = try await client.execute(uri: "/admin/agencies/P.A/manage", method: .get, headers: [.cookie: viewerCookie])
            #expect(viewerPage.status == .ok && !viewerPage.text.contains("/manage/counter"))
            let refused = try await admin.post(
                client, "/admin/agencies/P.A/manage/counter", cookie: viewerCookie, ["csrf": viewerCSRF, "code": "Q9", "name": "Quầy 9"])
            #expect(refused.status == .forbidden)
        }
    }

    @Test func aCSVImportIsPreviewedWithEveryErrorAndAppliedAllAtOnce() async throws {
        try await AppHarness.run { app, client in
            let (cookie, csrf) = try await admin.session(app, client, "tuphap")
            let bad =
                "\u{FEFF}Số hiệu,Họ tên,Chức danh,Quầy\r\nB-10,Lê Văn Cường,Chuyên viên,Q1\r\nB 11,Phạm Thị Dung,,Q1\r\nB-12,Hoàng Văn Em,,Q9\r\n"
            let preview = try await upload(
                client, "import", cookie: cookie, ["csrf": csrf, "kind": "officers"],
                files: [("file", "can-bo.csv", "text/csv", Array(bad.utf8))])
            #expect(preview.status == .unprocessableContent)
            #expect(preview.text.contains("id=\"preview-error-count\">2<"))
            #expect(
                preview.text.contains("badge: must be 1–64 letters")
                    && preview.text.contains("counter: &#39;Q9&#39; is not a counter of P.A"))
            #expect(!preview.text.contains("id=\"import-apply\""))
            // Applying a file with errors stores nothing either.
            let forced = try await admin.post(
                client, "/admin/agencies/P.A/manage/import-apply", cookie: cookie, ["csrf": csrf, "kind": "officers", "csv": bad])
            #expect(forced.status == .unprocessableContent)
            #expect(try await scalar(app.db, "SELECT count(*) FROM officers") == 1)
            let good = "badge;name;title;counter\nB-1;Nguyễn Văn An;Trưởng bộ phận;Q1\nB-10;Lê Văn Cường;Chuyên viên;Q1\n"
            let ok = try await upload(
                client, "import", cookie: cookie, ["csrf": csrf, "kind": "officers"],
                files: [("file", "x.csv", "text/csv", Array(good.utf8))])
            #expect(
                ok.status == .ok && ok.text.contains("id=\"import-apply\"") && ok.text.contains("thêm mới") && ok.text.contains("cập nhật"))
            let applied = try await admin.post(
                client, "/admin/agencies/P.A/manage/import-apply", cookie: cookie, ["csrf": csrf, "kind": "officers", "csv": good])
            #expect(applied.status == .seeOther)
            #expect(try await scalar(app.db, "SELECT count(*) FROM officers WHERE badge = 'B-10' AND name = 'Lê Văn Cường'") == 1)
            #expect(try await scalar(app.db, "SELECT count(*) FROM officers WHERE badge = 'B-1' AND title = 'Trưởng bộ phận'") == 1)
            #expect(try await audited(app, "officers.import") == 1)
            // The same file again: nothing new, nothing to apply.
            let same = try await upload(
                client, "import", cookie: cookie, ["csrf": csrf, "kind": "officers"],
                files: [("file", "x.csv", "text/csv", Array(good.utf8))])
            #expect(same.text.contains("Tệp không có gì mới.") && !same.text.contains("id=\"import-apply\""))
            // Agencies: a new unit under P.A (parent defaults to the page's agency); one under P.B is refused.
            let agencies = "code,name,parent,kind\nP.A.1,Trung tâm Trợ giúp pháp lý,,center\nP.B.9,Thôn lạ,P.B,other\n"
            let refusal = try await admin.post(
                client, "/admin/agencies/P.A/manage/import-apply", cookie: cookie, ["csrf": csrf, "kind": "agencies", "csv": agencies])
            #expect(refusal.status == .unprocessableContent && refusal.text.contains("parent: &#39;P.B&#39; is not P.A"))
            let unit = try await admin.post(
                client, "/admin/agencies/P.A/manage/import-apply", cookie: cookie,
                ["csrf": csrf, "kind": "agencies", "csv": "code,name,parent,kind\nP.A.1,Trung tâm Trợ giúp pháp lý,,center\n"])
            #expect(unit.status == .seeOther)
            #expect(
                try await scalar(
                    app.db,
                    "SELECT count(*) FROM agencies c JOIN agencies p ON p.id = c.parent_id WHERE c.code = 'P.A.1' AND p.code = 'P.A'")
                    == 1)
        }
    }
}
