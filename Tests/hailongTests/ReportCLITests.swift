import Foundation
import HaiLongStore
import HaiLongTestSupport
import Testing

/// `hailong report` as an operator runs it: on a year without a published snapshot it publishes one, makes the draft
/// and says so; it writes the DOCX and the printable HTML; bad options are refused with a message naming them.
@Suite struct ReportCLITests {
    let cli = CLITests()

    @Test func theReportCommandMakesTheDraftAndWritesItsFiles() async throws {
        try await withTestDatabaseURL { url in
            let steps: [[String]] = [
                ["agency", "add", "--code", "H31", "--name", "Tỉnh Hòa Bình", "--kind", "province"],
                ["agency", "add", "--code", "H31.STP", "--name", "Sở Tư pháp", "--parent", "H31"],
            ]
            for step in steps {
                let result = try cli.hailong(step, database: url)
                #expect(result.status == 0, "\(step): \(result.output)")
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-report-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let docx = directory.appendingPathComponent("bao-cao.docx").path
            let made = try cli.hailong(
                ["report", "--year", "2026", "--agency", "H31.STP", "--format", "docx", "--out", docx], database: url)
            #expect(made.status == 0, "\(made.output)")
            #expect(made.output.contains("made draft version 1 of the 2026 report of H31.STP"))
            #expect(made.output.contains("the year had no published snapshot: published H31 2026 version 1 for it"))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: docx))
            #expect(Array(bytes.prefix(2)) == Array("PK".utf8))
            // Again: the existing draft is written, nothing new is made or published.
            let html = directory.appendingPathComponent("bao-cao.html").path
            let again = try cli.hailong(
                ["report", "--year", "2026", "--agency", "H31.STP", "--format", "html", "--out", html], database: url)
            #expect(again.status == 0 && !again.output.contains("made draft"), "\(again.output)")
            let page = try String(contentsOfFile: html, encoding: .utf8)
            #expect(page.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && page.contains("Độc lập - Tự do - Hạnh phúc"))
            #expect(page.contains("Kính gửi: Sở Nội vụ") && page.contains("DỰ THẢO – phiên bản 1"))
            let counts = try await withClient(url) { client in
                (
                    try await scalar(client, "SELECT count(*) FROM publications"),
                    try await scalar(client, "SELECT count(*) FROM audit_log WHERE action = 'report.create' AND actor = 'cli'")
                )
            }
            #expect(counts.0 == 1 && counts.1 == 1)
            let consolidated = try cli.hailong(
                ["report", "--year", "2026", "--agency", "H31", "--format", "docx", "--out", docx, "--consolidated"], database: url)
            #expect(consolidated.status == 0, "\(consolidated.output)")
            #expect(consolidated.output.contains("snapshot version 1"), "the province's report cites the same snapshot")
            let wrongKind = try cli.hailong(
                ["report", "--year", "2026", "--agency", "H31.STP", "--format", "docx", "--out", docx, "--consolidated"], database: url)
            #expect(wrongKind.status != 0 && wrongKind.output.contains("not a province"), "\(wrongKind.output)")
            let badFormat = try cli.hailong(
                ["report", "--year", "2026", "--agency", "H31.STP", "--format", "odt", "--out", docx], database: url)
            #expect(badFormat.status != 0 && badFormat.output.contains("--format must be docx, pdf or html"))
        }
    }
}
