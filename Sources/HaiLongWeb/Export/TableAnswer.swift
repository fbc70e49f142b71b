import Foundation
import Hummingbird

/// A table of figures as a download: CSV (UTF-8 with a BOM, CRLF, cells that a spreadsheet would run as a formula
/// quoted with `'`) or XLSX (a bold, frozen header; decimals shown with two places).
enum TableAnswer {
    static func csv(header: [String], rows: [[XLSXCell]], filename: String) -> FixedResponse {
        var lines = [header.map(IndicesDocument.csvField).joined(separator: ",")]
        for row in rows {
            lines.append(row.map { IndicesDocument.csvField($0.csvText) }.joined(separator: ","))
        }
        let text = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        return FixedResponse(
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(filename).csv\"",
            ],
            body: ByteBuffer(string: text))
    }

    static func xlsx(header: [String], rows: [[XLSXCell]], filename: String, sheet: String) throws -> FixedResponse {
        let numeric = Set(header.indices.filter { index in rows.contains { if case .number = $0[index] { true } else { false } } })
        let bytes = try XLSXWriter.workbook([XLSXSheet(name: sheet, header: header, rows: rows, decimalColumns: numeric)])
        return FixedResponse(
            headers: [
                .contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(filename).xlsx\"",
            ],
            body: ByteBuffer(bytes: bytes))
    }

    /// JSON with sorted keys, as every API answer.
    static func json(_ value: some Encodable) throws -> FixedResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return json(ByteBuffer(data: try encoder.encode(value)))
    }

    /// A JSON answer of `body`, written by JSONEncoder or by a document's own writer (the same bytes).
    static func json(_ body: ByteBuffer) -> FixedResponse {
        FixedResponse(headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"], body: body)
    }
}

/// A figures document the API serves as JSON, or as the table it makes as CSV or XLSX.
protocol TableDocument: Encodable {
    func table(vietnamese: Bool) -> (header: [String], rows: [[XLSXCell]])
    /// The JSON answer: `TableAnswer.json` unless the document writes its own (the same bytes, faster).
    func jsonAnswer() throws -> FixedResponse
    /// The download's name, without the extension.
    var filename: String { get }
    /// The XLSX tab's name.
    var sheet: String { get }
}

extension TableDocument {
    func answer(format: String, vietnamese: Bool) throws -> FixedResponse {
        switch format {
        case "csv":
            let (header, rows) = table(vietnamese: vietnamese)
            return TableAnswer.csv(header: header, rows: rows, filename: filename)
        case "xlsx":
            let (header, rows) = table(vietnamese: vietnamese)
            return try TableAnswer.xlsx(header: header, rows: rows, filename: filename, sheet: sheet)
        default: return try jsonAnswer()
        }
    }

    func jsonAnswer() throws -> FixedResponse { try TableAnswer.json(self) }
}
