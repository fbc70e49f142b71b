import HaiLongStore
import Testing

@Suite struct DatabaseURLTests {
    @Test func parsesAFullURL() throws {
        let url = try DatabaseURL(parsing: "postgres://hl:s%40cret@db.example:6543/hailong?sslmode=require")
        #expect(url.username == "hl")
        #expect(url.password == "s@cret")
        #expect(url.host == "db.example")
        #expect(url.port == 6543)
        #expect(url.database == "hailong")
        #expect(url.tlsMode == .require)
        #expect(url.socketPath == nil)
    }

    @Test func parsesAUnixSocketHost() throws {
        let query = try DatabaseURL(parsing: "postgresql://hl@/hailong?host=/var/run/postgresql")
        #expect(query.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(query.host == nil)
        let encoded = try DatabaseURL(parsing: "postgres://hl@%2Ftmp%2Fpg:5433/hailong")
        #expect(encoded.socketPath == "/tmp/pg/.s.PGSQL.5433")
    }

    @Test(arguments: [
        "mysql://u@h/db", "postgres://u@h", "postgres://h/db", "postgres://u@h/db?sslmode=maybe", "postgres://u@h:0/db",
        "postgres://u@h/db?colour=red", "not a url",
    ])
    func rejectsBadURLsNamingTheVariable(_ text: String) {
        #expect {
            try DatabaseURL(parsing: text)
        } throws: { error in
            (error as? ConfigurationError)?.variable == "DATABASE_URL"
        }
    }
}
