import Foundation
import HaiLongStore
import HaiLongTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `hailong serve --demo` as a newcomer meets it: it creates the demo province, prints a PAR token, a pairing code,
/// the survey's address and a sign-in, and serves the demo's figures with that token.
@Suite struct ServeDemoTests {
    @Test func theDemoPrintsItsWayInAndServesItsFigures() async throws {
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        let port = Int.random(in: 21_000...29_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.binary)
        process.arguments = ["serve", "--demo", "--port", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["DATABASE_URL": url.asServiceLogin.urlString, "MIGRATION_DATABASE_URL": url.urlString, "LOG_LEVEL": "error"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        // Read what it prints until the sign-in line (the last one), for at most two minutes.
        var printed = ""
        let started = ContinuousClock.now
        while !printed.contains("Dashboard:"), started.duration(to: .now) < .seconds(120), process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { try await Task.sleep(for: .milliseconds(100)) } else { printed += String(decoding: chunk, as: UTF8.self) }
        }
        #expect(printed.contains("HaiLong demo — dữ liệu mẫu: tỉnh DEMO"), "\(printed)")
        #expect(printed.contains("/s/DEMO.STP") && printed.contains("/admin/sign-in"))
        #expect(printed.firstMatch(of: /pairing code \d{8} \(valid 8 h\)/) != nil)
        let token = try #require(printed.firstMatch(of: /PAR token \(shown once\): (hlt_[A-Za-z0-9_-]+)/)).1
        // The figures it advertises answer with the demo's agencies, kiosk ratings and web surveys.
        let days = DateFormatter()
        days.dateFormat = "yyyy-MM-dd"
        days.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        let period = "\(days.string(from: Date().addingTimeInterval(-130 * 86_400)))..\(days.string(from: Date()))"
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/indices?period=\(period)&agency=DEMO&depth=1")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        // The aggregator counts the demo's ratings in the background: wait for them (a minute at most on a busy machine).
        var items: [[String: Any]] = []
        func counted() -> Bool { items.count == 7 && (items.first?["n"] as? Int ?? 0) > 6_000 }
        let asked = ContinuousClock.now
        while !counted(), asked.duration(to: .now) < .seconds(60) {
            if let (data, _) = try? await URLSession.shared.data(for: request),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                items = json["items"] as? [[String: Any]] ?? []
            }
            if !counted() { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(items.count == 7, "the province and its six agencies")
        #expect((items.first?["n"] as? Int ?? 0) > 6_000, "\(items.first ?? [:])")
        // The year's accountability loop is there too: every officer evaluated, the inspection's confirmed violation on
        // CB-001, and the two blocks with three members each.
        let year = Calendar(identifier: .gregorian).dateComponents(in: days.timeZone, from: Date()).year!
        func get(_ path: String) async throws -> [String: Any] {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (data, _) = try await URLSession.shared.data(for: request)
            return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        }
        let officers = try await get("/api/v1/evaluation/officers?year=\(year)&agency=DEMO")["items"] as? [[String: Any]] ?? []
        #expect(officers.count == 24)
        let first = officers.first { $0["badge"] as? String == "CB-001" }
        #expect((first?["violations"] as? [[String: Any]])?.map { $0["status"] as? String } == ["confirmed"])
        for block in ["KHOI.SO", "CUM.XA"] {
            let ranking = try await get("/api/v1/emulation?year=\(year)&block=\(block)")["items"] as? [[String: Any]] ?? []
            #expect(ranking.count == 3, "\(block)")
        }
    }
}
