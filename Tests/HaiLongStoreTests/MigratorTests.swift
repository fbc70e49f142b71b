import Foundation
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

@Suite struct MigratorTests {
    let logger = TestDatabase.logger

    func appliedVersions(_ client: PostgresClient) async throws -> [Int] {
        let rows = try await client.query("SELECT version FROM schema_migrations ORDER BY applied_at, version")
        var versions: [Int] = []
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }

    @Test func appliesTheSQLFilesInOrderOnceEach() async throws {
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        try await withClient(url) { client in
            let directory = try Migrator.locateDirectory()
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
            #expect(files.count >= 4 && files.first == "0001_init.sql")
            let migrator = try Migrator(directory: directory)
            #expect(migrator.migrations.map(\.version) == Array(1...files.count))
            let first = try await migrator.migrate(client: client, logger: logger)
            #expect(first == files)
            #expect(try await appliedVersions(client) == Array(1...files.count))
            #expect(try await migrator.migrate(client: client, logger: logger).isEmpty)
            #expect(try await migrator.isCurrent(client: client, logger: logger))
            let rows = try await client.query("SELECT count(*) FROM questionnaires WHERE code IN ('kiosk-3', 'sipas-5')")
            #expect(try await collect(rows.decode(Int.self)) == [2])
        }
    }

    @Test func appliesLaterFilesAfterEarlierOnesInNumberOrder() async throws {
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        try await withClient(url) { client in
            // Given out of order, a later file that depends on an earlier one still applies.
            let migrator = try Migrator(migrations: [
                Migration(version: 2, name: "0002_b.sql", sql: "INSERT INTO t VALUES (2);"),
                Migration(version: 1, name: "0001_a.sql", sql: "CREATE TABLE t (v int); INSERT INTO t VALUES (1);"),
            ])
            #expect(try await migrator.migrate(client: client, logger: logger) == ["0001_a.sql", "0002_b.sql"])
            let rows = try await client.query("SELECT array_agg(v ORDER BY v) FROM t")
            #expect(try await collect(rows.decode([Int].self)) == [[1, 2]])
        }
    }

    @Test func refusesToRunWhenAnAppliedFileWasEdited() async throws {
        try await withTestDatabase { client in
            let real = try Migrator(directory: try Migrator.locateDirectory())
            var edited = real.migrations
            edited[0] = Migration(version: 1, name: edited[0].name, sql: edited[0].sql + "\n-- edited\n")
            let migrator = try Migrator(migrations: edited)
            await #expect {
                try await migrator.migrate(client: client, logger: logger)
            } throws: { error in
                guard case MigrationError.edited(let name, _, _) = error else { return false }
                return name == "0001_init.sql"
            }
            #expect(try await !migrator.isCurrent(client: client, logger: logger))
        }
    }

    @Test func refusesADatabaseNewerThanTheBinary() async throws {
        try await withTestDatabase { client in
            let real = try Migrator(directory: try Migrator.locateDirectory())
            let older = try Migrator(migrations: Array(real.migrations.prefix(1)))
            await #expect(throws: MigrationError.self) { try await older.migrate(client: client, logger: logger) }
        }
    }

    /// A rolling upgrade: the release before starts (and is ready) on a database that a newer release migrated with
    /// a file marked expand-only, and still refuses one that is not marked.
    @Test func anOlderBinaryStartsBesideANewerExpandOnlyMigrationOnly() async throws {
        try await withTestDatabase { client in
            let release = try Migrator(directory: try Migrator.locateDirectory())
            let expand = Migration(
                version: 9001, name: "9001_kiosk_screen.sql",
                sql: "-- Adds what the release before neither reads nor writes.\n\(Migration.expandOnlyMarker)\n"
                    + "ALTER TABLE kiosks ADD COLUMN screen_size text;\n")
            #expect(expand.expandOnly)
            let next = try Migrator(migrations: release.migrations + [expand])
            #expect(try await next.migrate(client: client, logger: logger) == ["9001_kiosk_screen.sql"])
            #expect(try await release.migrate(client: client, logger: logger) == [])
            #expect(try await release.isCurrent(client: client, logger: logger))

            let contract = Migration(version: 9002, name: "9002_drop.sql", sql: "ALTER TABLE kiosks DROP COLUMN screen_size;\n")
            #expect(!contract.expandOnly)
            #expect(
                try await Migrator(migrations: next.migrations + [contract]).migrate(client: client, logger: logger) == ["9002_drop.sql"])
            let refused = await #expect(throws: MigrationError.self) { try await release.migrate(client: client, logger: logger) }
            #expect("\(refused.map(String.init(describing:)) ?? "")".contains("9002"))
            // The marker only counts on a line of its own.
            #expect(!Migration(version: 1, name: "0001_x.sql", sql: "SELECT 1; \(Migration.expandOnlyMarker)\n").expandOnly)
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        try await withClient(url) { client in
            let migrator = try Migrator(migrations: [
                Migration(version: 1, name: "0001_bad.sql", sql: "CREATE TABLE half (v int); SELECT no_such_function();")
            ])
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate(client: client, logger: logger) }
            // The operator is told the file's own error, not the aborted transaction that followed it.
            let told = error.map { String(describing: $0) } ?? ""
            #expect(told.contains("0001_bad.sql") && told.contains("no_such_function"), "\(told)")
            #expect(!told.contains("current transaction is aborted"), "\(told)")
            let rows = try await client.query("SELECT to_regclass('half') IS NULL, (SELECT count(*) FROM schema_migrations)")
            let found = try await collect(rows.decode((Bool, Int).self))
            #expect(found.count == 1)
            #expect(found.allSatisfy { gone, count in gone && count == 0 }, "\(found)")
        }
    }

    @Test func replicasStartingTogetherApplyEachFileOnce() async throws {
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        let migrator = try Migrator(directory: try Migrator.locateDirectory())
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask { try await withClient(url) { client in try await migrator.migrate(client: client, logger: logger) } }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(applied.sorted() == migrator.migrations.map(\.name))
    }
}
