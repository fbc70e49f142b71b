import Foundation
import HaiLongStore
import HaiLongTestSupport
import Testing

/// A short schema fuzzing of the real `hailong serve`: `Tests/fuzz/schema_fuzz.py` runs schemathesis with all its
/// checks against the served `/openapi.yaml`, every operation, with each token role (kiosk, integration, par, admin,
/// scoped admin, none) and a few examples per operation; any failure, error or unexpected server error fails the test.
/// The long run (500 examples per operation) is `bench/reliability/reliability.py --only fuzz` (docs/RELIABILITY.md).
/// A missing schemathesis fails the test (CI installs it) unless `HAILONG_SKIP_FUZZ=1`.
@Suite(.disabled(if: ProcessInfo.processInfo.environment["HAILONG_SKIP_FUZZ"] == "1", "HAILONG_SKIP_FUZZ=1"))
struct SchemaFuzzTests {
    /// Examples per operation and role (`HAILONG_FUZZ_EXAMPLES` to change it).
    static let examples = ProcessInfo.processInfo.environment["HAILONG_FUZZ_EXAMPLES"].flatMap(Int.init) ?? 3

    @Test func schemathesisFindsNothing() async throws {
        if try Subprocess.run("/usr/bin/env", ["python3", "-c", "import schemathesis"]).status != 0 {
            Issue.record("the schema fuzzing needs schemathesis (pip install schemathesis); HAILONG_SKIP_FUZZ=1 skips it")
            return
        }
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        let script = BrowserTests.packageRoot.appendingPathComponent("Tests/fuzz/schema_fuzz.py").path
        let arguments = [
            "600", "python3", script, "--hailong", CLITests.binary, "--database-url", url.urlString,
            "--examples", "\(Self.examples)", "--seed", "1",
        ]
        let result = try await BrowserTests.runOffThePool("/usr/bin/timeout", arguments)
        #expect(result.status == 0, "schema_fuzz.py exited \(result.status):\n\(result.output)")
    }
}
