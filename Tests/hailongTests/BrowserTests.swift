import Foundation
import HaiLongStore
import HaiLongTestSupport
import Testing

/// The kiosk page in a real browser: each Python selenium script in `Tests/browser/` gets the built `hailong` and a
/// fresh database, sets the directory up through the CLI, starts `hailong serve` itself and drives headless Chromium.
/// Missing Chromium, chromedriver or selenium fail the test (CI installs them) unless `HAILONG_SKIP_BROWSER=1`.
@Suite(
    .serialized,
    .disabled(if: ProcessInfo.processInfo.environment["HAILONG_SKIP_BROWSER"] == "1", "HAILONG_SKIP_BROWSER=1")
)
struct BrowserTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let scripts = ["kiosk_rate", "kiosk_offline", "kiosk_revoked", "survey_nojs", "survey_js", "admin_flow", "accountability_flow"]

    /// What is missing to run the browser tests, in words an operator can act on; nil when all is there.
    static func missingTools() throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        var missing: [String] = []
        for (variable, path, package) in [
            ("HAILONG_CHROMIUM", "/usr/bin/chromium", "chromium"), ("HAILONG_CHROMEDRIVER", "/usr/bin/chromedriver", "chromium-driver"),
        ] where !FileManager.default.isExecutableFile(atPath: environment[variable] ?? path) {
            missing.append("\(environment[variable] ?? path) (apt-get install \(package))")
        }
        if try Subprocess.run("/usr/bin/env", ["python3", "-c", "import selenium"]).status != 0 {
            missing.append("the selenium Python package (pip install selenium)")
        }
        return missing.isEmpty ? nil : missing.joined(separator: ", ")
    }

    /// A script runs for several seconds: wait for it on a thread of its own, not on one of the few threads that
    /// every other test's async code shares.
    static func runOffThePool(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Subprocess.run(executable, arguments) })
            }
        }
    }

    @Test(arguments: scripts)
    func kioskScript(_ script: String) async throws {
        if let missing = try Self.missingTools() {
            Issue.record("browser tests need \(missing); set HAILONG_SKIP_BROWSER=1 to skip them")
            return
        }
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        let shots = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-shots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: shots) }
        let path = Self.packageRoot.appendingPathComponent("Tests/browser/\(script).py").path
        let arguments = [
            "300", "python3", path, "--hailong", CLITests.binary, "--database-url", url.urlString,
            "--service-database-url", url.asServiceLogin.urlString, "--screenshots", shots.path,
        ]
        let result = try await Self.runOffThePool("/usr/bin/timeout", arguments)
        #expect(result.status == 0, "\(script).py exited \(result.status):\n\(result.output)")
    }
}
