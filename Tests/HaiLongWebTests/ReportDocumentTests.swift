import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import Testing
import ZIPFoundation

@testable import HaiLongWeb

#if canImport(FoundationXML)
    import FoundationXML  // XMLParser, on Linux
#endif

/// The yearly report as documents, read back by real readers: the DOCX by python-docx (Decree 30's heading, the
/// document type, page setup and font, every child agency with its index exactly as the published snapshot has it in
/// Vietnamese notation, the snapshot's version and hash), the PDF printed by headless Chromium by pypdf (the same
/// figures). Missing readers fail the test (CI installs them) unless `HAILONG_SKIP_BROWSER=1`.
@Suite struct ReportDocumentTests {
    static var skipping: Bool { ProcessInfo.processInfo.environment["HAILONG_SKIP_BROWSER"] == "1" }

    /// Whether Python can import `module`, after one attempt to install `package` with pip.
    static func python(_ module: String, _ package: String) throws -> Bool {
        if try Subprocess.run("/usr/bin/env", ["python3", "-c", "import \(module)"]).status == 0 { return true }
        _ = try Subprocess.run("/usr/bin/env", ["python3", "-m", "pip", "install", "--quiet", package])
        return try Subprocess.run("/usr/bin/env", ["python3", "-c", "import \(module)"]).status == 0
    }

    /// What python-docx reads: every paragraph's text (in the body and in table cells, NFC), the tables' rows, the
    /// first section's page size and margins in millimetres, and the Normal style's font.
    static let docxScript = #"""
        import json, sys, unicodedata, docx
        document = docx.Document(sys.argv[1])
        nfc = lambda text: unicodedata.normalize("NFC", text)
        texts = [nfc(p.text) for p in document.paragraphs]
        tables = []
        for table in document.tables:
            tables.append([[nfc(cell.text) for cell in row.cells] for row in table.rows])
            for row in table.rows:
                for cell in row.cells:
                    texts.extend(nfc(p.text) for p in cell.paragraphs)
        section = document.sections[0]
        mm = lambda length: round(length.mm, 1)
        normal = document.styles["Normal"].font
        out = {"texts": texts, "tables": tables, "page": [mm(section.page_width), mm(section.page_height)],
               "margins": [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)],
               "font": normal.name, "size": normal.size.pt if normal.size else None}
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False)
        """#

    struct ReadDOCX: Decodable {
        var texts: [String]
        var tables: [[[String]]]
        var page: [Double]
        var margins: [Double]
        var font: String?
        var size: Double?
    }

    static let pdfScript = #"""
        import sys, unicodedata, pypdf
        reader = pypdf.PdfReader(sys.argv[1])
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        mediabox = reader.pages[0].mediabox
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write("%d %d\n" % (round(float(mediabox.width)), round(float(mediabox.height))))
            f.write(unicodedata.normalize("NFC", text))
        """#

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// The province's published snapshot of the seeded year, and the consolidated and P.A reports made from it (P.A's
    /// accepted, so the consolidated report lists it so).
    static func prepare(_ app: AppHarness) async throws -> (publication: Publication, year: Int) {
        try await ReportWorkflowTests.seed(app)
        let year = ReportWorkflowTests.year
        let indices = PostgresIndexStore(client: app.db, logger: TestDatabase.logger)
        let query = IndicesQuery(
            period: try Period.parse(String(year)), agency: app.fixture.province, depth: .all,
            questionnaire: try #require(try await indices.questionnaire(code: "kiosk-3")),
            methodology: try await indices.defaultMethodology())
        let publication = try await IndicesReport(indices: indices, timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh")!)
            .publish(query, by: "test")
        let reports = ReportWorkflowTests.reports(app)
        let agency = app.fixture.agencyA
        _ = try await reports.makeDraft(agency: agency, year: year, kind: .agency, by: "test", within: nil)
        _ = try await reports.saveNarrative(
            ReportNarrative(results: "Sở đã niêm yết “4 xin, 4 luôn”. Hộp thư góp ý: office-file-flow."), agency: agency, year: year,
            kind: .agency, by: "test", within: nil)
        _ = try await reports.store.submit(agency: agency, year: year, kind: .agency, by: "test", within: nil)
        _ = try await reports.store.decide(
            agency: agency, year: year, kind: .agency, status: .accepted, comment: "", by: "snv", within: nil)
        _ = try await reports.makeDraft(agency: app.fixture.province, year: year, kind: .consolidated, by: "snv", within: nil)
        return (publication, year)
    }

    /// Each agency of the snapshot: its name and its index as the document must print it.
    static func snapshotIndices(_ publication: Publication) throws -> [String: String] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(publication.document.utf8)) as? [String: Any])
        var indices: [String: String] = [:]
        for item in document["items"] as? [[String: Any]] ?? [] {
            indices[item["name"] as? String ?? ""] = VietnameseNumber.decimal(item["index"] as? Double)
        }
        return indices
    }

    @Test(
        .disabled("python-docx is missing and HAILONG_SKIP_BROWSER=1") {
            ReportDocumentTests.skipping && (try? ReportDocumentTests.python("docx", "python-docx")) != true
        })
    func theDOCXFollowsDecree30AndCarriesTheSnapshotsFigures() async throws {
        try #require(
            try Self.python("docx", "python-docx"),
            "python-docx is missing and `python3 -m pip install python-docx` failed (or set HAILONG_SKIP_BROWSER=1)")
        try await AppHarness.run { app, client in
            let (publication, year) = try await Self.prepare(app)
            let answer = try await client.execute(
                uri: "/api/v1/reports?year=\(year)&agency=P&format=docx", method: .get, headers: [.authorization: "Bearer \(app.parToken)"])
            #expect(answer.status == .ok)
            #expect(answer.headers[HTTPField.Name("X-HaiLong-Snapshot-SHA256")!] == publication.contentHash)
            let bytes = Data(buffer: answer.body)
            // Every part is well-formed XML.
            let archive = try Archive(data: bytes, accessMode: .read)
            for entry in archive {
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }
                #expect(XMLParser(data: data).parse(), "\(entry.path) is not well-formed XML")
            }
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("report.docx")
            let json = directory.appendingPathComponent("read.json")
            try bytes.write(to: file)
            let run = try Subprocess.run("/usr/bin/env", ["python3", "-c", Self.docxScript, file.path, json.path])
            try #require(run.status == 0, "python-docx could not read the report: \(run.output)")
            let read = try JSONDecoder().decode(ReadDOCX.self, from: Data(contentsOf: json))

            #expect(read.page == [210, 297], "A4")
            #expect(read.margins == [20, 20, 30, 15], "top, bottom, left, right")
            #expect(read.font == "Times New Roman" && read.size == 14)
            let texts = read.texts
            for expected in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "Số: …/BC-UBND", "UBND TỈNH THỬ NGHIỆM",
                "Thử nghiệm, ngày … tháng … năm …", "Nơi nhận:", "- Lưu: VT.", "(Ký, ghi rõ họ tên, đóng dấu)",
            ] {
                #expect(texts.contains(expected), "\(expected)")
            }
            #expect(texts.contains { $0.hasPrefix("Tổng hợp kết quả thực hiện văn hóa công vụ") && $0.hasSuffix("năm \(year)") })
            #expect(texts.contains { $0.hasPrefix("I. KẾT QUẢ ĐO LƯỜNG") } && texts.contains("VII. ĐỀ XUẤT, KIẾN NGHỊ"))
            let trace = try #require(texts.first { $0.hasPrefix("Số liệu lấy từ bản công bố") })
            #expect(trace.contains("phiên bản \(publication.version), SHA-256 \(publication.contentHash)"))
            // Every child agency, with its index exactly as published, in Vietnamese notation.
            let published = try Self.snapshotIndices(publication)
            #expect(published["Sở Tư pháp"] == "80,00" && published["Xã Hòa Bình"] == "100,00")
            let children = try #require(read.tables.first { $0.first?.contains("Khoảng tin cậy 95 %") == true })
            for name in ["Sở Tư pháp", "Xã Hòa Bình"] {
                let row = try #require(children.first { $0.count > 3 && $0[1] == name }, "\(name)")
                #expect(row[3] == published[name], "\(name)")
            }
            #expect(
                texts.contains {
                    $0.contains("nhận được 8 phiếu đánh giá hợp lệ; chỉ số hài lòng đạt \(published["Tỉnh Thử nghiệm"] ?? "?") %")
                })
            // The agencies' reports: P.A accepted, P.B not started; the narrative composed from the accepted one.
            let statuses = try #require(read.tables.first { $0.first?.last == "Báo cáo" })
            #expect(statuses.contains { $0.count == 5 && $0[1] == "Sở Tư pháp" && $0[4] == "Đã tiếp nhận (v1)" })
            #expect(statuses.contains { $0.count == 5 && $0[1] == "Xã Hòa Bình" && $0[4] == "Chưa lập" })
            #expect(texts.contains("Sở Tư pháp: Sở đã niêm yết “4 xin, 4 luôn”. Hộp thư góp ý: office-file-flow."))
            // The printable HTML of the same version: the same heading, no superior body above the province, no "nil".
            let html = try await client.execute(
                uri: "/api/v1/reports?year=\(year)&agency=P&format=html", method: .get, headers: [.authorization: "Bearer \(app.parToken)"])
            #expect(html.text.contains("<p class=\"bold\">UBND TỈNH THỬ NGHIỆM</p>") && html.text.contains("Kính gửi: Bộ Nội vụ"))
            #expect(!html.text.printsNil && html.text.contains("DỰ THẢO – phiên bản 1"))
            #expect(html.text.contains("<td class=\"numeric\">\(published["Xã Hòa Bình"] ?? "?")</td>"))
        }
    }

    @Test(
        .disabled("pypdf or Chromium is missing and HAILONG_SKIP_BROWSER=1") {
            ReportDocumentTests.skipping && ((try? ReportDocumentTests.python("pypdf", "pypdf")) != true || ReportPDF().chromium == nil)
        })
    func thePDFIsPrintedByChromiumWithTheSameFigures() async throws {
        try #require(try Self.python("pypdf", "pypdf"), "pypdf is missing and `python3 -m pip install pypdf` failed")
        try #require(ReportPDF().chromium != nil, "Chromium is missing (apt-get install chromium, or set HAILONG_CHROMIUM)")
        try await AppHarness.run { app, client in
            let (publication, year) = try await Self.prepare(app)
            // Two at once: they take turns at the one browser, and both are printed.
            async let province = client.execute(
                uri: "/api/v1/reports?year=\(year)&agency=P&format=pdf", method: .get, headers: [.authorization: "Bearer \(app.parToken)"])
            async let department = client.execute(
                uri: "/api/v1/reports?year=\(year)&agency=P.A&format=pdf", method: .get, headers: [.authorization: "Bearer \(app.parToken)"]
            )
            let (answer, other) = try await (province, department)
            #expect(other.status == .ok && Array(other.body.readableBytesView.prefix(4)) == Array("%PDF".utf8))
            try #require(answer.status == .ok, "\(answer.text)")
            #expect(answer.headers[.contentType] == "application/pdf")
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("report.pdf")
            let text = directory.appendingPathComponent("report.txt")
            try Data(buffer: answer.body).write(to: file)
            let run = try Subprocess.run("/usr/bin/env", ["python3", "-c", Self.pdfScript, file.path, text.path])
            try #require(run.status == 0, "pypdf could not read the report: \(run.output)")
            let read = try String(contentsOf: text, encoding: .utf8)
            #expect(read.hasPrefix("595 842\n"), "A4 in points")
            let flat = read.filter { !$0.isWhitespace }
            for expected in ["CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM", "BÁOCÁO", "SởTưpháp", "XãHòaBình", "80,00", "100,00"] {
                #expect(flat.contains(expected), "\(expected)")
            }
            let published = try Self.snapshotIndices(publication)
            #expect(flat.contains("chỉsốhàilòngđạt\(published["Tỉnh Thử nghiệm"] ?? "?")%"))
            #expect(flat.contains("phiênbản\(publication.version),SHA-256\(publication.contentHash)"))
            // Copied from the PDF, text is the letters typed: no ligature stands for "ff", "fi" or "fl" (a hash with
            // "ff" in it was not found in the PDF's text).
            #expect(flat.contains("office-file-flow"))
            #expect(!read.unicodeScalars.contains { (0xFB00...0xFB06).contains($0.value) }, "a ligature in the PDF's text")
        }
    }
}
