import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Testing

@Suite struct DirectoryStoreTests {
    @Test func duplicateAndDanglingCodesAreClearErrors() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let directory = fixture.directory
            await #expect(throws: StoreError.duplicate(field: "agency code", value: "P.A")) {
                try await directory.addAgency(code: "P.A", name: "again", parentCode: "P", kind: "department")
            }
            await #expect(throws: StoreError.notFound(field: "parent", value: "NOPE")) {
                try await directory.addAgency(code: "X", name: "x", parentCode: "NOPE", kind: "department")
            }
            await #expect(throws: StoreError.duplicate(field: "counter code", value: "Q1")) {
                try await directory.addCounter(agencyCode: "P.A", code: "Q1", name: "again")
            }
            await #expect(throws: StoreError.notFound(field: "counter", value: "P.B/Q1")) {
                try await directory.addOfficer(agencyCode: "P.B", badge: "B-9", name: "x", counterCode: "Q1", title: nil)
            }
            await #expect(throws: StoreError.duplicate(field: "officer badge", value: "B-1")) {
                try await directory.addOfficer(agencyCode: "P.A", badge: "B-1", name: "x", counterCode: nil, title: nil)
            }
            // The same badge in another agency is another officer.
            _ = try await directory.addOfficer(agencyCode: "P.B", badge: "B-1", name: "Trần Thị Bình", counterCode: nil, title: nil)
        }
    }

    @Test func tokensAreStoredHashedAndResolveToTheirCaller() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            let caller = try await fixture.directory.caller(forToken: fixture.kioskA.token)
            #expect(
                caller
                    == .kiosk(
                        id: fixture.kioskA.id, agencyID: fixture.agencyA.id,
                        counterID: caller.flatMap {
                            if case .kiosk(_, _, let counter) = $0 { counter } else { nil }
                        }))
            let par = try await fixture.directory.addToken(name: "PAR office", role: .par, agencyCode: "P.B")
            #expect(try await fixture.directory.caller(forToken: par.token) == .token(id: par.id, role: .par, agencyID: fixture.agencyB.id))
            #expect(try await fixture.directory.caller(forToken: par.token + "x") == nil)
            #expect(try await fixture.directory.caller(forToken: "hlk_unknown") == nil)
            // Nothing in the database holds the token itself.
            let plain = try await scalar(
                client,
                "SELECT count(*) FROM kiosks, api_tokens WHERE kiosks.token_hash::text LIKE '%' || \(fixture.kioskA.token) || '%' OR api_tokens.token_hash::text LIKE '%' || \(par.token) || '%'"
            )
            #expect(plain == 0)
            try await client.query("UPDATE kiosks SET status = 'revoked' WHERE id = \(fixture.kioskA.id)")
            #expect(try await fixture.directory.caller(forToken: fixture.kioskA.token) == nil)
        }
    }

    @Test func subtreeMembership() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            #expect(try await fixture.directory.isAgency(fixture.agencyA.id, within: fixture.province.id))
            #expect(try await fixture.directory.isAgency(fixture.agencyA.id, within: fixture.agencyA.id))
            #expect(try await !fixture.directory.isAgency(fixture.agencyA.id, within: fixture.agencyB.id))
            #expect(try await !fixture.directory.isAgency(fixture.province.id, within: fixture.agencyA.id))
        }
    }
}
