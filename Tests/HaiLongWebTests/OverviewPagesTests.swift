import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// A province's overview lists its agencies a hundred to a page (issue 16: 1,000 agencies weighed 660 KB on one), with
/// counts in Vietnamese notation and links to the other pages; a page number that is not one is refused by name.
@Suite struct OverviewPagesTests {
    let admin = AdminAgencyTests()

    @Test func aProvinceOfTwoHundredAndFiftyAgenciesIsListedAHundredToAPage() async throws {
        try await AppHarness.run { app, client in
            for index in 1...248 {
                _ = try await app.fixture.directory.addAgency(
                    code: String(format: "P.X%03d", index), name: "Xã số \(index)", parentCode: "P", kind: "commune")
            }
            // 1,200 ratings at P.A: its count is shown with a thousands point.
            var tap = time("2025-03-03T07:30:00+07:00")
            for index in 0..<1_200 {
                tap += 20
                try await app.fixture.rate(index % 4 == 0 ? 1 : 3, at: tap, source: app.fixture.sourceA(), dossier: "HS-\(index)")
            }
            try await app.aggregate()
            let (cookie, _) = try await admin.session(app, client, "tinh", role: .admin, agency: nil)

            let first = try await client.execute(uri: "/admin?period=2025&sort=name&dir=asc", method: .get, headers: [.cookie: cookie])
            #expect(first.status == .ok)
            let rows = first.text.matches(of: /<tr><td><a href="\/admin\/agencies\//).count
            #expect(rows == 100)
            #expect(first.text.contains("Trang 1/3 · 251 cơ quan"))
            #expect(first.text.contains("page=2") && !first.text.contains("rel=\"prev\""))
            #expect(first.text.contains(">1.200<"))  // P.A's count, sorted by name among the first hundred
            #expect(first.body.readableBytes < 200_000, "\(first.body.readableBytes) bytes")
            // Every row of a page has its sparkline, read for that page's agencies only: P.A's shows its March.
            #expect(first.text.matches(of: /<svg class="spark"/).count == 100)
            #expect(first.text.contains(/aria-label="Chỉ số theo tháng: –; –; [0-9]/))

            let last = try await client.execute(
                uri: "/admin?period=2025&sort=name&dir=asc&page=3", method: .get, headers: [.cookie: cookie])
            #expect(last.text.matches(of: /<tr><td><a href="\/admin\/agencies\//).count == 51)
            #expect(last.text.contains("Trang 3/3") && last.text.contains("rel=\"prev\"") && !last.text.contains("rel=\"next\""))
            #expect(last.text.matches(of: /<svg class="spark"/).count == 51)
            // Past the last page: the last page; in English, the count with a comma.
            let past = try await client.execute(
                uri: "/admin?period=2025&sort=name&dir=asc&page=9&lang=en", method: .get, headers: [.cookie: cookie])
            #expect(past.text.contains("Page 3 of 3 · 251 agencies"))
            let english = try await client.execute(
                uri: "/admin?period=2025&sort=name&dir=asc&lang=en", method: .get, headers: [.cookie: cookie])
            #expect(english.text.contains(">1,200<"))

            for bad in ["0", "-1", "x", "1.5"] {
                let refused = try await client.execute(uri: "/admin?period=2025&page=\(bad)", method: .get, headers: [.cookie: cookie])
                #expect(refused.status == .badRequest, "page=\(bad)")
                #expect(refused.headers[.contentType] == "application/problem+json" && refused.text.contains("\"field\":\"page\""))
            }
        }
    }

    @Test func anEvaluationOfHundredsOfOfficersIsListedAHundredToAPage() async throws {
        try await AppHarness.run { app, client in
            for index in 1...150 {
                _ = try await app.fixture.directory.addOfficer(
                    agencyCode: "P.A", badge: String(format: "X-%03d", index), name: "Cán bộ \(index)", counterCode: "Q1", title: nil)
            }
            let (cookie, _) = try await admin.session(app, client, "tinh", role: .admin, agency: nil)
            let first = try await client.execute(uri: "/admin/agencies/P/evaluation?year=2025", method: .get, headers: [.cookie: cookie])
            #expect(first.status == .ok)
            #expect(first.text.matches(of: /<tr id="o-/).count == 100)
            #expect(first.text.contains("Trang 1/2 · 151 cán bộ") && first.text.contains("evaluation?year=2025&amp;lang=vi&amp;page=2"))
            let second = try await client.execute(
                uri: "/admin/agencies/P/evaluation?year=2025&page=2", method: .get, headers: [.cookie: cookie])
            #expect(second.text.matches(of: /<tr id="o-/).count == 51 && second.text.contains("Trang 2/2"))
            let refused = try await client.execute(
                uri: "/admin/agencies/P/evaluation?year=2025&page=0", method: .get, headers: [.cookie: cookie])
            #expect(refused.status == .badRequest && refused.text.contains("\"field\":\"page\""))
        }
    }
}
