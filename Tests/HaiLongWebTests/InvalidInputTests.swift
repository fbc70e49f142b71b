import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Input PostgreSQL cannot store or no route can use — a NUL, another control character, a percent-encoding that is
/// not UTF-8 — is refused with a 400 problem document naming the field, before it reaches the database (a NUL in an
/// agency code used to come back from PostgreSQL as "invalid byte sequence for encoding UTF8: 0x00", a 500).
@Suite struct InvalidInputTests {
    @Test(arguments: [
        ("/api/v1/indices?period=2026&agency=P%00", "agency"),
        ("/api/v1/indices?period=2026%00&agency=P", "period"),
        ("/api/v1/indices/trend?period=2026&agency=P%01", "agency"),
        ("/api/v1/agencies?agency=%00", "agency"),
        ("/api/v1/agencies?agency=%FF%FE", "agency"),
        ("/api/v1/questionnaires/kiosk%003", "path"),
        ("/api/v1/questionnaires/kiosk%FF", "path"),
    ])
    func aControlCharacterInTheURLIs400NamingIt(_ uri: String, _ field: String) async throws {
        try await AppHarness.run { app, client in
            let response = try await client.execute(
                uri: uri, method: .get, headers: [.authorization: "Bearer \(app.parToken)"])
            #expect(response.status == .badRequest, "\(uri): \(response.text)")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.json["field"] as? String == field)
        }
    }

    @Test func aNULInARatingIs400NamingTheFieldAndNothingIsStored() async throws {
        try await AppHarness.run { app, client in
            for (body, field) in [
                (#"{"questionnaire":"kiosk-3","answers":{"overall":2},"comment":"a\u0000b","submitted_at":"\#(tapTime())"}"#, "comment"),
                (#"{"questionnaire":"kiosk-3","officer":"B\u0000","answers":{"overall":2},"submitted_at":"\#(tapTime())"}"#, "officer"),
                (
                    #"{"questionnaire":"kiosk-3","answers":{"overall":1,"reasons":["xin\u0000"]},"submitted_at":"\#(tapTime())"}"#,
                    "answers.reasons[0]"
                ),
            ] {
                let response = try await client.execute(
                    uri: "/api/v1/responses", method: .post,
                    headers: [
                        .authorization: "Bearer \(app.fixture.kioskA.token)", .contentType: "application/json",
                        HTTPField.Name("Idempotency-Key")!: UUID().uuidString,
                    ], body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body): \(response.text)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.json["field"] as? String == field)
            }
            #expect(try await app.responseCount() == 0)
        }
    }

    @Test func aNULInADossierCodeIs400() async throws {
        try await AppHarness.run { app, client in
            let feed = try await app.fixture.directory.addToken(name: "feed", role: .integration, agencyCode: "P.A")
            let response = try await client.execute(
                uri: "/api/v1/dossiers", method: .post,
                headers: [.authorization: "Bearer \(feed.token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"code":"HS\u0000-1","received_at":"2026-11-23T08:00:00+07:00"}"#))
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.json["field"] as? String == "code")
        }
    }
}

/// More than 16 KiB of header fields is 431 naming `headers`, on any route, before authentication.
@Suite struct HeaderLimitTests {
    @Test func sixtyFourKilobytesOfHeadersIs431() async throws {
        try await AppHarness.run { app, client in
            for path in ["/api/v1/agencies", "/healthz", "/api/v1/no-such"] {
                let response = try await client.execute(
                    uri: path, method: .get,
                    headers: [
                        .authorization: "Bearer \(app.parToken)", HTTPField.Name("X-Pad")!: String(repeating: "a", count: 64 * 1024),
                    ])
                #expect(response.status.code == 431, "\(path): \(response.status)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.json["field"] as? String == "headers")
            }
            // Ordinary headers, and a few kilobytes of them, still pass.
            let fine = try await client.execute(
                uri: "/api/v1/agencies", method: .get,
                headers: [.authorization: "Bearer \(app.parToken)", HTTPField.Name("X-Pad")!: String(repeating: "a", count: 8 * 1024)])
            #expect(fine.status == .ok)
        }
    }
}

/// A path segment with a control character other than NUL is storable text: the route answers it (404 here), as
/// the document's pattern for path parameters (no NUL) says.
@Suite struct PathControlCharacterTests {
    @Test func aBellInABadgeIsNotFound() async throws {
        try await AppHarness.run { app, client in
            let response = try await client.execute(
                uri: "/api/v1/kiosk/officers/B%07-1/photo", method: .get,
                headers: [.authorization: "Bearer \(app.fixture.kioskA.token)"])
            #expect(response.status == .notFound, "\(response.text)")
        }
    }
}
