import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct ResponsesAPITests {
    func post(
        _ client: some TestClientProtocol, body: String, token: String?, key: String? = UUID().uuidString
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: "/api/v1/responses", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aKioskRatingIsStoredAndAReplayGetsTheSameAnswer() async throws {
        try await AppHarness.run { app, client in
            let key = UUID().uuidString
            let body = """
                {"questionnaire":"kiosk-3","officer":"B-1","dossier":"000.00.17.H31-261123-0001",
                 "answers":{"overall":1,"reasons":["xin_chao","luon_lang_nghe"]},"comment":"Chờ hơi lâu",
                 "submitted_at":"\(tapTime())"}
                """
            let first = try await post(client, body: body, token: app.fixture.kioskA.token, key: key)
            #expect(first.status == .created)
            #expect(first.json["id"] as? String == key.lowercased())
            #expect(first.json["flags"] as? [String] == [])
            #expect((first.json["received_at"] as? String)?.hasSuffix("Z") == true)
            // The same request again, with keys reordered: the very same answer, and still one row.
            let reordered = body.replacingOccurrences(of: "\"officer\":\"B-1\",", with: "").replacingOccurrences(
                of: "\"comment\"", with: "\"officer\":\"B-1\",\"comment\"")
            let replay = try await post(client, body: reordered, token: app.fixture.kioskA.token, key: key)
            #expect(replay.status == .created)
            #expect(replay.text == first.text)
            // The same key for another rating is refused, naming the header.
            let other = try await post(
                client, body: body.replacingOccurrences(of: "Chờ hơi lâu", with: "Khác"), token: app.fixture.kioskA.token, key: key)
            #expect(other.status == .unprocessableContent)
            #expect(other.headers[.contentType] == "application/problem+json")
            #expect(other.json["field"] as? String == "Idempotency-Key")
            #expect(try await app.responseCount() == 1)
            // Stored as sent, with the agency and counter of the kiosk's token and the comment's diacritics intact.
            let stored = try await scalar(
                app.db,
                """
                SELECT count(*) FROM responses WHERE agency_id = \(app.fixture.agencyA.id) AND counter_id IS NOT NULL
                AND comment = 'Chờ hơi lâu' AND answers = '{"overall": 1, "reasons": ["luon_lang_nghe", "xin_chao"]}'::jsonb
                """)
            #expect(stored == 1)
        }
    }

    /// Each bad body, and the field its problem document must name. None may store anything.
    static let badBodies: [(String, String, Int)] = [
        ("not json", "body", 400),
        ("[1,2]", "body", 422),
        (#"{"answers":{"overall":3},"submitted_at":"NOW"}"#, "questionnaire", 422),
        (#"{"questionnaire":"kiosk-9","answers":{"overall":3},"submitted_at":"NOW"}"#, "questionnaire", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":4},"submitted_at":"NOW"}"#, "answers.overall", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":"3"},"submitted_at":"NOW"}"#, "answers.overall", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":2.5},"submitted_at":"NOW"}"#, "answers.overall", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"mood":3},"submitted_at":"NOW"}"#, "answers.mood", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":1,"reasons":["xin_tien"]},"submitted_at":"NOW"}"#, "answers.reasons[0]", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":3,"reasons":["xin_chao"]},"submitted_at":"NOW"}"#, "answers.reasons", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":3},"officer":42,"submitted_at":"NOW"}"#, "officer", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":3},"agency":"P.B","submitted_at":"NOW"}"#, "agency", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":3},"comment":"LONG","submitted_at":"NOW"}"#, "comment", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":3}}"#, "submitted_at", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"2026-11-23 08:15"}"#, "submitted_at", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"FUTURE"}"#, "submitted_at", 422),
        (#"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"OLD"}"#, "submitted_at", 422),
    ]

    @Test func badBodiesGetAProblemNamingTheFieldAndStoreNothing() async throws {
        try await AppHarness.run { app, client in
            for (template, field, status) in Self.badBodies {
                let body = template.replacingOccurrences(of: "NOW", with: tapTime())
                    .replacingOccurrences(of: "FUTURE", with: tapTime(6 * 60))
                    .replacingOccurrences(of: "OLD", with: tapTime(-7 * 86_400 - 60))
                    .replacingOccurrences(of: "LONG", with: String(repeating: "ạ", count: 1001))
                let response = try await post(client, body: body, token: app.fixture.kioskA.token)
                #expect(response.status.code == status, "\(template)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(template)")
                #expect(response.json["field"] as? String == field, "\(template): \(response.text)")
            }
            #expect(try await app.responseCount() == 0)
        }
    }

    @Test func tokensKeysAndSizeAreChecked() async throws {
        try await AppHarness.run { app, client in
            let body = #"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"\#(tapTime())"}"#
            let anonymous = try await post(client, body: body, token: nil)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.json["field"] as? String == "Authorization")
            #expect(try await post(client, body: body, token: "hlk_not-a-real-token").status == .unauthorized)
            // A PAR token reads figures; it cannot rate.
            #expect(try await post(client, body: body, token: app.parToken).status == .forbidden)
            let noKey = try await post(client, body: body, token: app.fixture.kioskA.token, key: nil)
            #expect(noKey.status == .badRequest)
            #expect(noKey.json["field"] as? String == "Idempotency-Key")
            #expect(try await post(client, body: body, token: app.fixture.kioskA.token, key: "12345").status == .badRequest)
            let huge = #"{"questionnaire":"kiosk-3","answers":{"overall":3},"comment":""# + String(repeating: "x", count: 17 * 1024) + "\"}"
            let tooLarge = try await post(client, body: huge, token: app.fixture.kioskA.token)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.json["field"] as? String == "body")
            #expect(try await app.responseCount() == 0)
            // A revoked kiosk is refused; the good request then goes through for a live one.
            #expect(try await post(client, body: body, token: app.fixture.kioskB.token).status == .created)
            try await app.db.query("UPDATE kiosks SET status = 'revoked' WHERE id = \(app.fixture.kioskB.id)")
            #expect(try await post(client, body: body, token: app.fixture.kioskB.token).status == .unauthorized)
            #expect(try await app.responseCount() == 1)
        }
    }

    /// The ingest route remembers tokens it has resolved (a round trip less per tap), but the write itself checks
    /// that the kiosk or token is still active: a revocation takes effect on the very next request, nothing is stored.
    @Test func aRevocationAfterTheTokenWasRememberedRefusesTheNextRequest() async throws {
        try await AppHarness.run { app, client in
            let body = #"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"\#(tapTime())"}"#
            let feed = try await app.fixture.directory.addToken(name: "Một cửa", role: .integration, agencyCode: "P.A")
            for token in [app.fixture.kioskA.token, feed.token] {
                #expect(try await post(client, body: body, token: token).status == .created)
                #expect(try await post(client, body: body, token: token).status == .created)
            }
            #expect(try await app.responseCount() == 4)
            try await app.db.query("UPDATE kiosks SET status = 'revoked' WHERE id = \(app.fixture.kioskA.id)")
            try await app.db.query("UPDATE api_tokens SET revoked_at = now() WHERE id = \(feed.id)")
            for token in [app.fixture.kioskA.token, feed.token] {
                let refused = try await post(client, body: body, token: token)
                #expect(refused.status == .unauthorized)
                #expect(refused.headers[.contentType] == "application/problem+json")
                #expect(refused.json["field"] as? String == "Authorization")
                // Forgotten after the refusal: the next request is refused by the look-up itself.
                #expect(try await post(client, body: body, token: token).status == .unauthorized)
            }
            #expect(try await app.responseCount() == 4)
            // A live kiosk in the same batches is not affected.
            #expect(try await post(client, body: body, token: app.fixture.kioskB.token).status == .created)
            #expect(try await app.responseCount() == 5)
        }
    }

    @Test func healthAndUnknownRoutes() async throws {
        try await AppHarness.run { app, client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            let missing = try await client.execute(uri: "/api/v1/nothing", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            // Not ready once the schema is behind the binary.
            // (As the owner: the service's role may not touch the migrations; the test harness logs in as a superuser.)
            try await app.db.withConnection { connection in
                try await connection.query("SET ROLE NONE", logger: TestDatabase.logger)
                try await connection.query("DELETE FROM schema_migrations WHERE version = 2", logger: TestDatabase.logger)
                try await connection.query("RESET ROLE", logger: TestDatabase.logger)
            }
            let behind = try await client.execute(uri: "/readyz", method: .get)
            #expect(behind.status == .serviceUnavailable)
            #expect(behind.headers[.retryAfter] != nil)
        }
    }
}
