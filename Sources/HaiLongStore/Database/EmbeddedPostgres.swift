import Crypto
import Foundation
import Logging
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL cluster that HaiLong starts itself when `DATABASE_URL` is unset (and that the
/// tests use as their throwaway database). It listens on a Unix socket only, trusts local connections
/// (the socket directory is private to the cluster's owner) and is stopped with `stop()`.
///
/// PostgreSQL refuses to run as root: when the process is root, the cluster is owned by and run as the
/// `postgres` system user (Debian's packages create it), through `runuser`.
public struct EmbeddedPostgres: Sendable {
    /// The directory holding `data/`, the server log and (when the path is short enough) the socket.
    public let root: URL
    /// The directory holding `initdb`, `pg_ctl` and `postgres`.
    public let binDirectory: String
    /// The system user the server runs as, or `nil` for the current user.
    public let runAs: String?
    /// Extra `postgresql.conf` settings (tests turn `fsync` off).
    public let settings: [String: String]
    public let superuser = "hailong"
    public let database: String
    let logger: Logger

    public var dataDirectory: URL { root.appendingPathComponent("data") }
    public var logFile: URL { root.appendingPathComponent("postgres.log") }

    /// The socket directory: inside `root`, or a short path under /tmp when `root` is too deep for a socket path.
    public var socketDirectory: String {
        let inside = root.appendingPathComponent("run").path
        if inside.utf8.count + 20 < 100 { return inside }
        let digest = SHA256.hash(data: Data(root.path.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return "/tmp/hailong-\(digest)"
    }

    public var databaseURL: DatabaseURL {
        DatabaseURL(username: superuser, database: database, socketPath: socketDirectory + "/.s.PGSQL.5432")
    }

    public init(
        root: URL, database: String = "hailong", settings: [String: String] = [:], logger: Logger
    ) throws(ConfigurationError) {
        self.root = root.standardizedFileURL
        self.database = database
        self.settings = settings
        self.logger = logger
        self.binDirectory = try Self.locateBinaries()
        self.runAs = geteuid() == 0 ? "postgres" : nil
        if let runAs, getpwnam(runAs) == nil {
            throw ConfigurationError(
                variable: "DATABASE_URL",
                reason: "unset, and running as root needs the '\(runAs)' system user for the embedded PostgreSQL "
                    + "(apt-get install -y postgresql creates it), or set DATABASE_URL")
        }
    }

    /// Finds the PostgreSQL server binaries: on PATH, in `pg_config --bindir`, or in Debian's versioned directory.
    public static func locateBinaries() throws(ConfigurationError) -> String {
        let fileManager = FileManager.default
        var candidates: [String] = []
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(directory))
        }
        if let output = try? Subprocess.run("/bin/sh", ["-c", "pg_config --bindir 2>/dev/null"]).output {
            candidates.append(output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let debian = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in debian.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append("/usr/lib/postgresql/\(version)/bin")
        }
        for directory in candidates where !directory.isEmpty {
            let initdb = URL(fileURLWithPath: directory).appendingPathComponent("initdb").resolvingSymlinksInPath()
            let bin = initdb.deletingLastPathComponent().path
            if fileManager.isExecutableFile(atPath: initdb.path), fileManager.isExecutableFile(atPath: bin + "/pg_ctl") {
                return bin
            }
        }
        throw ConfigurationError(
            variable: "DATABASE_URL",
            reason: "unset, and no PostgreSQL server was found for the embedded database. "
                + "Install it (Debian/Ubuntu: apt-get install -y postgresql) or set DATABASE_URL")
    }

    /// Creates the cluster when needed, starts it (or adopts one still running from an earlier crash) and
    /// makes sure the database exists. Returns the URL to connect with, and whether this call started the
    /// server (only then should the caller stop it: a running `hailong serve` may be using an adopted one).
    /// The programs it runs (initdb, pg_ctl, psql) block their thread for seconds: they run on NIO's thread pool, not
    /// on the tasks' few threads (which a test suite's other work, and its deadlines, are waiting for).
    public func start() async throws -> (url: DatabaseURL, startedHere: Bool) {
        try await NIOThreadPool.singleton.runIfActive { try self.startWaiting() }
    }

    func startWaiting() throws -> (url: DatabaseURL, startedHere: Bool) {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        for path in [root.path, socketDirectory] {
            try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
            // Not recursive: what is inside is created by the server's own user (initdb, the server itself).
            if let runAs { try Subprocess.run("/bin/chown", [runAs, path]) }
        }
        if let runAs, try Subprocess.run("/usr/sbin/runuser", ["-u", runAs, "--", "test", "-w", root.path]).status != 0 {
            throw ConfigurationError(
                variable: "HAILONG_DATA_DIR",
                reason: "the '\(runAs)' user cannot reach \(root.path) (a parent directory is private); "
                    + "make its parent directories reachable (chmod o+x) or set HAILONG_DATA_DIR to one that is")
        }
        if !fileManager.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            logger.info("creating the embedded PostgreSQL cluster", metadata: ["directory": "\(dataDirectory.path)"])
            try? fileManager.removeItem(at: dataDirectory)
            try pg(
                "initdb",
                ["-D", dataDirectory.path, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"])
            let include = "\ninclude_if_exists = 'hailong.conf'\n"
            let handle = try FileHandle(forWritingTo: dataDirectory.appendingPathComponent("postgresql.conf"))
            handle.seekToEndOfFile()
            handle.write(Data(include.utf8))
            try handle.close()
        }
        var conf = [
            "listen_addresses": "''", "unix_socket_directories": "'\(socketDirectory)'",
            "unix_socket_permissions": "0700", "max_connections": "200", "log_timezone": "'UTC'",
        ]
        conf.merge(settings) { $1 }
        let text = conf.keys.sorted().map { "\($0) = \(conf[$0]!)" }.joined(separator: "\n") + "\n"
        let confPath = dataDirectory.appendingPathComponent("hailong.conf")
        try Data(text.utf8).write(to: confPath)
        if let runAs { try Subprocess.run("/bin/chown", [runAs, confPath.path]) }

        var startedHere = false
        if try pg("pg_ctl", ["status", "-D", dataDirectory.path], check: false).status == 0 {
            logger.debug("using the embedded PostgreSQL already running", metadata: ["directory": "\(dataDirectory.path)"])
        } else {
            try pg("pg_ctl", ["start", "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60", "-s"])
            logger.info("embedded PostgreSQL started", metadata: ["socket": "\(socketDirectory)"])
            startedHere = true
        }
        try createDatabaseIfMissing()
        return (databaseURL, startedHere)
    }

    /// Stops the server (fast shutdown: open sessions are ended, committed data is safe).
    public func stop() {
        do {
            try pg("pg_ctl", ["stop", "-D", dataDirectory.path, "-m", "fast", "-w", "-s"])
            logger.info("embedded PostgreSQL stopped")
        } catch {
            logger.error("could not stop the embedded PostgreSQL", metadata: ["error": "\(error)"])
        }
    }

    /// A streaming replica of this running cluster in `root` (`pg_basebackup -R` over its socket, WAL streamed during
    /// the copy), not started: `start()` it, and it follows this cluster, read-only (for tests and trying
    /// `DATABASE_READ_URL` on one machine).
    public func makeStandby(root: URL, settings: [String: String] = [:]) throws -> EmbeddedPostgres {
        let standby = try EmbeddedPostgres(root: root, database: database, settings: settings, logger: logger)
        try FileManager.default.createDirectory(at: standby.root, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: standby.root.path)
        if let runAs { try Subprocess.run("/bin/chown", [runAs, standby.root.path]) }
        try pg(
            "pg_basebackup",
            ["-h", socketDirectory, "-U", superuser, "-D", standby.dataDirectory.path, "-R", "-X", "stream", "-c", "fast"])
        return standby
    }

    /// Runs SQL through `psql` as the cluster's superuser, in `database` (default `postgres`); returns its output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try pg(binDirectory + "/psql", ["-h", socketDirectory, "-U", superuser, "-d", database, "-v", "ON_ERROR_STOP=1", "-qtAc", sql])
            .output
    }

    func createDatabaseIfMissing() throws {
        let psql = binDirectory + "/psql"
        let exists = try pg(
            psql,
            [
                "-h", socketDirectory, "-U", superuser, "-d", "postgres", "-tAc",
                "SELECT 1 FROM pg_database WHERE datname = '\(database)'",
            ])
        if exists.output.trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
            try pg(psql, ["-h", socketDirectory, "-U", superuser, "-d", "postgres", "-qc", "CREATE DATABASE \"\(database)\""])
        }
    }

    /// Runs a PostgreSQL tool as the cluster's owner; throws with its output when it fails and `check` is set.
    @discardableResult
    func pg(_ tool: String, _ arguments: [String], check: Bool = true) throws -> (status: Int32, output: String) {
        let executable = tool.hasPrefix("/") ? tool : binDirectory + "/" + tool
        let result =
            if let runAs {
                try Subprocess.run("/usr/sbin/runuser", ["-u", runAs, "--", executable] + arguments)
            } else {
                try Subprocess.run(executable, arguments)
            }
        if check && result.status != 0 {
            throw EmbeddedPostgresError(
                command: ([executable] + arguments).joined(separator: " "), status: result.status, output: result.output,
                logFile: logFile.path)
        }
        return result
    }

}

/// Runs programs to completion.
public enum Subprocess {
    /// Runs a program to completion with `posix_spawn` and `waitpid`, its output captured through a
    /// temporary file. (Foundation's `Process` waits for its own file descriptors to close, which never
    /// happens when the program leaves a daemon behind, as `pg_ctl start` does.)
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Run from / (through env -C): the server's user may not be allowed into the current directory.
        let argv = (["/usr/bin/env", "-C", "/", executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw EmbeddedPostgresError(
                command: executable, status: -1, output: String(cString: strerror(spawned)), logFile: "")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (exitStatus, text)
    }
}

/// A PostgreSQL tool that failed while starting or stopping the embedded cluster.
public struct EmbeddedPostgresError: Error, CustomStringConvertible {
    public var command: String
    public var status: Int32
    public var output: String
    public var logFile: String

    public var description: String {
        "embedded PostgreSQL: '\(command)' exited with \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines)) "
            + "(server log: \(logFile))"
    }
}
