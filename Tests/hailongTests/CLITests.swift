import Foundation
import HaiLongStore
import HaiLongTestSupport
import Testing

/// The `hailong` binary, run as an operator would, against a throwaway database.
@Suite struct CLITests {
    /// The built executable, next to the test bundle.
    static var binary: String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("hailong").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return directory.appendingPathComponent("hailong").path
    }

    func hailong(_ arguments: [String], database: DatabaseURL?) throws -> (status: Int32, output: String) {
        var environment = ["LOG_LEVEL=error"]
        if let database { environment.append("DATABASE_URL=\(database.urlString)") }
        return try Subprocess.run("/usr/bin/env", environment + [Self.binary] + arguments)
    }

    @Test func setupCommandsBuildADirectoryAndPrintSecretsOnce() async throws {
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        let migrate = try hailong(["migrate"], database: url)
        #expect(migrate.status == 0, "\(migrate.output)")
        let steps: [[String]] = [
            ["agency", "add", "--code", "H31", "--name", "Tỉnh Hòa Bình", "--kind", "province"],
            ["agency", "add", "--code", "H31.STP", "--name", "Sở Tư pháp", "--parent", "H31"],
            ["counter", "add", "--agency", "H31.STP", "--code", "Q1", "--name", "Quầy số 1"],
            ["officer", "add", "--agency", "H31.STP", "--badge", "B-0042", "--name", "Lê Thị Hồng", "--counter", "Q1"],
        ]
        for step in steps {
            let result = try hailong(step, database: url)
            #expect(result.status == 0, "\(step): \(result.output)")
        }
        let kiosk = try hailong(["kiosk", "add", "--agency", "H31.STP", "--counter", "Q1", "--label", "Kiosk 1"], database: url)
        #expect(kiosk.status == 0)
        let kioskLines = kiosk.output.split(separator: "\n").map(String.init)
        let kioskToken = kioskLines.first ?? ""
        #expect(kioskToken.hasPrefix("hlk_") && kioskToken.count > 40)
        #expect(kioskLines.count == 2 && kioskLines[1].wholeMatch(of: /pairing code: \d{8} \(valid 15 min, single use\)/) != nil)
        let par = try hailong(["token", "add", "--name", "Sở Nội vụ", "--role", "par"], database: url)
        let parToken = par.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(parToken.hasPrefix("hlt_"))
        try await withClient(url) { client in
            let directory = PostgresDirectoryStore(client: client, logger: TestDatabase.logger)
            let agency = try #require(try await directory.agency(code: "H31.STP"))
            #expect(agency.name == "Sở Tư pháp")
            guard case .kiosk(_, let agencyID, let counterID)? = try await directory.caller(forToken: kioskToken) else {
                Issue.record("kiosk token does not resolve")
                return
            }
            #expect(agencyID == agency.id)
            #expect(counterID != nil)
            #expect(try await directory.caller(forToken: parToken) != nil)
            #expect(try await scalar(client, "SELECT count(*) FROM officers WHERE badge = 'B-0042' AND counter_id IS NOT NULL") == 1)
        }
        let once = try hailong(["aggregate", "--once"], database: url)
        #expect(once.status == 0)
        #expect(once.output.contains("0 responses applied"))
    }

    @Test func openingHoursAndSignedSurveyLinks() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        #expect(
            try hailong(["agency", "add", "--code", "H31", "--name", "Tỉnh Hòa Bình", "--kind", "province"], database: url).status == 0)
        let hours = try hailong(
            ["agency", "hours", "--code", "H31", "--set", "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30"], database: url)
        #expect(hours.status == 0, "\(hours.output)")
        #expect(hours.output.contains("mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30"))
        let bad = try hailong(["agency", "hours", "--code", "H31", "--set", "mon 8-17"], database: url)
        #expect(bad.status != 0 && bad.output.contains("--set: '8-17' must be a time range like 07:30-11:30"))
        let link = try hailong(
            [
                "survey", "link", "--agency", "H31", "--dossier", "HS-1", "--officer", "B-1", "--days", "7", "--base-url",
                "https://hl.example.vn/",
            ],
            database: url)
        #expect(link.status == 0, "\(link.output)")
        let printed = link.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed.hasPrefix("https://hl.example.vn/s/H31?t="))
        let token = String(printed.split(separator: "=", maxSplits: 1)[1])
        try await withClient(url) { client in
            let directory = PostgresDirectoryStore(client: client, logger: TestDatabase.logger)
            #expect(
                try await scalar(client, "SELECT count(*) FROM agencies WHERE opening_hours ? 'sat' AND NOT opening_hours ? 'sun'") == 1)
            let signer = SurveySigner(secret: try await directory.serverSecret(named: "survey_links"))
            let decoded = try signer.link(from: token)
            #expect(decoded.agency == "H31" && decoded.dossier == "HS-1" && decoded.officer == "B-1")
            #expect(abs(decoded.expires.timeIntervalSinceNow - 7 * 86_400) < 120)
        }
        let unknown = try hailong(["survey", "link", "--agency", "NOPE"], database: url)
        #expect(unknown.status != 0 && unknown.output.contains("agency 'NOPE' was not found"))
    }

    @Test func mistakesAreOneClearLineAndANonZeroExit() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        #expect(try hailong(["agency", "add", "--code", "A1", "--name", "Sở A"], database: url).status == 0)
        let duplicate = try hailong(["agency", "add", "--code", "A1", "--name", "Sở A lần hai"], database: url)
        #expect(duplicate.status != 0)
        #expect(duplicate.output.contains("agency code 'A1' already exists"))
        #expect(!duplicate.output.contains("Fatal error"))
        let missingParent = try hailong(["agency", "add", "--code", "A2", "--name", "x", "--parent", "ZZ"], database: url)
        #expect(missingParent.status != 0)
        #expect(missingParent.output.contains("parent 'ZZ' was not found"))
        let usage = try hailong(["agency", "add", "--name", "no code"], database: url)
        #expect(usage.status != 0)
        #expect(usage.output.contains("Usage:"))
        let role = try hailong(["token", "add", "--name", "x", "--role", "boss"], database: url)
        #expect(role.status != 0)
        #expect(role.output.contains("--role must be par, admin or integration"))
        // An administrator's account: the generated password is printed once; mistakes are one line.
        let user = try hailong(["user", "add", "--username", "so.a", "--role", "agency_admin", "--agency", "A1"], database: url)
        #expect(user.status == 0, "\(user.output)")
        #expect(user.output.contains("user so.a (agency_admin) added") && user.output.contains("(shown once)"))
        let again = try hailong(["user", "add", "--username", "so.a", "--role", "viewer", "--agency", "A1"], database: url)
        #expect(again.status != 0 && again.output.contains("username 'so.a' already exists"), "\(again.output)")
        let noAgency = try hailong(["user", "add", "--username", "b", "--role", "viewer"], database: url)
        #expect(noAgency.status != 0 && noAgency.output.contains("agency: is required for the viewer role"), "\(noAgency.output)")
        let badRole = try hailong(["user", "add", "--username", "c", "--role", "boss"], database: url)
        #expect(badRole.status != 0 && badRole.output.contains("--role must be admin, agency_admin, viewer or par"))
        let badURL = try Subprocess.run("/usr/bin/env", ["DATABASE_URL=mysql://x@y/z", Self.binary, "migrate"])
        #expect(badURL.status != 0)
        #expect(badURL.output.contains("DATABASE_URL"))
        let badPort = try Subprocess.run("/usr/bin/env", ["HAILONG_PORT=http", "DATABASE_URL=\(url.urlString)", Self.binary, "migrate"])
        #expect(badPort.status != 0)
        #expect(badPort.output.contains("HAILONG_PORT"))
    }
}

extension DatabaseURL {
    /// This URL as a `DATABASE_URL` string.
    var urlString: String {
        let auth = username + (password.map { ":\($0)" } ?? "")
        if let socketPath {
            let directory = URL(fileURLWithPath: socketPath).deletingLastPathComponent().path
            return "postgres://\(auth)@/\(database)?host=\(directory)&port=\(port)"
        }
        return "postgres://\(auth)@\(host ?? "localhost"):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }
}

@Suite struct ImportDossiersCLITests {
    @Test func importsGoodRowsAndReportsBadOnesByLine() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        func hailong(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try Subprocess.run("/usr/bin/env", ["LOG_LEVEL=error", "DATABASE_URL=\(url.urlString)", CLITests.binary] + arguments)
        }
        #expect(try hailong(["agency", "add", "--code", "H31.STP", "--name", "Sở Tư pháp"]).status == 0)
        #expect(try hailong(["counter", "add", "--agency", "H31.STP", "--code", "Q1", "--name", "Quầy 1"]).status == 0)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dossiers-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let csv = """
            \u{FEFF}code,agency,counter,officer,received_at,returned_at
            H31-0001,H31.STP,Q1,B-1,2026-11-20T08:00:00+07:00,2026-11-21T10:00:00+07:00
            H31-0002,H31.STP,,,,
            H31-0003,NOPE,,,,
            H31-0004,H31.STP,Q9,,,
            ,H31.STP,,,,
            H31-0005,H31.STP,,,hôm qua,
            "H31-0006, bản sao",H31.STP,Q1,,,

            """
        try Data(csv.utf8).write(to: file)
        let first = try hailong(["import", "dossiers", file.path])
        #expect(first.status == 2)
        #expect(first.output.contains("3 dossiers added, 0 updated, 4 rows refused"), "\(first.output)")
        #expect(first.output.contains("line 4, agency: unknown agency 'NOPE'"))
        #expect(first.output.contains("line 5, counter: unknown counter 'Q9'"))
        #expect(first.output.contains("line 6, code: is required"))
        #expect(first.output.contains("line 7, received_at:"))
        // Importing the same file again stores nothing twice.
        let again = try hailong(["import", "dossiers", file.path])
        #expect(again.output.contains("0 dossiers added, 3 updated, 4 rows refused"), "\(again.output)")
        let counts = try await withClient(url) { client in
            [
                try await scalar(client, "SELECT count(*) FROM dossiers"),
                try await scalar(client, "SELECT count(*) FROM dossiers WHERE code = 'H31-0006, bản sao'"),
            ]
        }
        #expect(counts == [3, 1])
        let missing = try hailong(["import", "dossiers", "/nonexistent.csv"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("cannot read /nonexistent.csv"))
    }
}
