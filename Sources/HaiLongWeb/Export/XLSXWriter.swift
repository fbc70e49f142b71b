import Foundation
import ZIPFoundation

/// One cell of an XLSX worksheet. Numbers are written as numbers, so a spreadsheet can sum and sort them.
public enum XLSXCell: Sendable, Hashable {
    case text(String)
    case number(Double)
    case integer(Int)
    case empty
}

/// One worksheet: a bold, frozen header row and the rows below it.
public struct XLSXSheet: Sendable {
    /// The tab name; `XLSXWriter` makes it acceptable to Excel (≤ 31 characters, none of `[]:*?/\`, unique).
    public var name: String
    /// The header row; empty for a sheet without one.
    public var header: [String]
    public var rows: [[XLSXCell]]
    /// Zero-based columns whose numbers are shown with two decimals (`0.00`); the stored value keeps full precision.
    public var decimalColumns: Set<Int>

    public init(name: String, header: [String], rows: [[XLSXCell]], decimalColumns: Set<Int> = []) {
        self.name = name
        self.header = header
        self.rows = rows
        self.decimalColumns = decimalColumns
    }
}

/// A workbook that cannot be written.
public enum XLSXError: Error, Equatable, CustomStringConvertible {
    case noSheets
    /// NaN and infinities have no representation in a worksheet; a figure that is not known should be `.empty`.
    case nonFiniteNumber(sheet: String, row: Int, column: Int)
    case tooLarge(sheet: String)

    public var description: String {
        switch self {
        case .noSheets: "an XLSX workbook needs at least one sheet"
        case .nonFiniteNumber(let sheet, let row, let column):
            "sheet '\(sheet)', row \(row + 1), column \(column + 1): a number that is not finite cannot be written to XLSX"
        case .tooLarge(let sheet): "sheet '\(sheet)' exceeds Excel's 1,048,576 rows or 16,384 columns"
        }
    }
}

/// Writes a minimal Office Open XML (SpreadsheetML) workbook in memory: the content types, the package and workbook
/// relationships, `xl/workbook.xml`, `xl/styles.xml` and one `xl/worksheets/sheetN.xml` per sheet.
///
/// Text goes in as inline strings, so the parts can be written one sheet at a time without a shared-string table.
/// The output depends on the input only (entries carry a fixed timestamp), so the export of a published snapshot
/// hashes to the same value every time it is made by the same build.
public enum XLSXWriter {
    public static func workbook(_ sheets: [XLSXSheet]) throws -> [UInt8] {
        guard !sheets.isEmpty else { throw XLSXError.noSheets }
        let names = sheetNames(sheets.map(\.name))
        var parts: [(path: String, xml: String)] = [
            ("[Content_Types].xml", contentTypes(sheetCount: sheets.count)),
            ("_rels/.rels", packageRelationships),
            ("xl/workbook.xml", workbookXML(names)),
            ("xl/_rels/workbook.xml.rels", workbookRelationships(sheetCount: sheets.count)),
            ("xl/styles.xml", styles),
        ]
        for (index, sheet) in sheets.enumerated() {
            parts.append(("xl/worksheets/sheet\(index + 1).xml", try worksheet(sheet, selected: index == 0)))
        }
        let archive = try Archive(accessMode: .create)
        for part in parts {
            let data = Data(part.xml.utf8)
            try archive.addEntry(
                with: part.path, type: .file, uncompressedSize: Int64(data.count), modificationDate: fixedDate,
                compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return [UInt8](archive.data ?? Data())
    }

    /// 1980-01-01 00:00:00 UTC, the earliest time a ZIP entry can carry.
    static let fixedDate = Date(timeIntervalSince1970: 315_532_800)

    /// Style indexes into `cellXfs` of `styles`.
    enum Style: Int {
        case plain = 0
        case header = 1
        case twoDecimals = 2
    }

    // MARK: Worksheet

    static func worksheet(_ sheet: XLSXSheet, selected: Bool) throws -> String {
        let hasHeader = !sheet.header.isEmpty
        let rowCount = sheet.rows.count + (hasHeader ? 1 : 0)
        let columnCount = max(sheet.header.count, sheet.rows.map(\.count).max() ?? 0)
        guard rowCount <= 1_048_576, columnCount <= 16_384 else { throw XLSXError.tooLarge(sheet: sheet.name) }

        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        if rowCount > 0 && columnCount > 0 {
            xml += #"<dimension ref="A1:\#(columnName(columnCount - 1))\#(rowCount)"/>"#
        }
        xml += #"<sheetViews><sheetView "# + (selected ? #"tabSelected="1" "# : "") + #"workbookViewId="0">"#
        if hasHeader {
            xml += #"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            xml += #"<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>"#
        }
        xml += "</sheetView></sheetViews>"
        xml += #"<sheetFormatPr defaultRowHeight="15"/>"#
        if columnCount > 0 {
            xml += "<cols>"
            for (column, width) in columnWidths(sheet, columnCount: columnCount).enumerated() {
                xml += #"<col min="\#(column + 1)" max="\#(column + 1)" width="\#(width)" customWidth="1"/>"#
            }
            xml += "</cols>"
        }
        xml += "<sheetData>"
        var rowNumber = 0
        if hasHeader {
            rowNumber += 1
            xml += #"<row r="1">"#
            for (column, title) in sheet.header.enumerated() {
                xml += textCell(title, reference: "\(columnName(column))1", style: .header)
            }
            xml += "</row>"
        }
        for (rowIndex, row) in sheet.rows.enumerated() {
            rowNumber += 1
            xml += #"<row r="\#(rowNumber)">"#
            for (column, cell) in row.enumerated() {
                let reference = "\(columnName(column))\(rowNumber)"
                let numberStyle: Style = sheet.decimalColumns.contains(column) ? .twoDecimals : .plain
                switch cell {
                case .text(let text): xml += textCell(text, reference: reference, style: .plain)
                case .integer(let value): xml += numberCell(String(value), reference: reference, style: numberStyle)
                case .number(let value):
                    guard value.isFinite else {
                        throw XLSXError.nonFiniteNumber(sheet: sheet.name, row: rowIndex, column: column)
                    }
                    // `description` is the shortest text that reads back as the same Double, in xsd:double syntax.
                    xml += numberCell(value.description, reference: reference, style: numberStyle)
                case .empty: break
                }
            }
            xml += "</row>"
        }
        xml += "</sheetData>"
        xml += #"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#
        xml += "</worksheet>"
        return xml
    }

    static func textCell(_ text: String, reference: String, style: Style) -> String {
        let escaped = escapeText(text)
        let space = escaped.first?.isWhitespace == true || escaped.last?.isWhitespace == true ? #" xml:space="preserve""# : ""
        return #"<c r="\#(reference)"\#(styleAttribute(style)) t="inlineStr"><is><t\#(space)>\#(escaped)</t></is></c>"#
    }

    static func numberCell(_ value: String, reference: String, style: Style) -> String {
        #"<c r="\#(reference)"\#(styleAttribute(style))><v>\#(value)</v></c>"#
    }

    static func styleAttribute(_ style: Style) -> String {
        style == .plain ? "" : #" s="\#(style.rawValue)""#
    }

    /// Widths in characters: the longest value shown in the column, plus a margin, between 8 and 60.
    static func columnWidths(_ sheet: XLSXSheet, columnCount: Int) -> [Int] {
        var longest = [Int](repeating: 0, count: columnCount)
        for (column, title) in sheet.header.enumerated() {
            longest[column] = max(longest[column], title.count + 2)  // bold text is wider
        }
        for row in sheet.rows {
            for (column, cell) in row.enumerated() {
                let shown: Int
                switch cell {
                case .text(let text): shown = text.split(separator: "\n").map(\.count).max() ?? 0
                case .integer(let value): shown = String(value).count
                case .number(let value):
                    shown = sheet.decimalColumns.contains(column) ? String(format: "%.2f", value).count : value.description.count
                case .empty: shown = 0
                }
                longest[column] = max(longest[column], shown)
            }
        }
        return longest.map { min(60, max(8, $0 + 2)) }
    }

    /// `A`, `B`, …, `Z`, `AA`, … for a zero-based column.
    static func columnName(_ column: Int) -> String {
        var name = ""
        var number = column + 1
        while number > 0 {
            let remainder = (number - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            number = (number - 1) / 26
        }
        return name
    }

    // MARK: Text

    /// Escapes text for XML character data or an attribute value. Characters XML 1.0 cannot carry (C0 controls other
    /// than tab, line feed and carriage return; U+FFFE, U+FFFF) are dropped; a carriage return is written as a
    /// reference so XML parsing keeps it. An underscore that starts `_xHHHH_` is itself escaped as `_x005F_`,
    /// because Excel reads `_xHHHH_` in a string as the character U+HHHH.
    static func escapeText(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\r": result += "&#13;"
            case "_" where startsExcelEscape(scalars[index...]): result += "_x005F_"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: break
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether `scalars` begins with `_xHHHH_` (H a hexadecimal digit).
    static func startsExcelEscape(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
        let candidate = scalars.prefix(7)
        guard candidate.count == 7, candidate[candidate.startIndex + 1] == "x", candidate.last == "_" else { return false }
        return candidate.dropFirst(2).dropLast().allSatisfy { $0.properties.isASCIIHexDigit }
    }

    /// Tab names Excel accepts: the characters `[]:*?/\` become spaces and controls go, runs of white space become one
    /// space, no leading or trailing apostrophe, at most 31 UTF-16 units, not empty, not the reserved "History",
    /// unique regardless of case.
    static func sheetNames(_ requested: [String]) -> [String] {
        var used = Set<String>()
        var names: [String] = []
        for (index, name) in requested.enumerated() {
            var base = String(
                String.UnicodeScalarView(
                    name.unicodeScalars.compactMap { scalar -> Unicode.Scalar? in
                        if "[]:*?/\\".unicodeScalars.contains(scalar) { return " " }
                        return scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF ? nil : scalar
                    }))
            base = base.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                .trimmingCharacters(in: CharacterSet(charactersIn: "' "))
            if base.isEmpty || base.lowercased() == "history" { base = base.isEmpty ? "Sheet\(index + 1)" : base + " 1" }
            var candidate = truncated(base, to: 31)
            var suffix = 2
            while used.contains(candidate.lowercased()) {
                let tail = " (\(suffix))"
                candidate = truncated(base, to: 31 - tail.utf16.count) + tail
                suffix += 1
            }
            used.insert(candidate.lowercased())
            names.append(candidate)
        }
        return names
    }

    /// The longest prefix of whole characters that fits in `limit` UTF-16 units (Excel counts those).
    static func truncated(_ text: String, to limit: Int) -> String {
        var result = ""
        for character in text {
            guard result.utf16.count + character.utf16.count <= limit else { break }
            result.append(character)
        }
        return result.trimmingCharacters(in: CharacterSet(charactersIn: "' "))
    }

    // MARK: Package parts

    static func contentTypes(sheetCount: Int) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        xml += #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        xml += #"<Default Extension="xml" ContentType="application/xml"/>"#
        xml += #"<Override PartName="/xl/workbook.xml" "#
        xml += #"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
        for index in 1...sheetCount {
            xml += #"<Override PartName="/xl/worksheets/sheet\#(index).xml" "#
            xml += #"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        xml += #"<Override PartName="/xl/styles.xml" "#
        xml += #"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        xml += "</Types>"
        return xml
    }

    static let packageRelationships =
        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rId1" "#
        + #"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" "#
        + #"Target="xl/workbook.xml"/>"#
        + "</Relationships>"

    static func workbookXML(_ names: [String]) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#
        xml += #"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        xml += #"<bookViews><workbookView activeTab="0"/></bookViews><sheets>"#
        for (index, name) in names.enumerated() {
            xml += #"<sheet name="\#(escapeText(name))" sheetId="\#(index + 1)" r:id="rId\#(index + 1)"/>"#
        }
        xml += "</sheets></workbook>"
        return xml
    }

    static func workbookRelationships(sheetCount: Int) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        for index in 1...sheetCount {
            xml += #"<Relationship Id="rId\#(index)" "#
            xml += #"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" "#
            xml += #"Target="worksheets/sheet\#(index).xml"/>"#
        }
        xml += #"<Relationship Id="rId\#(sheetCount + 1)" "#
        xml += #"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        xml += "</Relationships>"
        return xml
    }

    /// Cell formats, in `Style` order: plain; bold (the header); two decimals (built-in number format 2, `0.00`).
    static let styles =
        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        + #"<fonts count="2">"#
        + #"<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#
        + #"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#
        + "</fonts>"
        + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
        + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
        + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        + #"<cellXfs count="3">"#
        + #"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        + #"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
        + #"<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
        + "</cellXfs>"
        + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
        + "</styleSheet>"
}
