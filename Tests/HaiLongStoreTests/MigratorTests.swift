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

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        try await withClient(url) { client in
            let migrator = try Migrator(migrations: [
                Migration(version: 1, name: "0001_bad.sql", sql: "CREATE TABLE half (v int); SELECT no_such_function();")
            ])
            await #expect(throws: MigrationError.self) { try await migrator.migrate(client: client, logger: logger) }
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
