import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
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
            let counterQ1 = try await collect(
                try await client.query("SELECT id FROM counters WHERE agency_id = \(fixture.agencyA.id) AND code = 'Q1'").decode(Int64.self)
            )
            try #require(counterQ1.count == 1)
            #expect(
                try await fixture.directory.caller(forToken: fixture.kioskA.token)
                    == .kiosk(id: fixture.kioskA.id, agencyID: fixture.agencyA.id, counterID: counterQ1[0]))
            #expect(
                try await fixture.directory.caller(forToken: fixture.kioskB.token)
                    == .kiosk(id: fixture.kioskB.id, agencyID: fixture.agencyB.id, counterID: nil))
            let par = try await fixture.directory.addToken(name: "PAR office", role: .par, agencyCode: "P.B")
            #expect(try await fixture.directory.caller(forToken: par.token) == .token(id: par.id, role: .par, agencyID: fixture.agencyB.id))
            #expect(try await fixture.directory.caller(forToken: par.token + "x") == nil)
            #expect(try await fixture.directory.caller(forToken: "hlk_unknown") == nil)
            // Nothing in the database holds a token itself, in any encoding: every column of every table is searched.
            // The search is checked first: it finds the hashes the kiosk and API token are stored under.
            let hashed = try await columnsHolding(
                client, texts: [SecretToken.hash(fixture.kioskA.token), SecretToken.hash(par.token)], bytes: [])
            #expect(hashed.scanned.isSuperset(of: ["kiosks.token_hash", "api_tokens.token_hash", "audit_log.subject", "audit_log.detail"]))
            #expect(Set(hashed.holding).isSuperset(of: ["api_tokens.token_hash", "kiosks.token_hash"]), "\(hashed.holding)")
            for token in [fixture.kioskA.token, fixture.kioskB.token, par.token] {
                let forms = Self.encodings(of: token)
                let found = try await columnsHolding(client, texts: forms.texts, bytes: forms.bytes)
                #expect(found.holding.isEmpty, "\(token.prefix(4))… is stored in \(found.holding)")
            }
            try await client.query("UPDATE kiosks SET status = 'revoked' WHERE id = \(fixture.kioskA.id)")
            #expect(try await fixture.directory.caller(forToken: fixture.kioskA.token) == nil)
        }
    }

    /// A token as text and as bytes, in the encodings a careless store could keep it in: the whole token and its
    /// random part, their UTF-8 bytes in hex and base64, and the random bytes themselves, raw, in hex and in base64.
    static func encodings(of token: String) -> (texts: [String], bytes: [Data]) {
        let random = String(token.dropFirst(4))  // after the "hlk_" or "hlt_" prefix
        let raw = Base64URL.decode(random) ?? Data()
        let unpadded = { (data: Data) in data.base64EncodedString().replacingOccurrences(of: "=", with: "") }
        let bytes = [Data(token.utf8), Data(random.utf8), raw]
        return ([token, random] + bytes.map(Self.hex) + bytes.map(unpadded), bytes)
    }

    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    /// The `table.column`s of every table in the schema, and those of them that hold one of `texts` in their text form
    /// (case-insensitively; a bytea column's text form is its bytes in hex) or, for bytea columns, one of `bytes`.
    func columnsHolding(_ client: PostgresClient, texts: [String], bytes: [Data]) async throws -> (
        scanned: Set<String>, holding: [String]
    ) {
        let columns = try await collect(
            try await client.query(
                """
                SELECT c.table_name::text, c.column_name::text, format('%I', c.table_name), format('%I', c.column_name), c.data_type::text
                FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
                WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                ORDER BY 1, 2
                """
            ).decode((String, String, String, String, String).self))
        let byteHexes = bytes.map(Self.hex)
        var holding: [String] = []
        for (table, column, tableName, quoted, type) in columns {
            var query: PostgresQuery = """
                SELECT count(*) FROM \(unescaped: tableName) WHERE EXISTS (
                    SELECT 1 FROM unnest(\(texts)::text[]) AS f WHERE strpos(lower(\(unescaped: quoted)::text), lower(f)) > 0)
                """
            if type == "bytea" {
                query = """
                    SELECT count(*) FROM \(unescaped: tableName) WHERE EXISTS (
                        SELECT 1 FROM unnest(\(texts)::text[]) AS f WHERE strpos(lower(\(unescaped: quoted)::text), lower(f)) > 0
                    ) OR EXISTS (
                        SELECT 1 FROM unnest(\(byteHexes)::text[]) AS h WHERE position(decode(h, 'hex') IN \(unescaped: quoted)) > 0)
                    """
            }
            if try await scalar(client, query) > 0 { holding.append("\(table).\(column)") }
        }
        return (Set(columns.map { "\($0.0).\($0.1)" }), holding)
    }

    @Test func subtreeMembership() async throws {
        try await withTestDatabase { client in
            let fixture = try await Fixture.make(client)
            #expect(try await fixture.directory.isAgency(fixture.agencyA.id, within: fixture.province.id))
            #expect(try await fixture.directory.isAgency(fixture.agencyA.id, within: fixture.agencyA.id))
            #expect(try await !fixture.directory.isAgency(fixture.agencyA.id, within: fixture.agencyB.id))
            #expect(try await !fixture.directory.isAgency(fixture.province.id, within: fixture.agencyA.id))
            let (province, a, b) = (fixture.province.id, fixture.agencyA.id, fixture.agencyB.id)
            #expect(try await fixture.directory.areAgencies([a, b, province], within: province))
            #expect(try await fixture.directory.areAgencies([a, a], within: a))
            #expect(try await fixture.directory.areAgencies([], within: a))
            #expect(try await !fixture.directory.areAgencies([a, b], within: a))
            #expect(try await !fixture.directory.areAgencies([province], within: b))
            #expect(
                try await !fixture.directory.areAgencies([a, 987_654], within: province), "an agency that does not exist is not within")
        }
    }
}
