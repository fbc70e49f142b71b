import Foundation
import HaiLongTestSupport
import PostgresNIO
import Testing

@testable import HaiLongStore

/// The agency page's kiosk list: those needing attention first (active and silent for 15 minutes or never heard from,
/// or with ratings queued), then active before revoked, by agency code, label and id; at most `limit` of them, with how
/// many there are and need attention. Compared with the plain statement (every kiosk joined, counted by window
/// functions, sorted) over kiosks in every state, in two agencies, with labels that tie, for every subtree and limit.
@Suite struct KioskListTests {
    static let plain = """
        SELECT k.id::text || ':' || count(*) OVER () || ':' || count(*) FILTER (WHERE attention) OVER ()
        FROM (
            SELECT k.*, a.code, k.status = 'active' AND (k.last_seen_at IS NULL OR k.last_seen_at < now() - interval '15 minutes'
                OR coalesce(k.queue_length, 0) > 0) AS attention
            FROM kiosks k JOIN agencies a ON a.id = k.agency_id
            WHERE k.agency_id IN (SELECT id FROM agency_subtree($1))
        ) AS k
        ORDER BY attention DESC, k.status = 'active' DESC, code, label, id
        LIMIT $2
        """

    @Test func theListIsThePlainSortedListWithItsCounts() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            // Twelve more kiosks, two labels each in P.A and P.B, in every state: silent, heard from, never heard from,
            // with a queue, revoked.
            for index in 0..<12 {
                let agency = index % 2 == 0 ? "P.A" : "P.B"
                let kiosk = try await fixture.directory.addKiosk(agencyCode: agency, counterCode: nil, label: index % 4 < 2 ? "Quầy 1" : "")
                let seen = ["NULL", "now()", "now() - interval '1 hour'", "now() - interval '5 minutes'"][index % 4]
                let queue = index % 3 == 0 ? "3" : "NULL"
                let status = index % 5 == 4 ? "revoked" : "active"
                try await client.query(
                    PostgresQuery(
                        unsafeSQL:
                            "UPDATE kiosks SET last_seen_at = \(seen), queue_length = \(queue), status = '\(status)' WHERE id = \(kiosk.id)"
                    ))
            }
            let store = PostgresDashboardStore(client: client, logger: TestDatabase.logger)
            var compared = 0
            for agency in [fixture.province.id, fixture.agencyA.id, fixture.agencyB.id] {
                for limit in [1, 3, 5, 9, 10, 11, 13, 100] {
                    let listed = try await store.kiosks(under: agency, limit: limit)
                    var binds = PostgresBindings()
                    binds.append(agency)
                    binds.append(limit)
                    var expected: [String] = []
                    for try await line in try await client.query(PostgresQuery(unsafeSQL: Self.plain, binds: binds)).decode(String.self) {
                        expected.append(line)
                    }
                    #expect(
                        listed.kiosks.map { "\($0.id):\(listed.total):\(listed.attention)" } == expected, "agency \(agency), limit \(limit)"
                    )
                    #expect(listed.kiosks.count == min(limit, listed.total))
                    compared += 1
                }
            }
            #expect(compared == 24)
            let all = try await store.kiosks(under: fixture.province.id, limit: 100)
            #expect(all.total == 14 && all.attention > 0 && all.attention < all.total)
            #expect(Set(all.kiosks.map(\.active)) == [true, false])
        }
    }
}
