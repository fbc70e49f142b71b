import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Figures for a hand-computed fixture, through the real API. z = 1.959963984540054 (two-sided 95%).
///
/// 2026-Q3, kiosk-3 (satisfied = levels 2 and 3), default methodology (min n 30, par_max 10, full_at 90):
/// - P.A: 10 × level 3, 5 × level 2, 5 × level 1, plus one level-1 tap 2 s after another on the same kiosk
///   (rapid_repeat, excluded). n = 20, satisfied = 15, index = 100 × 15/20 = 75.00,
///   mean = (30 + 10 + 5)/20 = 2.25, Wilson(15, 20) = [53.13, 88.81], PAR = 10 × 75/90 = 8.33, not sufficient.
/// - P.B: 10 × level 3 plus one level 1 at 23:30 local time on 30 September (the last day of Q3).
///   n = 11, satisfied = 10, index = 90.909… → 90.91, mean = 31/11 = 2.818… → 2.82, Wilson(10, 11) = [62.26, 98.38],
///   PAR = 10 × min(1, 90.91/90) = 10.00.
/// - P pools its subtree: n = 31, satisfied = 25, index = 80.645… → 80.65, mean = 76/31 = 2.4516… → 2.45,
///   Wilson(25, 31) = [63.72, 90.81], PAR = 10 × 80.645/90 = 8.9606… → 8.96, sufficient (31 ≥ 30), excluded 1.
/// - A level-1 tap at 00:30 local on 1 October (still 30 September in UTC) belongs to Q4: P.B in 2026-Q4 has
///   n = 1, satisfied = 0, index 0, Wilson(0, 1) = [0, 79.35].
@Suite struct IndicesAPITests {
    func load(_ app: AppHarness) async throws {
        let fixture = app.fixture
        let start = time("2026-08-03T08:00:00+07:00")
        let levelsA = Array(repeating: 3, count: 10) + Array(repeating: 2, count: 5) + Array(repeating: 1, count: 5)
        for (i, level) in levelsA.enumerated() {
            try await fixture.rate(level, at: start.addingTimeInterval(Double(i) * 60), source: fixture.sourceA(), dossier: "A-\(i)")
        }
        // 2 s after the first tap: a rapid repeat, excluded.
        try await fixture.rate(1, at: start.addingTimeInterval(2), source: fixture.sourceA(), dossier: "A-x")
        for i in 0..<10 {
            try await fixture.rate(3, at: start.addingTimeInterval(Double(i) * 60), source: fixture.sourceB(), dossier: "B-\(i)")
        }
        try await fixture.rate(1, at: time("2026-09-30T23:30:00+07:00"), source: fixture.sourceB(), dossier: "B-late")
        try await fixture.rate(1, at: time("2026-10-01T00:30:00+07:00"), source: fixture.sourceB(), dossier: "B-q4")
        try await app.aggregate()
    }

    func get(_ client: some TestClientProtocol, _ query: String, token: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/indices?\(query)", method: .get, headers: [.authorization: "Bearer \(token)"])
    }

    func items(_ response: TestResponse) -> [String: [String: Any]] {
        let list = response.json["items"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["agency"] as! String, $0) })
    }

    @Test func handComputedFiguresPooledOverTheSubtree() async throws {
        try await AppHarness.run { app, client in
            try await load(app)
            let response = try await get(client, "period=2026-Q3&agency=P&depth=1", token: app.parToken)
            #expect(response.status == .ok)
            let period = response.json["period"] as? [String: String]
            #expect(period == ["label": "2026-Q3", "from": "2026-07-01", "to": "2026-09-30"])
            let methodology = response.json["methodology"] as? [String: Any]
            #expect(methodology?["code"] as? String == "default")
            #expect(methodology?["version"] as? Int == 1)
            #expect(response.json["published"] as? Bool == false)
            #expect(response.json["as_of"] is String)
            let byAgency = items(response)
            #expect((response.json["items"] as? [[String: Any]])?.first?["agency"] as? String == "P")
            let p = try #require(byAgency["P"]), a = try #require(byAgency["P.A"]), b = try #require(byAgency["P.B"])
            #expect(a["n"] as? Int == 20)
            #expect(a["satisfied"] as? Int == 15)
            #expect(a["index"] as? Double == 75)
            #expect(a["ci95"] as? [Double] == [53.13, 88.81])
            #expect(a["mean"] as? Double == 2.25)
            #expect(a["excluded"] as? Int == 1)
            #expect(a["sufficient"] as? Bool == false)
            #expect(a["par_points"] as? Double == 8.33)
            #expect(a["par_max"] as? Double == 10)
            #expect(a["name"] as? String == "Sở Tư pháp")
            #expect(b["n"] as? Int == 11)
            #expect(b["index"] as? Double == 90.91)
            #expect(b["ci95"] as? [Double] == [62.26, 98.38])
            #expect(b["mean"] as? Double == 2.82)
            #expect(b["par_points"] as? Double == 10)
            #expect(p["n"] as? Int == 31)
            #expect(p["satisfied"] as? Int == 25)
            #expect(p["index"] as? Double == 80.65)
            #expect(p["ci95"] as? [Double] == [63.72, 90.81])
            #expect(p["mean"] as? Double == 2.45)
            #expect(p["excluded"] as? Int == 1)
            #expect(p["sufficient"] as? Bool == true)
            #expect(p["par_points"] as? Double == 8.96)
            // depth=0 gives the pooled agency alone.
            let own = try await get(client, "period=2026-Q3&agency=P", token: app.parToken)
            #expect(items(own).keys.sorted() == ["P"])
        }
    }

    @Test func theQuarterBoundaryIsInVietnameseLocalTime() async throws {
        try await AppHarness.run { app, client in
            try await load(app)
            let q4 = items(try await get(client, "period=2026-Q4&agency=P.B", token: app.parToken))
            #expect(q4["P.B"]?["n"] as? Int == 1)
            #expect(q4["P.B"]?["index"] as? Double == 0)
            #expect(q4["P.B"]?["ci95"] as? [Double] == [0, 79.35])
            let lastDay = items(try await get(client, "period=2026-09-30&agency=P.B", token: app.parToken))
            #expect(lastDay["P.B"]?["n"] as? Int == 1)
            let huge = try await get(client, "period=2000-01-01..2099-12-31&agency=P.B", token: app.parToken)
            #expect(huge.status == .badRequest && huge.json["field"] as? String == "period")
            let range = items(try await get(client, "period=2026-09-30..2026-10-01&agency=P.B", token: app.parToken))
            #expect(range["P.B"]?["n"] as? Int == 2)
        }
    }

    @Test func anEmptyPeriodHasNoFigureAndNoError() async throws {
        try await AppHarness.run { app, client in
            try await load(app)
            let response = try await get(client, "period=2025&agency=P", token: app.parToken)
            #expect(response.status == .ok)
            let p = try #require(items(response)["P"])
            #expect(p["n"] as? Int == 0)
            #expect(p["sufficient"] as? Bool == false)
            #expect(p["index"] is NSNull)
            #expect(p["ci95"] is NSNull)
            #expect(p["par_points"] is NSNull)
        }
    }

    @Test func csvIsUTF8WithABOM() async throws {
        try await AppHarness.run { app, client in
            try await load(app)
            let response = try await get(client, "period=2026-Q3&agency=P&depth=all&format=csv", token: app.parToken)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            let bytes = Array(response.body.readableBytesView)
            #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
            let lines = response.text.dropFirst().split(separator: "\r\n")
            #expect(lines.count == 4)
            #expect(lines.contains("P.A,Sở Tư pháp,20,15,75.00,53.13,88.81,2.25,1,false,8.33,10.00"))
        }
    }

    @Test func scopeRolesAndBadParameters() async throws {
        try await AppHarness.run { app, client in
            try await load(app)
            let scoped = try await app.fixture.directory.addToken(name: "Sở Tư pháp", role: .admin, agencyCode: "P.A")
            // Scoped to P.A: its own figures by default; P.B and the province are out of reach.
            let own = try await get(client, "period=2026-Q3", token: scoped.token)
            #expect(items(own).keys.sorted() == ["P.A"])
            for agency in ["P.B", "P"] {
                let outside = try await get(client, "period=2026-Q3&agency=\(agency)", token: scoped.token)
                // Answered exactly like an agency that does not exist: nothing tells that it does.
                let unknown = try await get(client, "period=2026-Q3&agency=KHONG-CO", token: scoped.token)
                #expect(outside.status == .notFound && unknown.status == .notFound)
                #expect(
                    (outside.json["detail"] as? String)?.replacingOccurrences(of: agency, with: "KHONG-CO") == unknown.json["detail"]
                        as? String)
                #expect(outside.json["field"] as? String == "agency")
                #expect(!outside.text.contains("\"n\""))
            }
            #expect(try await get(client, "period=2026-Q3&agency=P", token: app.fixture.kioskA.token).status == .forbidden)
            let cases: [(String, String, HTTPResponse.Status)] = [
                ("agency=P", "period", .badRequest),
                ("period=2026-Q5&agency=P", "period", .badRequest),
                ("period=2026-Q3&agency=NOPE", "agency", .notFound),
                ("period=2026-Q3&agency=P&depth=2", "depth", .badRequest),
                ("period=2026-Q3&agency=P&format=pdf", "format", .badRequest),
                ("period=2026-Q3&agency=P&questionnaire=nope", "questionnaire", .badRequest),
                ("period=2026-Q3&agency=P&methodology=default:0", "methodology", .badRequest),
                ("period=2026-Q3&agency=P&published=first", "published", .badRequest),
                ("period=2026-Q3&agency=P&headers=fr", "headers", .badRequest),
                ("period=2026-Q3&agency=P&colour=red", "colour", .badRequest),
                ("period=2026-Q3", "agency", .badRequest),
            ]
            for (query, field, status) in cases {
                let response = try await get(client, query, token: app.parToken)
                #expect(response.status == status, "\(query)")
                #expect(response.json["field"] as? String == field, "\(query): \(response.text)")
            }
        }
    }
}
