import Foundation
import HaiLongStore
import HaiLongTestSupport
import Testing

/// `hailong publish`, `hailong methodology` and `hailong agency merge`, through the binary.
@Suite struct FiguresCLITests {
    func hailong(_ arguments: [String], database: DatabaseURL, stdin: String? = nil) throws -> (status: Int32, output: String) {
        var environment = ["LOG_LEVEL=error", "DATABASE_URL=\(database.urlString)"]
        environment.append("HAILONG_TIMEZONE=Asia/Ho_Chi_Minh")
        if let stdin {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("hl-\(UUID()).json")
            try stdin.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            return try Subprocess.run("/usr/bin/env", environment + [CLITests.binary] + arguments.map { $0 == "-" ? file.path : $0 })
        }
        return try Subprocess.run("/usr/bin/env", environment + [CLITests.binary] + arguments)
    }

    @Test func publishMethodologiesAndMergers() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        #expect(
            try hailong(["agency", "add", "--code", "H31", "--name", "Tỉnh Hòa Bình", "--kind", "province"], database: url).status == 0)
        #expect(
            try hailong(["agency", "add", "--code", "H31.X1", "--name", "Xã Một", "--parent", "H31", "--kind", "commune"], database: url)
                .status == 0)
        #expect(
            try hailong(["agency", "add", "--code", "H31.X2", "--name", "Xã Hai", "--parent", "H31", "--kind", "commune"], database: url)
                .status == 0)

        let merged = try hailong(["agency", "merge", "--code", "H31.X1", "--into", "H31.X2", "--last-day", "2025-06-30"], database: url)
        #expect(merged.status == 0, "\(merged.output)")
        let circular = try hailong(["agency", "merge", "--code", "H31", "--into", "H31.X2", "--last-day", "2025-06-30"], database: url)
        #expect(circular.status != 0 && circular.output.contains("H31.X2"))

        let params =
            #"{"code":"h31","version":1,"excluded_flags":["rapid_repeat","duplicate_dossier","test","outside_hours"],"min_n":50,"par_max":10,"full_at":85}"#
        let added = try hailong(["methodology", "add", "--file", "-", "--make-default"], database: url, stdin: params)
        #expect(added.status == 0, "\(added.output)")
        let again = try hailong(["methodology", "add", "--file", "-"], database: url, stdin: params)
        #expect(again.status != 0 && again.output.contains("methodology 'h31 v1' already exists"))
        let bad = try hailong(
            ["methodology", "add", "--file", "-"], database: url,
            stdin: #"{"code":"x","version":1,"excluded_flags":[],"min_n":0,"par_max":10,"full_at":90}"#)
        #expect(bad.status != 0 && bad.output.contains("min_n must be at least 1"))
        let list = try hailong(["methodology", "list"], database: url)
        #expect(list.output.contains("default v1") && list.output.contains("h31 v1 (default)"))

        let first = try hailong(["publish", "--period", "2026-Q3"], database: url)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("published kiosk-3 2026-Q3 for H31: version 1, sha256 "))
        let second = try hailong(["publish", "--period", "2026-Q3", "--agency", "H31"], database: url)
        #expect(second.output.contains("version 2"))
        let badPeriod = try hailong(["publish", "--period", "2026-Q5"], database: url)
        #expect(badPeriod.status != 0 && badPeriod.output.contains("--period"))
        try await withClient(url) { client in
            let published = try await scalar(client, "SELECT count(*) FROM publications WHERE methodology_code = 'h31'")
            #expect(published == 2)
            let mergedRows = try await scalar(client, "SELECT count(*) FROM agencies WHERE code = 'H31.X1' AND valid_to = '2025-06-30'")
            #expect(mergedRows == 1)
            let audited = try await scalar(
                client, "SELECT count(*) FROM audit_log WHERE action IN ('agency.merge', 'methodology.add', 'figures.publish')")
            #expect(audited == 4)
        }
    }
}
