import Foundation
import HTTPTypes
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The web survey over real HTTP handling: the plain form, its validation, signed links and abuse guards.
@Suite struct SurveyTests {
    static var quick: SurveySettings {
        var settings = SurveySettings()
        settings.minimumFillTime = .zero
        return settings
    }

    /// The hidden fields of a served form.
    func hidden(_ html: String) -> [String: String] {
        var fields: [String: String] = [:]
        for match in html.matches(of: /<input type="hidden" name="([a-z]+)" value="([^"]*)">/) {
            fields[String(match.1)] = String(match.2)
        }
        return fields
    }

    func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
    }

    func post(_ client: some TestClientProtocol, _ path: String, _ fields: [(String, String)]) async throws -> TestResponse {
        try await client.execute(
            uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: encode(fields)))
    }

    /// Serves the form at `path` and sends it back with `answers` added.
    func answer(
        _ client: some TestClientProtocol, _ path: String, _ answers: [(String, String)], post postPath: String = "/s/P.A"
    ) async throws -> TestResponse {
        let page = try await client.execute(uri: path, method: .get)
        #expect(page.status == .ok, "\(page.text)")
        return try await post(client, postPath, hidden(page.text).map { ($0.key, $0.value) } + answers)
    }

    @Test func theFormHasEveryCriterionInBothLanguages() async throws {
        try await AppHarness.run { _, client in
            let page = try await client.execute(uri: "/s/P.A?dossier=HS-7&officer=B-1", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            // Not to be framed by another site, nor sniffed, nor given a script or style of another origin.
            let policy = page.headers[.contentSecurityPolicy] ?? ""
            #expect(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"), "\(policy)")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            let html = page.text
            #expect(html.contains(#"<html lang="vi">"#) && html.contains("Sở Tư pháp"))
            #expect(html.components(separatedBy: "<fieldset").count - 1 == 19)
            #expect(html.components(separatedBy: #"type="radio""#).count - 1 == 19 * 5)
            #expect(html.contains("Công chức giải quyết công việc") && html.contains("Rất không hài lòng"))
            #expect(html.contains(#"name="dossier" value="HS-7""#) && hidden(html)["officer"] == "B-1")
            #expect(html.contains("<strong>Nguyễn Văn An</strong>"))  // the officer as citizens know them
            // No phone field unless the server can encrypt it; a trap field people never see.
            #expect(!html.contains(#"name="phone""#) && html.contains(#"name="website""#))
            let english = try await client.execute(uri: "/s/P.A?lang=en", method: .get)
            #expect(english.text.contains(#"<html lang="en">"#) && english.text.contains("The officer"))
            let missing = try await client.execute(uri: "/s/NOPE", method: .get)
            #expect(missing.status == .notFound && missing.text.contains("Không tìm thấy cơ quan"))
        }
    }

    @Test func aFilledFormIsStoredOnceAsAWebResponse() async throws {
        try await AppHarness.run(survey: Self.quick) { app, client in
            let page = try await client.execute(uri: "/s/P.A?dossier=HS-7&officer=B-1", method: .get)
            let fields =
                hidden(page.text).map { ($0.key, $0.value) } + [
                    ("dossier", "HS-7"), ("tiep_can.1", "5"), ("cong_chuc.1", "4"), ("pakn.3", "2"), ("comment", "Cán bộ rất tận tình"),
                ]
            let sent = try await post(client, "/s/P.A", fields)
            #expect(sent.status == .seeOther)
            #expect(sent.headers[.location] == "/s/P.A/cam-on?lang=vi")
            // Sent twice (a double click without JavaScript): still one row.
            #expect(try await post(client, "/s/P.A", fields).status == .seeOther)
            #expect(try await app.responseCount() == 1)
            // Without a signed link the dossier and officer are the citizen's claim: kept as typed, linked to neither.
            let stored = try await scalar(
                app.db,
                """
                SELECT count(*) FROM responses r
                WHERE r.channel = 'web' AND r.dossier_code = 'HS-7' AND r.officer_badge = 'B-1' AND r.officer_id IS NULL
                  AND r.dossier_id IS NULL AND 'unverified' = ANY (r.flags) AND r.kiosk_id IS NULL
                  AND r.answers = '{"tiep_can.1": 5, "cong_chuc.1": 4, "pakn.3": 2}'::jsonb AND r.comment = 'Cán bộ rất tận tình'
                """)
            #expect(stored == 1)
            let thanks = try await client.execute(uri: "/s/P.A/cam-on?lang=en", method: .get)
            #expect(thanks.status == .ok && thanks.text.contains("Thank you!"))
        }
    }

    @Test func errorsAreShownNextToTheirFieldsWithTheAnswersKept() async throws {
        try await AppHarness.run(survey: Self.quick) { app, client in
            let none = try await answer(client, "/s/P.A", [("comment", "Không có gì")])
            #expect(none.status == .unprocessableContent)
            #expect(none.text.contains("Vui lòng trả lời ít nhất một câu hỏi.") && none.text.contains(">Không có gì</textarea>"))
            let bad = try await answer(
                client, "/s/P.A", [("tiep_can.1", "7"), ("thu_tuc.2", "4"), ("comment", String(repeating: "ý", count: 1001))])
            #expect(bad.status == .unprocessableContent)
            let html = bad.text
            #expect(html.contains(#"id="q-tiep_can-1-error""#) && html.contains("Vui lòng chọn một mức từ 1 đến 5."))
            #expect(html.contains(#"id="thu_tuc-2-4" name="thu_tuc.2" value="4" checked"#))
            #expect(html.contains(#"id="comment-error""#) && html.contains(##"<a href="#comment">"##))
            #expect(try await app.responseCount() == 0)
        }
    }

    @Test func aFormSentTooQuicklyIsShownAgainAndATrapFilledOneIsRefused() async throws {
        try await AppHarness.run { app, client in
            let quick = try await answer(client, "/s/P.A", [("ket_qua.1", "5")])
            #expect(quick.status == .unprocessableContent)
            #expect(quick.text.contains("gửi hơi nhanh") && quick.text.contains(#"value="5" checked"#))
            let forged = try await post(client, "/s/P.A", [("rid", UUID().uuidString), ("stamp", "1.AAAA"), ("ket_qua.1", "5")])
            #expect(forged.status == .unprocessableContent && forged.text.contains("Biểu mẫu đã cũ"))
            let trapped = try await answer(client, "/s/P.A", [("ket_qua.1", "5"), ("website", "http://spam.example")])
            #expect(trapped.status == .badRequest)
            #expect(try await app.responseCount() == 0)
        }
    }

    @Test func aSignedLinkIsBoundToItsDossierAndUsedOnce() async throws {
        try await AppHarness.run(survey: Self.quick) { app, client in
            let signer = SurveySigner(secret: try await app.fixture.directory.serverSecret(named: "survey_links"))
            let link = SurveyLink(agency: "P.A", dossier: "HS-9", officer: "B-1", expires: Date().addingTimeInterval(3600))
            let token = signer.token(for: link)
            let page = try await client.execute(uri: "/s/P.A?t=\(token)", method: .get)
            #expect(page.status == .ok && page.text.contains("<strong>HS-9</strong>") && !page.text.contains(#"name="dossier""#))
            // The dossier comes from the signed token, not from a field someone added.
            let sent = try await post(
                client, "/s/P.A", hidden(page.text).map { ($0.key, $0.value) } + [("dossier", "HS-OTHER"), ("cong_chuc.5", "5")])
            #expect(sent.status == .seeOther)
            #expect(try await scalar(app.db, "SELECT count(*) FROM responses WHERE dossier_code = 'HS-9' AND channel = 'web'") == 1)
            let again = try await client.execute(uri: "/s/P.A?t=\(token)", method: .get)
            #expect(again.status == .ok && again.text.contains("Hồ sơ này đã được đánh giá"))
            let second = try await post(
                client, "/s/P.A",
                [("rid", UUID().uuidString), ("t", token), ("cong_chuc.5", "1")]
                    + hidden(page.text).filter { $0.key == "stamp" }.map { ($0.key, $0.value) })
            #expect(second.status == .conflict || second.status == .unprocessableContent)
            #expect(try await app.responseCount() == 1)
            // Expired, tampered, or made for another agency: refused.
            let expired = signer.token(
                for: SurveyLink(agency: "P.A", dossier: "HS-1", officer: nil, expires: Date().addingTimeInterval(-1)))
            let otherAgency = signer.token(
                for: SurveyLink(agency: "P.B", dossier: "HS-1", officer: nil, expires: Date().addingTimeInterval(60)))
            var tampered = Array(token)
            tampered[3] = tampered[3] == "A" ? "B" : "A"
            for bad in [expired, otherAgency, String(tampered), "garbage"] {
                let refused = try await client.execute(uri: "/s/P.A?t=\(bad)", method: .get)
                #expect(refused.status == .forbidden && refused.text.contains("không hợp lệ hoặc đã hết hạn"), "\(bad)")
            }
        }
    }

    @Test func tooManySubmissionsFromOneAddressAreRefusedWithRetryAfter() async throws {
        var settings = Self.quick
        settings.burst = 2
        settings.interval = .seconds(60)
        try await AppHarness.run(survey: settings) { app, client in
            #expect(try await answer(client, "/s/P.A", [("pakn.1", "4")]).status == .seeOther)
            #expect(try await answer(client, "/s/P.A", [("pakn.1", "4")]).status == .seeOther)
            let limited = try await answer(client, "/s/P.A", [("pakn.1", "4")])
            #expect(limited.status == .tooManyRequests)
            #expect((Int(limited.headers[.retryAfter] ?? "") ?? 0) >= 1)
            #expect(limited.text.contains("Vui lòng thử lại sau"))
            #expect(try await app.responseCount() == 2)
        }
    }

    @Test func aPhoneNumberNeedsConsentAndAKey() async throws {
        var settings = Self.quick
        settings.acceptsContact = true
        try await AppHarness.run(survey: settings) { app, client in
            let page = try await client.execute(uri: "/s/P.A", method: .get)
            #expect(page.text.contains(#"name="phone""#) && page.text.contains(#"name="consent""#))
            let noConsent = try await answer(client, "/s/P.A", [("pakn.1", "4"), ("phone", "0912 345 678")])
            #expect(noConsent.status == .unprocessableContent && noConsent.text.contains(#"id="consent-error""#))
            #expect(noConsent.text.contains(#"value="0912 345 678""#))
            let badPhone = try await answer(client, "/s/P.A", [("pakn.1", "4"), ("phone", "12"), ("consent", "yes")])
            #expect(badPhone.status == .unprocessableContent && badPhone.text.contains(#"id="phone-error""#))
            // The harness's store has no HAILONG_DATA_KEY: the number is refused, never stored in clear.
            let noKey = try await answer(client, "/s/P.A", [("pakn.1", "4"), ("phone", "0912 345 678"), ("consent", "yes")])
            #expect(noKey.status == .unprocessableContent && noKey.text.contains(#"id="phone-error""#))
            #expect(try await app.responseCount() == 0)
        }
    }
}
