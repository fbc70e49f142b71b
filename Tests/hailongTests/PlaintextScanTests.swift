import Foundation
import HaiLongStore
import HaiLongTestSupport
import Testing

/// No plaintext phone number and no secret where it should not be. A realistic day runs through the built `hailong`
/// binary: the directory, tokens, a kiosk's pairing code and an administrator made with the CLI; `serve --demo` with
/// its demo province; a kiosk, a paired device and an integration posting ratings (two with a phone number for a
/// call-back); the web survey answered with a phone number and a comment; administrators signing in; the figures
/// exported as CSV and XLSX. Then the service's and the CLI's logs, the exports (the XLSX unzipped) and a `pg_dump` of
/// the database are searched for each phone number in every form it could be written (with spaces, dots or dashes,
/// +84, 84 or 0 first; as text or as hex bytes) and for every token, pairing code, password, session and the data key.
/// The test fails listing each place it found one.
@Suite struct PlaintextScanTests {
    /// A phone number as the citizen typed it, and its national number without the leading 0 (what every form shares).
    struct Phone {
        var typed: String
        var national: String
        var channel: String
    }

    static let phones = [
        Phone(typed: "0913 572 846", national: "913572846", channel: "web survey"),
        Phone(typed: "+84 987 164 392", national: "987164392", channel: "kiosk"),
        Phone(typed: "0905.281.637", national: "905281637", channel: "integration"),
    ]

    /// Where `needle` occurs in `haystack` (byte offsets); with `digitBounded`, only where no digit is next to it.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8], digitBounded: Bool = false) -> [Int] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return [] }
        // Foundation's search (an optimised library; a loop here would crawl through a dump in a debug build).
        let hay = Data(haystack)
        let pin = Data(needle)
        func isDigit(_ index: Int) -> Bool { index >= 0 && index < haystack.count && (48...57).contains(haystack[index]) }
        var found: [Int] = []
        var start = hay.startIndex
        while start < hay.endIndex, let range = hay.range(of: pin, options: [], in: start..<hay.endIndex) {
            let offset = range.lowerBound - hay.startIndex
            if !digitBounded || (!isDigit(offset - 1) && !isDigit(offset + needle.count)) { found.append(offset) }
            start = range.lowerBound + 1
        }
        return found
    }

    /// The bytes without the separators people put in phone numbers, so "0913 572 846", "+84 913.572.846" and
    /// "(091) 357-2846" all contain the national number as one run of digits.
    static func withoutSeparators(_ bytes: [UInt8]) -> [UInt8] {
        bytes.filter { !" .-()\t\u{2F}".utf8.contains($0) }
    }

    static func hex(_ text: String) -> [UInt8] { Array(text.utf8.map { String(format: "%02x", $0) }.joined().utf8) }

    /// Every finding of a phone or secret in one scanned text: "what (whose) in where at offset: context".
    static func scan(_ name: String, _ bytes: [UInt8], secrets: [(String, String)]) -> [String] {
        var findings: [String] = []
        func context(_ offset: Int, _ source: [UInt8]) -> String {
            let from = max(0, offset - 30)
            let to = min(source.count, offset + 40)
            return String(decoding: source[from..<to], as: UTF8.self).replacingOccurrences(of: "\n", with: "⏎")
        }
        let stripped = withoutSeparators(bytes)
        let lowered = bytes.map { (65...70).contains($0) ? $0 + 32 : $0 }
        for phone in phones {
            for offset in occurrences(of: Array(phone.national.utf8), in: stripped) {
                findings.append("phone \(phone.typed) (\(phone.channel)) in \(name): …\(context(offset, stripped))…")
            }
            for form in [phone.national, phone.typed] {
                for offset in occurrences(of: hex(form), in: lowered) {
                    findings.append("phone \(phone.typed) (\(phone.channel)) as hex bytes in \(name): …\(context(offset, lowered))…")
                }
            }
        }
        for (what, secret) in secrets {
            let digits = secret.allSatisfy(\.isNumber)
            for offset in occurrences(of: Array(secret.utf8), in: bytes, digitBounded: digits) {
                findings.append("\(what) in \(name): …\(context(offset, bytes))…")
            }
        }
        return findings
    }

    @Test func theScannerFindsEveryFormOfAPhoneNumberAndAPairingCodeOnlyAsAWholeNumber() {
        let forms = [
            "0913572846", "0913 572 846", "0913.572.846", "+84913572846", "+84 913 572 846", "84913572846", "(091) 357-2846",
            "\"phone\":\"0913 572 846\"", "\\x30393133353732383436",
        ]
        for form in forms {
            #expect(Self.scan("probe", Array(form.utf8), secrets: []).count >= 1, "\(form)")
        }
        #expect(Self.scan("probe", Array("0913 572 847 and 2026-07-01".utf8), secrets: []).isEmpty)
        #expect(Self.scan("probe", Array("code 12345678.".utf8), secrets: [("pairing code", "12345678")]).count == 1)
        #expect(Self.scan("probe", Array("id 9123456789".utf8), secrets: [("pairing code", "12345678")]).isEmpty)
    }

    @Test func noPlaintextPhoneNumberOrSecretInTheLogsTheExportsOrADumpOfTheDatabase() async throws {
        let url = try await TestDatabase.shared.makeDatabase(migrated: false)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let port = Int.random(in: 30_000...39_000)
        let base = "http://127.0.0.1:\(port)"
        let dataKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let cliLog = work.appendingPathComponent("cli.log").path
        let environment = [
            "DATABASE_URL=\(url.asServiceLogin.urlString)", "MIGRATION_DATABASE_URL=\(url.urlString)", "HAILONG_DATA_KEY=\(dataKey)",
            "HAILONG_SURVEY_MIN_FILL_SECONDS=0", "LOG_LEVEL=debug",
            "HAILONG_TIMEZONE=Asia/Ho_Chi_Minh", "HAILONG_SECURE_COOKIES=0", "SCAN_CLI_LOG=\(cliLog)",
        ]
        var secrets: [(String, String)] = [("HAILONG_DATA_KEY", dataKey)]

        /// A CLI command: its standard output; its standard error (the logs) goes to cli.log.
        func cli(_ arguments: [String], stdin: String = "") throws -> String {
            let result = try Subprocess.run(
                "/usr/bin/env",
                environment + [
                    "SCAN_STDIN=\(stdin)", "/bin/sh", "-c", #"printf %s "$SCAN_STDIN" | "$@" 2>>"$SCAN_CLI_LOG""#, "sh",
                    CLITests.binary,
                ] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.output)")
            return result.output
        }
        /// curl: (status, body); the response body is also kept in `save` when given.
        func curl(_ arguments: [String], save: String? = nil) throws -> (status: Int, body: String) {
            let bodyFile = save.map { work.appendingPathComponent($0).path } ?? work.appendingPathComponent("body-\(UUID())").path
            let jar = work.appendingPathComponent("cookies").path
            let result = try Subprocess.run(
                "/usr/bin/curl", ["-s", "-o", bodyFile, "-w", "%{http_code}", "-b", jar, "-c", jar, "-H", "Origin: \(base)"] + arguments)
            let body = (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? ""
            return (Int(result.output.suffix(3)) ?? 0, body)
        }

        _ = try cli(["migrate"])
        for step in [
            ["agency", "add", "--code", "H31", "--name", "Tỉnh Hòa Bình", "--kind", "province"],
            ["agency", "add", "--code", "H31.STP", "--name", "Sở Tư pháp", "--parent", "H31"],
            ["counter", "add", "--agency", "H31.STP", "--code", "Q1", "--name", "Quầy số 1"],
            ["officer", "add", "--agency", "H31.STP", "--badge", "B-0042", "--name", "Lê Thị Hồng", "--counter", "Q1"],
        ] {
            _ = try cli(step)
        }
        let kiosk = try cli(["kiosk", "add", "--agency", "H31.STP", "--counter", "Q1", "--label", "Kiosk 1"]).split(separator: "\n")
        let kioskToken = String(kiosk.first ?? "")
        let kioskCode = try #require(kiosk.last?.firstMatch(of: /pairing code: (\d{8})/)).1
        secrets += [("kiosk token (CLI)", kioskToken), ("pairing code (CLI)", String(kioskCode))]
        let device = try cli(["kiosk", "add", "--agency", "H31.STP", "--counter", "Q1", "--label", "Kiosk 2"]).split(separator: "\n")
        let deviceCode = String(try #require(device.last?.firstMatch(of: /pairing code: (\d{8})/)).1)
        secrets += [("kiosk token (CLI, replaced by pairing)", String(device.first ?? "")), ("pairing code (CLI, used)", deviceCode)]
        let par = try cli(["token", "add", "--name", "Sở Nội vụ", "--role", "par"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let integration = try cli(["token", "add", "--name", "Một cửa", "--role", "integration", "--agency", "H31.STP"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        secrets += [("PAR token (CLI)", par), ("integration token (CLI)", integration)]
        let password = "Mật-khẩu-\(UUID().uuidString.prefix(8))"
        _ = try cli(
            ["user", "add", "--username", "admin.h31", "--role", "agency_admin", "--agency", "H31", "--password-stdin"], stdin: password)
        secrets.append(("administrator's password (CLI)", password))
        for token in [kioskToken, par, integration] { #expect(token.hasPrefix("hlk_") || token.hasPrefix("hlt_"), "\(token)") }

        // The service, with the demo province; its banner (stdout) shows secrets by design, its logs (stderr) must not.
        let serveLog = work.appendingPathComponent("serve.log")
        let banner = work.appendingPathComponent("banner.txt")
        _ = FileManager.default.createFile(atPath: serveLog.path, contents: nil)
        _ = FileManager.default.createFile(atPath: banner.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = environment + [CLITests.binary, "serve", "--demo", "--host", "127.0.0.1", "--port", String(port)]
        process.standardOutput = try FileHandle(forWritingTo: banner)
        process.standardError = try FileHandle(forWritingTo: serveLog)
        try process.run()
        defer {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        // One observed 200 decides: asking again could meet a busy moment (the first aggregation after the demo).
        let started = ContinuousClock.now
        var ready = false
        while process.isRunning, started.duration(to: .now) < .seconds(180) {
            ready = try curl(["\(base)/readyz"]).status == 200
            if ready { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        try #require(
            ready, "serve did not get ready: \(String(((try? String(contentsOf: serveLog, encoding: .utf8)) ?? "").suffix(4000)))")
        let printed = (try? String(contentsOf: banner, encoding: .utf8)) ?? ""
        let demoToken = String(try #require(printed.firstMatch(of: /PAR token \(shown once\): (hlt_[A-Za-z0-9_-]+)/)).1)
        let demoCode = String(try #require(printed.firstMatch(of: /pairing code (\d{8})/)).1)
        let demoAdmin = try #require(printed.firstMatch(of: /sign-in — (\S+) \/ (\S+) \(shown once\)/))
        secrets += [("demo PAR token", demoToken), ("demo pairing code", demoCode), ("demo administrator's password", String(demoAdmin.2))]

        // A device pairs with its code and gets a token of its own.
        let paired = try curl([
            "-X", "POST", "-H", "Content-Type: application/json", "--data", #"{"code":"\#(deviceCode)"}"#, "\(base)/api/v1/kiosk/pair",
        ])
        #expect(paired.status == 200, "\(paired.body)")
        let deviceToken = String(try #require(paired.body.firstMatch(of: /"token"\s*:\s*"([^"]+)"/)).1)
        secrets.append(("device token (pairing)", deviceToken))

        // Ratings: from the kiosk with a phone number, from the paired device, from the integration with one.
        let now = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        let ratings: [(String, String)] = [
            (
                kioskToken,
                #"{"questionnaire":"kiosk-3","answers":{"overall":1},"comment":"Chờ lâu, xin gọi lại","submitted_at":"\#(now)","contact":{"phone":"\#(Self.phones[1].typed)","consent":true}}"#
            ),
            (deviceToken, #"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"\#(now)"}"#),
            (
                integration,
                #"{"questionnaire":"kiosk-3","answers":{"overall":2},"comment":"Hồ sơ trả chậm","submitted_at":"\#(now)","contact":{"phone":"\#(Self.phones[2].typed)","consent":true}}"#
            ),
        ]
        for (token, body) in ratings {
            let posted = try curl([
                "-X", "POST", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json", "-H",
                "Idempotency-Key: \(UUID().uuidString)", "--data-binary", body, "\(base)/api/v1/responses",
            ])
            #expect(posted.status == 201, "\(body): \(posted.body)")
        }

        // The web survey, answered with a comment and a phone number for a call-back.
        let form = try curl(["\(base)/s/H31.STP"])
        #expect(form.status == 200)
        let rid = String(try #require(form.body.firstMatch(of: /name="rid" value="([^"]+)"/)).1)
        let stamp = String(try #require(form.body.firstMatch(of: /name="stamp" value="([^"]+)"/)).1)
        let surveyComment = "Cán bộ nhiệt tình, cảm ơn \(UUID().uuidString.prefix(6))"
        let survey = try curl([
            "-X", "POST", "--data-urlencode", "rid=\(rid)", "--data-urlencode", "stamp=\(stamp)", "--data-urlencode", "lang=vi",
            "--data-urlencode", "cong_chuc.1=5", "--data-urlencode", "thu_tuc.2=4", "--data-urlencode", "comment=\(surveyComment)",
            "--data-urlencode", "phone=\(Self.phones[0].typed)", "--data-urlencode", "consent=yes", "\(base)/s/H31.STP",
        ])
        #expect(survey.status == 303, "the survey was not stored: \(survey.status) \(survey.body.prefix(400))")

        // Administrators sign in (the CLI's and the demo's) and export; the PAR tokens export the figures too.
        var exports: [(String, String)] = []
        for (username, secret, agency) in [("admin.h31", password, "H31.STP"), (String(demoAdmin.1), String(demoAdmin.2), "DEMO.STP")] {
            let page = try curl(["\(base)/admin/sign-in"])
            let csrf = String(try #require(page.body.firstMatch(of: /name="csrf" value="([^"]+)"/)).1)
            let signedIn = try curl([
                "-X", "POST", "--data-urlencode", "csrf=\(csrf)", "--data-urlencode", "username=\(username)", "--data-urlencode",
                "password=\(secret)", "\(base)/admin/sign-in",
            ])
            #expect(signedIn.status == 303, "\(username) could not sign in: \(signedIn.body.prefix(300))")
            let jar = (try? String(contentsOfFile: work.appendingPathComponent("cookies").path, encoding: .utf8)) ?? ""
            for line in jar.split(separator: "\n") where !line.hasPrefix("# ") {
                let fields = line.split(separator: "\t")
                if fields.count == 7, fields[6].count >= 16 { secrets.append(("session cookie of \(username)", String(fields[6]))) }
            }
            for format in ["csv", "xlsx"] {
                let name = "admin-\(agency)-export.\(format)"
                #expect(try curl(["\(base)/admin/agencies/\(agency)/export?format=\(format)"], save: name).status == 200)
                exports.append((name, format))
            }
            // Forget the session (a new sign-in page for the next one).
            try? FileManager.default.removeItem(atPath: work.appendingPathComponent("cookies").path)
        }
        let days = DateFormatter()
        days.dateFormat = "yyyy-MM-dd"
        days.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        let period =
            "\(days.string(from: Date().addingTimeInterval(-130 * 86_400)))..\(days.string(from: Date().addingTimeInterval(86_400)))"
        for (token, agency) in [(par, "H31"), (demoToken, "DEMO")] {
            for format in ["csv", "xlsx"] {
                let name = "api-\(agency).\(format)"
                let exported = try curl(
                    [
                        "-H", "Authorization: Bearer \(token)",
                        "\(base)/api/v1/indices?period=\(period)&agency=\(agency)&depth=1&format=\(format)",
                    ],
                    save: name)
                #expect(exported.status == 200, "\(name): \(exported.body.prefix(300))")
                exports.append((name, format))
            }
        }
        process.terminate()
        process.waitUntilExit()

        // What is scanned: the logs, the exports (XLSX unzipped) and a dump of the database.
        var scanned: [(String, [UInt8])] = [
            ("the service's logs", Array(try Data(contentsOf: serveLog))),
            ("the CLI's logs", Array(try Data(contentsOf: URL(fileURLWithPath: cliLog)))),
        ]
        for (name, format) in exports {
            let path = work.appendingPathComponent(name).path
            scanned.append((name, Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
            if format == "xlsx" {
                let unzipped = try Subprocess.run("/usr/bin/unzip", ["-p", path])
                #expect(unzipped.status == 0 && unzipped.output.contains("<sheetData"), "\(name) is not a workbook")
                scanned.append(("\(name) (unzipped)", Array(unzipped.output.utf8)))
            }
        }
        let dumpPath = work.appendingPathComponent("dump.sql").path
        let pgDump = try EmbeddedPostgres.locateBinaries() + "/pg_dump"
        let dumped = try Subprocess.run(pgDump, ["--no-owner", "--file", dumpPath, "--dbname", url.urlString])
        #expect(dumped.status == 0, "pg_dump: \(dumped.output)")
        let dump = Array(try Data(contentsOf: URL(fileURLWithPath: dumpPath)))
        scanned.append(("pg_dump", dump))

        // Not vacuous: the dump holds the day's responses, the logs the service's run, the exports the figures.
        let dumpText = String(decoding: dump, as: UTF8.self)
        for comment in [surveyComment, "Chờ lâu, xin gọi lại", "Hồ sơ trả chậm"] {
            #expect(dumpText.contains(comment), "the dump lacks the response with '\(comment)'")
        }
        #expect(dumpText.contains("COPY public.responses"))
        #expect(String(decoding: scanned[0].1, as: UTF8.self).contains("HaiLong listening"), "no service log captured")
        let exported = scanned.filter { $0.0.hasSuffix(".csv") }.map { String(decoding: $0.1, as: UTF8.self) }.joined()
        #expect(exported.contains("H31.STP") && exported.contains("DEMO.STP"))

        var findings: [String] = []
        for (name, bytes) in scanned { findings += Self.scan(name, bytes, secrets: secrets) }
        #expect(findings.isEmpty, "plaintext found:\n\(findings.joined(separator: "\n"))")
    }
}
