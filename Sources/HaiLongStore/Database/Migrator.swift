import Crypto
import Foundation
import Logging
import PostgresNIO

/// One numbered plain-SQL migration file (`0001_init.sql`).
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String
    /// SHA-256 of the file, hex.
    public var checksum: String
    /// The file says `-- hailong: expand-only` on a line of its own: it only adds what the release before neither
    /// reads nor writes, so that release's binaries may start on a database that has it (a rolling upgrade).
    public var expandOnly: Bool

    public static let expandOnlyMarker = "-- hailong: expand-only"

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Hex.encode(SHA256.hash(data: Data(sql.utf8)))
        self.expandOnly = sql.split(whereSeparator: \.isNewline).contains {
            $0.trimmingCharacters(in: .whitespaces) == Self.expandOnlyMarker
        }
    }
}

/// Why migrations refused to run.
public enum MigrationError: Error, CustomStringConvertible {
    case directoryNotFound(searched: [String])
    case badFileName(String)
    case duplicateVersion(Int)
    /// A file already applied to this database has been edited since.
    case edited(name: String, applied: String, now: String)
    /// The database has a migration this binary does not know (it is older than the schema) and that is not
    /// expand-only.
    case unknownApplied(version: Int, name: String)
    case failed(name: String, error: String)

    public var description: String {
        switch self {
        case .directoryNotFound(let searched):
            "migrations: no sql/ directory found (looked in \(searched.joined(separator: ", "))); set HAILONG_SQL_DIR"
        case .badFileName(let name): "migrations: '\(name)' is not named NNNN_name.sql"
        case .duplicateVersion(let version): "migrations: two files have number \(version)"
        case .edited(let name, let applied, let now):
            "migrations: \(name) was edited after it was applied (checksum \(applied.prefix(12)) in the database, "
                + "\(now.prefix(12)) on disk); add a new migration instead of editing an applied one"
        case .unknownApplied(let version, let name):
            "migrations: the database has migration \(version) (\(name)) that this binary does not know and that is not "
                + "expand-only; run a newer version"
        case .failed(let name, let error): "migrations: \(name) failed: \(error)"
        }
    }
}

/// Applies the numbered SQL files in order, each in its own transaction, under an advisory lock so that
/// replicas starting together apply each file once, and refuses to run when an applied file was edited.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    /// Advisory lock key shared by every HaiLong process ("HLMIGRAT").
    static let lockKey: Int64 = 0x484C_4D49_4752_4154

    public init(migrations: [Migration]) throws {
        var seen = Set<Int>()
        for migration in migrations where !seen.insert(migration.version).inserted {
            throw MigrationError.duplicateVersion(migration.version)
        }
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Loads `NNNN_name.sql` files from `directory`.
    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for name in names {
            guard let prefix = name.split(separator: "_").first, prefix.count == 4, let version = Int(prefix) else {
                throw MigrationError.badFileName(name)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        try self.init(migrations: migrations)
    }

    /// Finds the `sql/` directory: `HAILONG_SQL_DIR`, next to the executable (`sql/`, `../share/hailong/sql`),
    /// then the current directory and its parents (so `swift run` from the package finds it).
    public static func locateDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment, sourceFile: String = #filePath
    ) throws -> URL {
        var candidates: [URL] = []
        if let explicit = environment["HAILONG_SQL_DIR"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        candidates += [executable.appendingPathComponent("sql"), executable.appendingPathComponent("../share/hailong/sql")]
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<6 {
            candidates.append(directory.appendingPathComponent("sql"))
            directory.deleteLastPathComponent()
        }
        // The package checkout this binary was built from (Sources/HaiLongStore/Migrator.swift → ../../sql).
        candidates.append(URL(fileURLWithPath: sourceFile).deletingLastPathComponent().appendingPathComponent("../../sql"))
        for candidate in candidates {
            let marker = candidate.appendingPathComponent("0001_init.sql").standardizedFileURL
            if FileManager.default.fileExists(atPath: marker.path) { return candidate.standardizedFileURL }
        }
        throw MigrationError.directoryNotFound(searched: candidates.map { $0.standardizedFileURL.path })
    }

    /// Applies what is pending; returns the names applied.
    @discardableResult
    public func migrate(client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await apply(connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    func apply(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        // Whether each applied file was expand-only, for the binaries older than it (added without a lock when there).
        try await connection.query(
            """
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_attribute
                               WHERE attrelid = 'schema_migrations'::regclass AND attname = 'expand_only' AND NOT attisdropped) THEN
                    ALTER TABLE schema_migrations ADD COLUMN expand_only boolean NOT NULL DEFAULT false;
                END IF;
            END $$
            """, logger: logger)
        try await connection.query(
            """
            CREATE OR REPLACE FUNCTION pg_temp.hailong_execute(script text) RETURNS void
            LANGUAGE plpgsql AS $$ BEGIN EXECUTE script; END $$
            """, logger: logger)
        let applied = try await Self.applied(connection, logger: logger)
        for newer in try verify(applied) {
            logger.warning(
                "the database has a newer expand-only migration; this binary runs beside it until it is replaced",
                metadata: ["migration": "\(newer)"])
        }
        var done: [String] = []
        for migration in migrations where applied[migration.version] == nil {
            do {
                try await connection.withTransaction(logger: logger) { transaction in
                    // Read to its end: the file's own error arrives after the row's description, and left unread it
                    // surfaced only as "current transaction is aborted" from the next statement.
                    let executed = try await transaction.query("SELECT pg_temp.hailong_execute(\(migration.sql))", logger: logger)
                    for try await _ in executed {}
                    try await transaction.query(
                        """
                        INSERT INTO schema_migrations (version, name, checksum, expand_only)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(migration.expandOnly))
                        """, logger: logger)
                }
            } catch let error as PostgresTransactionError {
                let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
                throw MigrationError.failed(name: migration.name, error: String(reflecting: cause))
            }
            logger.info("migration applied", metadata: ["migration": "\(migration.name)"])
            done.append(migration.name)
        }
        return done
    }

    /// Throws when an applied migration was edited, or the database has one this binary does not know that is not
    /// expand-only; returns the names of the newer expand-only ones it runs beside.
    func verify(_ applied: [Int: AppliedMigration]) throws -> [String] {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        var newer: [String] = []
        for (version, row) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else {
                guard row.expandOnly else { throw MigrationError.unknownApplied(version: version, name: row.name) }
                newer.append(row.name)
                continue
            }
            if migration.checksum != row.checksum {
                throw MigrationError.edited(name: migration.name, applied: row.checksum, now: migration.checksum)
            }
        }
        return newer
    }

    /// A row of `schema_migrations`.
    struct AppliedMigration {
        var name: String
        var checksum: String
        var expandOnly: Bool
    }

    static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> [Int: AppliedMigration] {
        var result: [Int: AppliedMigration] = [:]
        let rows = try await connection.query("SELECT version, name, checksum, expand_only FROM schema_migrations", logger: logger)
        for try await (version, name, checksum, expandOnly) in rows.decode((Int, String, String, Bool).self) {
            result[version] = AppliedMigration(name: name, checksum: checksum, expandOnly: expandOnly)
        }
        return result
    }

    /// Whether the database has every migration of this binary applied, unedited (for `/readyz`).
    public func isCurrent(client: PostgresClient, logger: Logger) async throws -> Bool {
        let rows = try await client.query("SELECT version, checksum FROM schema_migrations", logger: logger)
        var applied: [Int: String] = [:]
        for try await (version, checksum) in rows.decode((Int, String).self) { applied[version] = checksum }
        return migrations.allSatisfy { applied[$0.version] == $0.checksum }
    }
}
