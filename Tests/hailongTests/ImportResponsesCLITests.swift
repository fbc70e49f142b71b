import Foundation
import HaiLongStore
import HaiLongTestSupport
import Testing

/// `hailong import responses FILE.csv [--partial]`, run as an operator would.
@Suite struct ImportResponsesCLITests {
    /// docs/examples/paper-responses.csv in this checkout.
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/examples/paper-responses.csv").path

    @Test func theExampleImportsOnceAndABadFileIsStoredWholeOrNotAtAll() async throws {
        let url = try await TestDatabase.shared.makeDatabase()
        func hailong(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try Subprocess.run("/usr/bin/env", ["LOG_LEVEL=error", "DATABASE_URL=\(url.urlString)", CLITests.binary] + arguments)
        }
        let setup: [[String]] = [
            ["agency", "add", "--code", "DEMO", "--name", "Tỉnh Hải Long", "--kind", "province"],
            ["agency", "add", "--code", "DEMO.STP", "--name", "Sở Tư pháp", "--parent", "DEMO"],
            ["agency", "add", "--code", "DEMO.XTP", "--name", "Xã Tân Phú", "--parent", "DEMO", "--kind", "commune"],
            ["agency", "add", "--code", "DEMO.PHB", "--name", "Phường Hòa Bình", "--parent", "DEMO", "--kind", "ward"],
            ["agency", "add", "--code", "DEMO.TTHCC", "--name", "Trung tâm Phục vụ hành chính công", "--parent", "DEMO"],
            ["officer", "add", "--agency", "DEMO.STP", "--badge", "CB-002", "--name", "Trần Văn Hùng"],
            ["officer", "add", "--agency", "DEMO.XTP", "--badge", "CB-014", "--name", "Phan Thị Yến"],
        ]
        for step in setup {
            let result = try hailong(step)
            #expect(result.status == 0, "\(step): \(result.output)")
        }

        // The example file: four forms, stored once.
        let first = try hailong(["import", "responses", Self.example])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("4 responses stored, 0 already imported, 0 rows refused"), "\(first.output)")
        #expect(first.output.contains("submitted from 2026-03-12 to 2026-03-16"), "\(first.output)")
        #expect(first.output.contains("flags on the new responses: late 4, no_dossier 2, unknown_officer 1"), "\(first.output)")
        let again = try hailong(["import", "responses", Self.example])
        #expect(again.status == 0)
        #expect(again.output.contains("0 responses stored, 4 already imported, 0 rows refused"), "\(again.output)")
        #expect(try await withClient(url) { try await scalar($0, "SELECT count(*) FROM responses WHERE channel = 'paper'") } == 4)

        // A file from Excel (BOM, CRLF) with a quoted comment holding a comma and a newline, and three bad rows.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("paper-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let rows = [
            "\u{FEFF}questionnaire,agency,officer,dossier,submitted_at,answers,comment",
            #"sipas-5,DEMO.STP,CB-002,HS-7,2026-04-02T09:00:00+07:00,"{""cong_chuc.1"":5,""cong_chuc.2"":4}","Nhanh, gọn."#
                + "\r\n" + #"Cảm ơn chị Hùng.""#,
            #"kiosk-3,NOPE,,,2026-04-02T09:05:00+07:00,"{""overall"":3}","#,
            #"kiosk-3,DEMO.PHB,,,2026-04-02T09:06:00+07:00,"{""overall"":5}","#,
            #"kiosk-3,DEMO.PHB,,,02/04/2026 09:07,"{""overall"":2}","#,
        ]
        try Data((rows.joined(separator: "\r\n") + "\r\n").utf8).write(to: file)
        let strict = try hailong(["import", "responses", file.path])
        #expect(strict.status == 2, "\(strict.output)")
        #expect(strict.output.contains("0 responses stored, 0 already imported, 3 rows refused"), "\(strict.output)")
        #expect(strict.output.contains("row 3, agency: unknown agency 'NOPE'"))
        #expect(strict.output.contains("row 4, answers: overall must be an integer from 1 to 3"))
        #expect(strict.output.contains("row 5, submitted_at: must be an ISO 8601 time with an offset"))
        #expect(strict.output.contains("nothing stored: 1 good row is kept back"), "\(strict.output)")
        #expect(try await withClient(url) { try await scalar($0, "SELECT count(*) FROM responses") } == 4)

        let partial = try hailong(["import", "responses", "--partial", file.path])
        #expect(partial.status == 2, "\(partial.output)")
        #expect(partial.output.contains("1 response stored, 0 already imported, 3 rows refused"), "\(partial.output)")
        #expect(!partial.output.contains("nothing stored"))
        let stored = try await withClient(url) { client in
            try await scalar(
                client,
                """
                SELECT count(*) FROM responses WHERE channel = 'paper' AND dossier_code = 'HS-7'
                    AND comment = E'Nhanh, gọn.\\nCảm ơn chị Hùng.' AND submitted_at = '2026-04-02T02:00:00Z'
                    AND answers = '{"cong_chuc.1": 5, "cong_chuc.2": 4}'::jsonb AND officer_id IS NOT NULL
                """)
        }
        #expect(stored == 1)
        let partialAgain = try hailong(["import", "responses", "--partial", file.path])
        #expect(partialAgain.output.contains("0 responses stored, 1 already imported, 3 rows refused"), "\(partialAgain.output)")
        #expect(try await withClient(url) { try await scalar($0, "SELECT count(*) FROM responses") } == 5)

        let missing = try hailong(["import", "responses", "/nonexistent.csv"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("cannot read /nonexistent.csv"))
    }
}
