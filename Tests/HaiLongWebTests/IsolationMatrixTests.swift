import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The isolation matrix: every administrators' page and every API route that takes an agency, asked by a
/// caller scoped to commune P.B for department P.A's data. Each answer is a 403 or 404 that shows none of P.A's data,
/// or a 2xx that holds only P.B's; nothing of P.A changes. Row-level security under the same requests is in
/// `RowLevelSecurityTests`; the whole router here runs as the runtime role it applies to.
@Suite struct IsolationMatrixTests {
    let admin = AdminAgencyTests()

    /// What a caller of P.B must never see: P.A's name, officer and comment, and in an answer with data, its code (a
    /// refusal may repeat the code the caller asked for).
    static let secrets = ["Sở Tư pháp", "Nguyễn Văn An", "Chờ lâu"]

    func expectNothingOfA(_ response: TestResponse, _ route: String, allowed: Set<HTTPResponse.Status> = [.forbidden, .notFound]) {
        #expect(allowed.contains(response.status), "\(route): \(response.status)")
        for secret in Self.secrets + (response.status.code < 300 ? ["P.A"] : []) {
            #expect(!response.text.contains(secret), "\(route) shows '\(secret)'")
        }
    }

    @Test func aCommuneAdminGetsNothingOfTheDepartmentOnAnyPage() async throws {
        try await AppHarness.run { app, client in
            let (complaint, repeated) = try await admin.seed(app)
            let (cookie, csrf) = try await admin.session(app, client, "xa", agency: "P.B")
            let before =
                try await scalar(app.db, "SELECT count(*) FROM flag_reviews") + scalar(app.db, "SELECT count(*) FROM complaint_updates")
            let pages = [
                "/admin/agencies/P.A", "/admin/agencies/P.A?lang=en", "/admin/agencies/P.A?questionnaire=sipas-5",
                "/admin/agencies/P.A/export?format=csv", "/admin/agencies/P.A/export?format=xlsx", "/admin/agencies/P.A/flags",
                "/admin/agencies/P.A/complaints", "/admin/agencies/P.A/complaints?status=new", "/admin/agencies/P",
                "/admin/agencies/P/export?format=csv", "/admin/agencies/P/flags", "/admin/agencies/P/complaints",
            ]
            for page in pages {
                expectNothingOfA(try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]), page)
            }
            let forms: [(String, [String: String])] = [
                ("/admin/agencies/P.A/flags", ["response": repeated.uuidString, "flag": "rapid_repeat", "action": "clear"]),
                ("/admin/agencies/P.B/flags", ["response": repeated.uuidString, "flag": "rapid_repeat", "action": "clear"]),
                ("/admin/agencies/P/flags", ["response": repeated.uuidString, "flag": "rapid_repeat", "action": "clear"]),
                ("/admin/agencies/P.A/complaints", ["response": complaint.uuidString, "status": "resolved"]),
                ("/admin/agencies/P.B/complaints", ["response": complaint.uuidString, "status": "resolved"]),
            ]
            for (path, fields) in forms {
                var body = fields
                body["csrf"] = csrf
                expectNothingOfA(try await admin.post(client, path, cookie: cookie, body), "POST \(path)")
            }
            let after =
                try await scalar(app.db, "SELECT count(*) FROM flag_reviews") + scalar(app.db, "SELECT count(*) FROM complaint_updates")
            #expect(after == before)
            // What P.B's admin may see holds only P.B.
            for page in ["/admin", "/admin/agencies/P.B", "/admin/agencies/P.B/flags", "/admin/agencies/P.B/complaints"] {
                expectNothingOfA(try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]), page, allowed: [.ok])
            }
            let csv = try await client.execute(uri: "/admin/agencies/P.B/export?format=csv", method: .get, headers: [.cookie: cookie])
            expectNothingOfA(csv, "export P.B", allowed: [.ok])
            #expect(csv.text.contains("P.B,Xã Hòa Bình"))
        }
    }

    @Test func tokensScopedToTheCommuneGetNothingOfTheDepartmentFromAnyAPIRoute() async throws {
        try await AppHarness.run { app, client in
            _ = try await admin.seed(app)
            let directory = app.fixture.directory
            let par = try await directory.addToken(name: "PAR xã", role: .par, agencyCode: "P.B")
            let adminToken = try await directory.addToken(name: "admin xã", role: .admin, agencyCode: "P.B")
            let integration = try await directory.addToken(name: "một cửa xã", role: .integration, agencyCode: "P.B")
            let year = String(LocalDate(Date(), in: TimeZone(identifier: "Asia/Ho_Chi_Minh")!).description.prefix(4))
            let reads = [
                "/api/v1/indices?period=\(year)&agency=P.A", "/api/v1/indices?period=\(year)&agency=P&depth=1",
                "/api/v1/indices?period=\(year)&agency=P.A&group=officer", "/api/v1/indices?period=\(year)&agency=P.A&format=csv",
                "/api/v1/indices?period=\(year)&agency=P.A&format=xlsx", "/api/v1/indices?period=\(year)&agency=P.A&published=latest",
                "/api/v1/indices/trend?period=\(year)&agency=P.A", "/api/v1/agencies?agency=P.A", "/api/v1/agencies?agency=P",
            ]
            for token in [par.token, adminToken.token] {
                for route in reads {
                    expectNothingOfA(
                        try await client.execute(uri: route, method: .get, headers: [.authorization: "Bearer \(token)"]), route)
                }
                // Without an agency the token's own scope is answered: P.B only.
                for route in ["/api/v1/indices?period=\(year)&depth=all", "/api/v1/agencies"] {
                    let own = try await client.execute(uri: route, method: .get, headers: [.authorization: "Bearer \(token)"])
                    expectNothingOfA(own, route, allowed: [.ok])
                    #expect(own.text.contains("P.B"), "\(route)")
                }
            }
            let json: HTTPFields = [.authorization: "Bearer \(adminToken.token)", .contentType: "application/json"]
            let publication = try await client.execute(
                uri: "/api/v1/publications", method: .post, headers: json,
                body: ByteBuffer(string: #"{"period":"\#(year)","agency":"P.A","questionnaire":"kiosk-3"}"#))
            expectNothingOfA(publication, "POST /api/v1/publications")
            #expect(try await scalar(app.db, "SELECT count(*) FROM publications") == 0)
            let link = try await client.execute(
                uri: "/api/v1/survey-links", method: .post,
                headers: [.authorization: "Bearer \(integration.token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"agency":"P.A","dossier":"HS-9"}"#))
            // An agency outside the token's scope is refused exactly like an unknown one (422 naming agency).
            expectNothingOfA(link, "POST /api/v1/survey-links", allowed: [.unprocessableContent])
            // A dossier fed through P.B's token lands at P.B, and does not take P.A's officer.
            let dossier = try await client.execute(
                uri: "/api/v1/dossiers", method: .post,
                headers: [.authorization: "Bearer \(integration.token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"code":"HS-B-77","officer":"B-1","received_at":"2026-11-20T08:00:00+07:00"}"#))
            #expect(dossier.status.code < 300 || dossier.status == .unprocessableContent, "\(dossier.status) \(dossier.text)")
            expectNothingOfA(dossier, "POST /api/v1/dossiers", allowed: [dossier.status])
            #expect(try await scalar(app.db, "SELECT count(*) FROM dossiers WHERE agency_id <> \(app.fixture.agencyB.id)") == 0)
        }
    }

    @Test func aKioskOfTheCommuneCannotReachTheDepartmentsOfficers() async throws {
        try await AppHarness.run { app, client in
            _ = try await admin.seed(app)
            let kiosk: HTTPFields = [.authorization: "Bearer \(app.fixture.kioskB.token)", .contentType: "application/json"]
            let config = try await client.execute(uri: "/api/v1/kiosk/config", method: .get, headers: kiosk)
            expectNothingOfA(config, "GET /api/v1/kiosk/config", allowed: [.ok])
            #expect(config.text.contains("Xã Hòa Bình"))
            let photo = try await client.execute(uri: "/api/v1/kiosk/officers/B-1/photo", method: .get, headers: kiosk)
            expectNothingOfA(photo, "GET /api/v1/kiosk/officers/B-1/photo")
            let onDuty = try await client.execute(
                uri: "/api/v1/kiosk/on-duty", method: .put, headers: kiosk, body: ByteBuffer(string: #"{"badge":"B-1"}"#))
            expectNothingOfA(onDuty, "PUT /api/v1/kiosk/on-duty", allowed: [.badRequest, .unprocessableContent, .notFound])
            // A rating naming P.A's officer is kept at P.B, flagged, and linked to nobody.
            var headers = kiosk
            headers[.init("Idempotency-Key")!] = UUID().uuidString
            let rated = try await client.execute(
                uri: "/api/v1/responses", method: .post, headers: headers,
                body: ByteBuffer(
                    string: #"{"questionnaire":"kiosk-3","officer":"B-1","answers":{"overall":3},"submitted_at":"\#(tapTime())"}"#))
            expectNothingOfA(rated, "POST /api/v1/responses", allowed: [.created])
            #expect(rated.text.contains("unknown_officer"))
            #expect(
                try await scalar(
                    app.db, "SELECT count(*) FROM responses WHERE agency_id = \(app.fixture.agencyB.id) AND officer_id IS NOT NULL") == 0)
        }
    }
}
