import Foundation
import HTTPTypes
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /api/v1/survey-links`: signed links for receipts, within the token's scope.
@Suite struct SurveyLinksAPITests {
    func make(_ client: some TestClientProtocol, token: String, _ body: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/survey-links", method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: body))
    }

    @Test func anIntegrationTokenGetsALinkThatOpensTheBoundSurvey() async throws {
        try await AppHarness.run { app, client in
            let integration = try await app.fixture.directory.addToken(name: "Một cửa", role: .integration, agencyCode: "P.A")
            let made = try await make(client, token: integration.token, #"{"dossier":"HS-42","officer":"B-1","valid_days":3}"#)
            #expect(made.status == .created, "\(made.text)")
            let url = try #require(made.json["url"] as? String)
            #expect(url.hasPrefix("/s/P.A?t="))
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let expires = try #require((made.json["expires_at"] as? String).flatMap { formatter.date(from: $0) })
            #expect(abs(expires.timeIntervalSinceNow - 3 * 86_400) < 120)
            let page = try await client.execute(uri: url, method: .get)
            #expect(page.status == .ok && page.text.contains("<strong>HS-42</strong>"))
        }
    }

    @Test func outOfScopeUnknownAndBadRequestsAreRefused() async throws {
        try await AppHarness.run { app, client in
            let integration = try await app.fixture.directory.addToken(name: "Một cửa", role: .integration, agencyCode: "P.A")
            let outside = try await make(client, token: integration.token, #"{"agency":"P.B"}"#)
            // Outside the token's scope is answered like an agency that does not exist.
            let unknown = try await make(client, token: integration.token, #"{"agency":"NOPE"}"#)
            #expect(outside.status == .unprocessableContent && outside.json["field"] as? String == "agency")
            #expect(
                outside.status == unknown.status
                    && (outside.json["detail"] as? String)?.replacingOccurrences(of: "P.B", with: "NOPE") == unknown.json["detail"]
                        as? String
            )
            let cases: [(String, String)] = [
                (#"{"agency":"NOPE"}"#, "agency"), (#"{"dossier":"a b"}"#, "dossier"), (#"{"valid_days":0}"#, "valid_days"),
                (#"{"valid_days":400}"#, "valid_days"), (#"{"colour":"red"}"#, "colour"),
            ]
            for (body, field) in cases {
                let refused = try await make(client, token: integration.token, body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.json["field"] as? String == field, "\(body)")
            }
            // A PAR token reads figures; it does not make links. Kiosks neither.
            #expect(try await make(client, token: app.parToken, "{}").status == .forbidden)
            #expect(try await make(client, token: app.fixture.kioskA.token, "{}").status == .forbidden)
        }
    }
}
