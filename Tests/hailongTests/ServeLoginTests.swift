import Foundation
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `hailong serve` runs only as a login that row-level security holds: it refuses, with one line naming the reason,
/// a superuser, a login with the tables' owner's rights, one that bypasses row-level security and one outside the
/// runtime role — unless `HAILONG_ALLOW_OWNER=1` says this is a developer's machine.
@Suite struct ServeLoginTests {
    /// `hailong serve` as `login` on `url`'s database (migrated by the owner first); gives up after 60 s, when
    /// `timeout` answers 124: the service kept running.
    func serve(_ url: DatabaseURL, as login: String, allowOwner: Bool = false) throws -> (status: Int32, output: String) {
        var service = url
        service.username = login
        let port = Int.random(in: 21_000...29_000)
        return try Subprocess.run(
            "/usr/bin/env",
            [
                "LOG_LEVEL=error", "DATABASE_URL=\(service.urlString)", "MIGRATION_DATABASE_URL=\(url.urlString)",
                "HAILONG_ALLOW_OWNER=\(allowOwner ? 1 : 0)", "/usr/bin/timeout", "60", CLITests.binary, "serve", "--port",
                String(port),
            ])
    }

    @Test func serveRefusesLoginsThatRowLevelSecurityDoesNotHold() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let (bypass, outsider, ownerLike) = ("t_bypass_\(suffix)", "t_outsider_\(suffix)", "t_ownerlike_\(suffix)")
        try await withClient(url) { client in
            for sql in [
                "CREATE ROLE \(bypass) LOGIN BYPASSRLS IN ROLE hailong_runtime", "CREATE ROLE \(outsider) LOGIN",
                "CREATE ROLE \(ownerLike) LOGIN IN ROLE hailong_runtime, \(url.username)",
            ] {
                try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            }
        }
        let cases = [
            (url.username, "is a superuser"), (bypass, "bypasses row-level security"),
            (outsider, "is not a member of hailong_runtime"), (ownerLike, "has the owner's rights on tables"),
        ]
        for (login, reason) in cases {
            let result = try serve(url, as: login)
            #expect(result.status != 0 && result.status != 124, "\(login) was served: \(result.output)")
            #expect(result.output.contains(reason) && result.output.contains("HAILONG_ALLOW_OWNER"), "\(login): \(result.output)")
        }
    }

    @Test func aDeveloperMayRunAsTheOwnerWithTheSwitch() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        let port = Int.random(in: 21_000...29_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["serve", "--port", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["DATABASE_URL": url.urlString, "HAILONG_ALLOW_OWNER": "1", "LOG_LEVEL": "error"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var status: Int?
        let started = ContinuousClock.now
        while status != 200, started.duration(to: .now) < .seconds(60), process.isRunning {
            try await Task.sleep(for: .milliseconds(200))
            let request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/healthz")!)
            status = (try? await URLSession.shared.data(for: request)).map { ($0.1 as? HTTPURLResponse)?.statusCode ?? 0 }
        }
        #expect(status == 200, "the service did not start as the owner with HAILONG_ALLOW_OWNER=1")
    }
}
