import Foundation
import HaiLongStore
import Testing
import ZIPFoundation

@testable import HaiLongWeb

#if canImport(FoundationXML)
    import FoundationXML  // XMLParser, on Linux
#endif

/// The XLSX export: the package parts, then a round trip through real readers (openpyxl; LibreOffice when installed)
/// that must give every value back with its type.
@Suite struct XLSXWriterTests {
    static let indices = XLSXSheet(
        name: "Chỉ số 2026-Q3",
        header: ["Mã cơ quan", "Tên cơ quan", "n", "Chỉ số", "Điểm PAR", "Ghi chú", "Hệ số"],
        rows: [
            [.text("000.00.17.H31"), .text("Sở Tư pháp"), .integer(120), .number(86.21), .number(9.578), .text("A&B <x>"), .number(0.5)],
            [.text("H31.X01"), .text("Xã Hòa Bình"), .integer(0), .empty, .number(0), .text("\"trích\" 'dẫn'"), .number(-1.25)],
            [
                .text("H31.X02"), .text("Phường Đồng Xoài"), .integer(1_234_567), .number(100), .integer(10),
                .text("dòng 1\ndòng 2\tcột"), .number(1_234_567.891),
            ],
            [.text("H31.X03"), .text("Ủy ban nhân dân\u{07} xã Ê Đê"), .integer(-3), .number(0.1), .empty, .text(" cách "), .empty],
        ],
        decimalColumns: [3, 4])
    static let officers = XLSXSheet(
        name: "Cán bộ [Q3/2026]: *?", header: ["Số hiệu", "Họ và tên"],
        rows: [[.text("B-0042"), .text("Lê Thị Hồng")], [.text("_x0041_"), .text("Nguyễn Văn Ánh")]])

    /// The text a reader should give back: the bell character is not allowed in XML and is dropped.
    static func expectedText(_ text: String) -> String { text.replacingOccurrences(of: "\u{07}", with: "") }

    static func workbookBytes() throws -> [UInt8] { try XLSXWriter.workbook([indices, officers]) }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    // MARK: The package

    @Test func writesTheWorkbookParts() throws {
        let bytes = try Self.workbookBytes()
        #expect(Array(bytes.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
        let archive = try Archive(data: Data(bytes), accessMode: .read)
        let paths = archive.map(\.path)
        #expect(
            paths == [
                "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
            ])
        func part(_ path: String) throws -> String {
            let entry = try #require(archive[path])
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return String(decoding: data, as: UTF8.self)
        }
        for path in paths {
            let text = try part(path)
            #expect(text.hasPrefix(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#), "\(path)")
            #expect(XMLParser(data: Data(text.utf8)).parse(), "\(path) is not well-formed XML")
        }
        #expect(archive.allSatisfy { $0.fileAttributes[.modificationDate] as? Date == XLSXWriter.fixedDate })

        let sheet = try part("xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"<c r="B2" t="inlineStr"><is><t>Sở Tư pháp</t></is></c>"#))
        #expect(sheet.contains(#"<c r="C2"><v>120</v></c><c r="D2" s="2"><v>86.21</v></c><c r="E2" s="2"><v>9.578</v></c>"#))
        #expect(sheet.contains(#"<c r="C3"><v>0</v></c><c r="E3" s="2"><v>0.0</v></c>"#), "the empty D3 is left out")
        #expect(sheet.contains("<t>A&amp;B &lt;x&gt;</t>"))
        #expect(sheet.contains("<t>&quot;trích&quot; &apos;dẫn&apos;</t>"))
        #expect(sheet.contains(#"<t xml:space="preserve"> cách </t>"#))
        #expect(sheet.contains(#"<c r="A1" s="1" t="inlineStr"><is><t>Mã cơ quan</t></is></c>"#))
        #expect(sheet.contains(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#))
        #expect(sheet.contains(#"<dimension ref="A1:G5"/>"#))
        #expect(!sheet.contains("\u{07}"))
        #expect(try part("xl/worksheets/sheet2.xml").contains("<t>_x005F_x0041_</t>"), "Excel would read _x0041_ as A")
        let workbook = try part("xl/workbook.xml")
        #expect(workbook.contains(#"<sheet name="Chỉ số 2026-Q3" sheetId="1" r:id="rId1"/>"#))
        #expect(workbook.contains(#"<sheet name="Cán bộ Q3 2026" sheetId="2" r:id="rId2"/>"#))
        let styles = try part("xl/styles.xml")
        #expect(styles.contains(#"<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#))
    }

    /// Two writes more than two seconds apart (a ZIP entry's time counts in steps of two seconds): a clock time or a
    /// random id anywhere in the package would make them differ.
    @Test func sameInputGivesTheSameBytes() async throws {
        let first = try Self.workbookBytes()
        try await Task.sleep(for: .milliseconds(2_100))
        let second = try Self.workbookBytes()
        #expect(first.count == second.count)
        let differing = zip(first, second).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(first == second, "the bytes differ first at offset \(differing ?? min(first.count, second.count))")
    }

    @Test func sheetNamesAreAcceptableToExcel() {
        let long = "Trung tâm Phục vụ hành chính công tỉnh Hòa Bình"
        let names = XLSXWriter.sheetNames(["a/b\\c?d*e:f[g]h", long, long, "", "'Sở'", "history", "A", "a"])
        #expect(names[0] == "a b c d e f g h")
        #expect(names[1] == "Trung tâm Phục vụ hành chính cô" && names[1].utf16.count == 31)
        #expect(names[2] == "Trung tâm Phục vụ hành chín (2)" && names[2].utf16.count == 31)
        #expect(names[3] == "Sheet4")
        #expect(names[4] == "Sở")
        #expect(names[5] == "history 1")
        #expect(names[6] == "A" && names[7] == "a (2)")
    }

    @Test func notFiniteNumbersAndNoSheetsAreErrors() {
        #expect(throws: XLSXError.noSheets) { try XLSXWriter.workbook([]) }
        let bad = XLSXSheet(name: "x", header: ["a"], rows: [[.number(1)], [.number(.nan)]])
        #expect(throws: XLSXError.nonFiniteNumber(sheet: "x", row: 1, column: 0)) { try XLSXWriter.workbook([bad]) }
    }

    @Test func columnNames() {
        #expect([0, 25, 26, 51, 52, 701, 702, 16_383].map(XLSXWriter.columnName) == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"])
    }

    // MARK: Real readers

    /// Whether Python's openpyxl can be imported, after one attempt to install it with pip.
    static func openpyxlAvailable() throws -> Bool {
        if try Subprocess.run("/usr/bin/env", ["python3", "-c", "import openpyxl"]).status == 0 { return true }
        _ = try Subprocess.run("/usr/bin/env", ["python3", "-m", "pip", "install", "--quiet", "openpyxl"])
        return try Subprocess.run("/usr/bin/env", ["python3", "-c", "import openpyxl"]).status == 0
    }

    /// What openpyxl reads from each sheet: its name, the frozen cell, and every cell with its Python type, its value
    /// (text, or `repr` of a number), its number format and whether its font is bold.
    static let openpyxlScript = #"""
        import json, sys, openpyxl
        workbook = openpyxl.load_workbook(sys.argv[1])
        sheets = []
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows():
                rows.append([{"type": type(c.value).__name__,
                              "value": c.value if isinstance(c.value, str) or c.value is None else repr(c.value),
                              "format": c.number_format, "bold": bool(c.font.b)} for c in row])
            sheets.append({"name": sheet.title, "frozen": sheet.freeze_panes, "rows": rows})
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            json.dump(sheets, out, ensure_ascii=False)
        """#

    struct ReadSheet: Decodable {
        struct Cell: Decodable {
            var type: String
            var value: String?
            var format: String
            var bold: Bool
        }
        var name: String
        var frozen: String?
        var rows: [[Cell]]
    }

    @Test(
        .disabled("openpyxl is missing (pip install openpyxl) and HAILONG_SKIP_BROWSER=1") {
            ProcessInfo.processInfo.environment["HAILONG_SKIP_BROWSER"] == "1" && (try? XLSXWriterTests.openpyxlAvailable()) != true
        })
    func roundTripsThroughOpenpyxl() throws {
        let missing =
            "Python's openpyxl is missing and `python3 -m pip install openpyxl` failed: install it (pip, or apt-get install "
            + "python3-openpyxl), or set HAILONG_SKIP_BROWSER=1 on a machine without the Python test tools"
        try #require(try Self.openpyxlAvailable(), Comment(rawValue: missing))
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let xlsx = directory.appendingPathComponent("indices.xlsx")
        let json = directory.appendingPathComponent("read.json")
        try Data(Self.workbookBytes()).write(to: xlsx)
        let run = try Subprocess.run("/usr/bin/env", ["python3", "-c", Self.openpyxlScript, xlsx.path, json.path])
        try #require(run.status == 0, "openpyxl could not read the workbook: \(run.output)")
        let read = try JSONDecoder().decode([ReadSheet].self, from: Data(contentsOf: json))

        try #require(read.count == 2)
        #expect(read.map(\.name) == ["Chỉ số 2026-Q3", "Cán bộ Q3 2026"])
        for (sheet, written) in zip(read, [Self.indices, Self.officers]) {
            #expect(sheet.frozen == "A2")
            try #require(sheet.rows.count == written.rows.count + 1, "\(sheet.name)")
            #expect(sheet.rows[0].map(\.value) == written.header, "\(sheet.name)")
            #expect(sheet.rows[0].allSatisfy { $0.bold && $0.type == "str" })
            for (rowIndex, row) in written.rows.enumerated() {
                let cells = sheet.rows[rowIndex + 1]
                try #require(cells.count >= row.count)
                for (column, cell) in row.enumerated() {
                    let got = cells[column]
                    let place = "\(sheet.name) row \(rowIndex + 2) column \(column + 1)"
                    #expect(!got.bold, "\(place)")
                    switch cell {
                    case .text(let text):
                        // openpyxl, unlike Excel and LibreOffice, does not decode the `_xHHHH_` escapes: it shows the escape.
                        let expected = text == "_x0041_" ? "_x005F_x0041_" : Self.expectedText(text)
                        #expect(got.type == "str" && got.value == expected, "\(place): \(got)")
                    case .integer(let value):
                        #expect(got.type == "int" && got.value == String(value), "\(place): \(got)")
                    case .number(let value):
                        #expect(got.type == "float" && got.value.flatMap(Double.init) == value, "\(place): \(got)")
                    case .empty:
                        #expect(got.type == "NoneType", "\(place): \(got)")
                    }
                    switch cell {
                    case .number, .integer:
                        #expect(got.format == (written.decimalColumns.contains(column) ? "0.00" : "General"), "\(place): \(got)")
                    case .text, .empty: break
                    }
                }
            }
        }
    }

    /// LibreOffice, when installed (it is too large to install for a test).
    static func libreOffice() -> String? {
        for name in ["libreoffice", "soffice"] {
            if let found = try? Subprocess.run("/bin/sh", ["-c", "command -v \(name)"]), found.status == 0 {
                return found.output.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return nil
    }

    @Test(.enabled(if: XLSXWriterTests.libreOffice() != nil, "LibreOffice is not installed"))
    func convertsWithLibreOffice() throws {
        let office = try #require(Self.libreOffice())
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let xlsx = directory.appendingPathComponent("indices.xlsx")
        try Data(Self.workbookBytes()).write(to: xlsx)
        // Its own profile directory, so a running LibreOffice or a parallel test cannot lock the conversion out.
        let run = try Subprocess.run(
            office,
            [
                "-env:UserInstallation=file://\(directory.path)/profile", "--headless", "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", directory.path, xlsx.path,
            ])
        let csv = directory.appendingPathComponent("indices.csv")
        try #require(FileManager.default.fileExists(atPath: csv.path), "LibreOffice did not convert: \(run.output)")
        let rows = Self.parseCSV(try String(contentsOf: csv, encoding: .utf8))
        // LibreOffice writes the first sheet as displayed: decimal columns with two decimals, other numbers as General.
        try #require(rows.count == Self.indices.rows.count + 1, "\(rows)")
        #expect(rows[0] == Self.indices.header)
        for (rowIndex, row) in Self.indices.rows.enumerated() {
            let fields = rows[rowIndex + 1]
            for (column, cell) in row.enumerated() {
                let field = column < fields.count ? fields[column] : ""
                let place = "row \(rowIndex + 2) column \(column + 1): '\(field)'"
                let decimals = Self.indices.decimalColumns.contains(column)
                switch cell {
                case .text(let text): #expect(field == Self.expectedText(text), "\(place)")
                case .integer(let value):
                    #expect(field == (decimals ? String(format: "%.2f", Double(value)) : String(value)), "\(place)")
                case .number(let value):
                    if decimals {
                        #expect(field == String(format: "%.2f", value), "\(place)")
                    } else {
                        #expect(Double(field) == value, "\(place)")
                    }
                case .empty: #expect(field.isEmpty, "\(place)")
                }
            }
        }
    }

    /// RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = text.replacingOccurrences(of: "\r\n", with: "\n").makeIterator()
        while let character = characters.next() {
            if quoted {
                if character == "\"" {
                    guard let next = characters.next() else {
                        quoted = false
                        break
                    }
                    if next == "\"" {
                        field.append("\"")
                        continue
                    }
                    quoted = false
                    if next == "," {
                        row.append(field)
                        field = ""
                    } else if next == "\n" {
                        rows.append(row + [field])
                        row = []
                        field = ""
                    } else {
                        field.append(next)
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" {
                rows.append(row + [field])
                row = []
                field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { rows.append(row + [field]) }
        return rows
    }
}
