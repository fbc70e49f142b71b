import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct DossiersAPITests {
    func post(_ client: some TestClientProtocol, _ body: String, token: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/dossiers", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(string: body))
    }

    @Test func theFeedRecordsAndUpdatesDossiers() async throws {
        try await AppHarness.run { app, client in
            let feed = try await app.fixture.directory.addToken(name: "Một cửa điện tử", role: .integration, agencyCode: "P.A")
            let first = try await post(
                client, #"{"code":"000.00.17.H31-261123-0001","counter":"Q1","officer":"B-1","received_at":"2026-11-23T08:00:00+07:00"}"#,
                token: feed.token)
            #expect(first.status == .created)
            #expect(first.json["created"] as? Bool == true)
            let update = try await post(
                client, #"{"code":"000.00.17.H31-261123-0001","returned_at":"2026-11-25T10:00:00+07:00"}"#, token: feed.token)
            #expect(update.status == .ok)
            #expect(update.json["created"] as? Bool == false)
            #expect(update.json["id"] as? Int == first.json["id"] as? Int)
            let stored = try await scalar(
                app.db,
                """
                SELECT count(*) FROM dossiers d JOIN officers o ON o.id = d.officer_id
                WHERE d.agency_id = \(app.fixture.agencyA.id) AND d.counter_id IS NOT NULL AND o.badge = 'B-1'
                  AND d.received_at = '2026-11-23T01:00:00Z' AND d.returned_at = '2026-11-25T03:00:00Z'
                """)
            #expect(stored == 1)
        }
    }

    @Test func badFeedsAreRefusedNamingTheField() async throws {
        try await AppHarness.run { app, client in
            let feed = try await app.fixture.directory.addToken(name: "feed", role: .integration, agencyCode: "P.A")
            let cases: [(String, String, HTTPResponse.Status)] = [
                (#"{"counter":"Q1"}"#, "code", .unprocessableContent),
                (#"{"code":"D-1","counter":"Q9"}"#, "counter", .notFound),
                (#"{"code":"D-1","colour":"red"}"#, "colour", .unprocessableContent),
                (#"{"code":"D-1","received_at":"yesterday"}"#, "received_at", .unprocessableContent),
                (
                    #"{"code":"D-1","received_at":"2026-11-23T08:00:00+07:00","returned_at":"2026-11-22T08:00:00+07:00"}"#,
                    "returned_at", .unprocessableContent
                ),
                ("{", "body", .badRequest),
            ]
            for (body, field, status) in cases {
                let response = try await post(client, body, token: feed.token)
                #expect(response.status == status, "\(body)")
                #expect(response.json["field"] as? String == field, "\(body): \(response.text)")
            }
            #expect(try await post(client, #"{"code":"D-1"}"#, token: app.parToken).status == .forbidden)
            #expect(try await post(client, #"{"code":"D-1"}"#, token: app.fixture.kioskA.token).status == .forbidden)
            #expect(try await scalar(app.db, "SELECT count(*) FROM dossiers") == 0)
        }
    }

    @Test func aRatingIsLinkedToItsDossierAndItsOfficer() async throws {
        try await AppHarness.run { app, client in
            let feed = try await app.fixture.directory.addToken(name: "feed", role: .integration, agencyCode: "P.A")
            #expect(try await post(client, #"{"code":"D-7","counter":"Q1","officer":"B-1"}"#, token: feed.token).status == .created)
            let tap = time("2026-11-23T09:00:00+07:00")
            // The kiosk did not say who served: the dossier's officer is the one rated.
            try await app.fixture.rate(3, at: tap, source: app.fixture.sourceA(), dossier: "D-7")
            // The kiosk named someone the server does not know: its word is kept, flagged, not replaced.
            try await app.fixture.rate(2, at: tap + 60, source: app.fixture.sourceA(), officer: "B-404", dossier: "D-7")
            let linked = try await scalar(
                app.db,
                """
                SELECT count(*) FROM responses r JOIN officers o ON o.id = r.officer_id JOIN dossiers d ON d.id = r.dossier_id
                WHERE o.badge = 'B-1' AND d.code = 'D-7' AND r.officer_badge IS NULL
                """)
            #expect(linked == 1)
            let kept = try await scalar(
                app.db,
                """
                SELECT count(*) FROM responses WHERE officer_badge = 'B-404' AND officer_id IS NULL AND dossier_id IS NOT NULL
                  AND 'unknown_officer' = ANY(flags)
                """)
            #expect(kept == 1)
        }
    }
}

extension Date {
    static func + (date: Date, seconds: Double) -> Date { date.addingTimeInterval(seconds) }
}
