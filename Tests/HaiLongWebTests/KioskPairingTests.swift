import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Pairing a kiosk with its code, what a paired kiosk is told, and the officer on duty.
@Suite struct KioskPairingTests {
    func pair(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/kiosk/pair", method: .post, body: ByteBuffer(string: body))
    }

    func config(_ client: some TestClientProtocol, token: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/kiosk/config", method: .get, headers: [.authorization: "Bearer \(token)"])
    }

    @Test func aPairingCodeGivesAFreshTokenOnceAndRetiresTheOldOne() async throws {
        try await AppHarness.run { app, client in
            let kiosk = app.fixture.kioskA
            // Typed with a space or a dash, as people read codes out.
            let code = kiosk.pairingCode.prefix(4) + " " + kiosk.pairingCode.suffix(4)
            let paired = try await pair(client, #"{"code":"\#(code)"}"#)
            #expect(paired.status == .ok, "\(paired.text)")
            let token = try #require(paired.json["token"] as? String)
            #expect(token.hasPrefix("hlk_") && token != kiosk.token)
            #expect((paired.json["kiosk"] as? [String: Any])?["label"] as? String == "A")
            #expect(try await config(client, token: token).status == .ok)
            // The token printed by `kiosk add` no longer works; the code does not work twice.
            #expect(try await config(client, token: kiosk.token).status == .unauthorized)
            let again = try await pair(client, #"{"code":"\#(kiosk.pairingCode)"}"#)
            #expect(again.status == .unprocessableContent)
            #expect(again.json["field"] as? String == "code")
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'kiosk.pair'") == 1)
        }
    }

    @Test func expiredRevokedAndMalformedCodesAreRefused() async throws {
        try await AppHarness.run { app, client in
            try await app.db.query(
                "UPDATE kiosks SET pairing_expires_at = now() - interval '1 second' WHERE id = \(app.fixture.kioskA.id)",
                logger: TestDatabase.logger)
            try await app.db.query("UPDATE kiosks SET status = 'revoked' WHERE id = \(app.fixture.kioskB.id)", logger: TestDatabase.logger)
            for body in [
                #"{"code":"\#(app.fixture.kioskA.pairingCode)"}"#, #"{"code":"\#(app.fixture.kioskB.pairingCode)"}"#,
                #"{"code":"1234"}"#, #"{"code":12345678}"#, "{}",
            ] {
                let response = try await pair(client, body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.json["field"] as? String == "code")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            let unknown = try await pair(client, #"{"code":"1","extra":true}"#)
            #expect(unknown.json["field"] as? String == "extra")
            #expect(try await scalar(app.db, "SELECT count(*) FROM kiosks WHERE pairing_code_hash IS NOT NULL") == 2)
        }
    }

    @Test func guessingCodesIsRateLimited() async throws {
        try await AppHarness.run { _, client in
            // Ten at once, then one every 6 s: the bucket runs dry soon after the tenth, however slow the machine is.
            var statuses: [HTTPResponse.Status] = []
            var limited: TestResponse?
            for _ in 0..<40 where limited == nil {
                let response = try await pair(client, #"{"code":"00000000"}"#)
                if response.status == .tooManyRequests { limited = response } else { statuses.append(response.status) }
            }
            #expect(statuses.count >= 10 && statuses.allSatisfy { $0 == .unprocessableContent }, "\(statuses)")
            let refused = try #require(limited, "40 wrong codes from one address were never limited")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
        }
    }

    @Test func theConfigNamesThePlaceTheOfficersAndTheQuestions() async throws {
        try await AppHarness.run { app, client in
            _ = try await app.fixture.directory.addOfficer(
                agencyCode: "P.A", badge: "B-2", name: "Trần Thị Bình", counterCode: "Q1", title: "Chuyên viên")
            _ = try await app.fixture.directory.addOfficer(agencyCode: "P.A", badge: "B-9", name: "Elsewhere", counterCode: nil, title: nil)
            let response = try await config(client, token: app.fixture.kioskA.token)
            #expect(response.status == .ok)
            let json = response.json
            #expect((json["agency"] as? [String: Any])?["name"] as? String == "Sở Tư pháp")
            #expect((json["counter"] as? [String: Any])?["code"] as? String == "Q1")
            let officers = try #require(json["officers"] as? [[String: Any]])
            // The counter's officers only, by name; null where a title or photo is missing.
            #expect(officers.map { $0["badge"] as? String } == ["B-1", "B-2"])
            #expect(officers[1]["title"] as? String == "Chuyên viên")
            #expect(officers[0]["title"] is NSNull && officers[0]["photo_url"] is NSNull)
            #expect(json["on_duty"] is NSNull)
            let questionnaire = try #require(json["questionnaire"] as? [String: Any])
            #expect(questionnaire["code"] as? String == "kiosk-3")
            #expect((questionnaire["reasons"] as? [Any])?.count == 9)
            // A kiosk without a counter: no counter, all the agency's officers.
            let other = try await config(client, token: app.fixture.kioskB.token)
            #expect(other.json["counter"] is NSNull)
            // Not for API tokens.
            #expect(try await config(client, token: app.parToken).status == .forbidden)
        }
    }

    @Test func theOfficerOnDutyIsSetForTheWholeCounter() async throws {
        try await AppHarness.run { app, client in
            let token = app.fixture.kioskA.token
            func put(_ body: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/kiosk/on-duty", method: .put, headers: [.authorization: "Bearer \(token)"],
                    body: ByteBuffer(string: body))
            }
            #expect(try await put(#"{"badge":"B-1"}"#).json["on_duty"] as? String == "B-1")
            // Whom the next taps credit is audited.
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'kiosk.on_duty' AND subject = 'B-1'") == 1)
            #expect(try await config(client, token: token).json["on_duty"] as? String == "B-1")
            // A second kiosk at the same counter shows the same officer.
            let second = try await app.fixture.directory.addKiosk(agencyCode: "P.A", counterCode: "Q1", label: "A2")
            #expect(try await config(client, token: second.token).json["on_duty"] as? String == "B-1")
            for (body, field) in [(#"{"badge":"B-404"}"#, "badge"), (#"{"badge":7}"#, "badge"), (#"{"who":"B-1"}"#, "who")] {
                let refused = try await put(body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.json["field"] as? String == field)
            }
            // Refusals change nothing; null clears.
            #expect(try await config(client, token: token).json["on_duty"] as? String == "B-1")
            let cleared = try await put(#"{"badge":null}"#)
            #expect(cleared.status == .ok && cleared.json["on_duty"] is NSNull)
            #expect(try await config(client, token: token).json["on_duty"] is NSNull)
        }
    }

    @Test func aPhotoIsServedToTheAgencysKiosksOnly() async throws {
        try await AppHarness.run { app, client in
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            try await app.db.query(
                "UPDATE officers SET photo = \(ByteBuffer(bytes: png)), photo_type = 'image/png' WHERE badge = 'B-1'",
                logger: TestDatabase.logger)
            let config = try await config(client, token: app.fixture.kioskA.token)
            let url = try #require((config.json["officers"] as? [[String: Any]])?.first?["photo_url"] as? String)
            let photo = try await client.execute(uri: url, method: .get, headers: [.authorization: "Bearer \(app.fixture.kioskA.token)"])
            #expect(photo.status == .ok && photo.headers[.contentType] == "image/png" && Array(buffer: photo.body) == png)
            // Another agency's kiosk does not see it.
            let other = try await client.execute(uri: url, method: .get, headers: [.authorization: "Bearer \(app.fixture.kioskB.token)"])
            #expect(other.status == .notFound)
        }
    }
}
