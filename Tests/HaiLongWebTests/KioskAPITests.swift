import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct KioskAPITests {
    func beat(_ client: some TestClientProtocol, _ body: String, token: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/kiosk/heartbeat", method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: body))
    }

    @Test func aHeartbeatRecordsQueueAndVersion() async throws {
        try await AppHarness.run { app, client in
            let response = try await beat(client, #"{"queue_length":3,"app_version":"kiosk-1.0.0"}"#, token: app.fixture.kioskA.token)
            #expect(response.status == .ok)
            #expect(response.json["kiosk"] as? Int == Int(app.fixture.kioskA.id))
            #expect((response.json["server_time"] as? String)?.hasSuffix("Z") == true)
            let seen = try await scalar(
                app.db,
                """
                SELECT count(*) FROM kiosks WHERE id = \(app.fixture.kioskA.id) AND queue_length = 3 AND app_version = 'kiosk-1.0.0'
                  AND last_seen_at > now() - interval '1 minute'
                """)
            #expect(seen == 1)
            // Only the kiosk's own row changes.
            #expect(try await scalar(app.db, "SELECT count(*) FROM kiosks WHERE last_seen_at IS NOT NULL") == 1)
        }
    }

    @Test func badHeartbeatsAreRefused() async throws {
        try await AppHarness.run { app, client in
            let cases: [(String, String)] = [
                (#"{"app_version":"1"}"#, "queue_length"), (#"{"queue_length":-1}"#, "queue_length"),
                (#"{"queue_length":1,"app_version":""}"#, "app_version"), (#"{"queue_length":1,"battery":80}"#, "battery"),
                ("[]", "body"),
            ]
            for (body, field) in cases {
                let response = try await beat(client, body, token: app.fixture.kioskA.token)
                #expect(response.status.code >= 400 && response.status.code < 500, "\(body)")
                #expect(response.json["field"] as? String == field, "\(body): \(response.text)")
            }
            #expect(try await beat(client, #"{"queue_length":0}"#, token: app.parToken).status == .forbidden)
            #expect(try await scalar(app.db, "SELECT count(*) FROM kiosks WHERE last_seen_at IS NOT NULL") == 0)
        }
    }
}
