import Foundation

/// The layout as a DOCX: Times New Roman 14 pt on A4 with Decree 30's margins (top and bottom 20 mm, left 30 mm,
/// right 15 mm); the heading as a borderless two-column table, as offices type it.
extension ReportLayout {
    func docx() throws -> [UInt8] {
        try DOCXWriter.document(docxBlocks(), page: DOCXPage(), title: "\(title) \(summary)")
    }

    func docxBlocks() -> [DOCXBlock] {
        func line(_ text: String, bold: Bool = false, italic: Bool = false, size: Double? = nil, after: Double = 0) -> DOCXParagraph {
            DOCXParagraph([DOCXRun(text: text, bold: bold, italic: italic, size: size)], alignment: .center, spaceAfter: after)
        }
        var left: [DOCXParagraph] = []
        if let superior { left.append(line(superior, size: 13)) }
        left.append(line(issuer, bold: true, size: 13))
        left.append(line("———————", size: 13, after: 6))
        left.append(line(number, size: 13))
        let right = [
            line(Self.nationalTitle, bold: true, size: 12), line(Self.motto, bold: true, size: 14),
            line("———————————————", size: 13, after: 6), line(placeDate, italic: true, size: 14),
        ]
        var blocks: [DOCXBlock] = [.table(DOCXTable(rows: [[left, right]], widths: [62, 103], borders: false, headerRows: 0))]
        blocks.append(.paragraph(DOCXParagraph([DOCXRun(text: title, bold: true)], alignment: .center, spaceBefore: 18, spaceAfter: 0)))
        blocks.append(.paragraph(DOCXParagraph([DOCXRun(text: summary, bold: true)], alignment: .center, spaceAfter: 12)))
        if let addressee { blocks.append(.paragraph(DOCXParagraph([DOCXRun(text: addressee)], alignment: .center, spaceAfter: 12))) }
        for block in self.blocks {
            switch block {
            case .heading(let text):
                blocks.append(
                    .paragraph(
                        DOCXParagraph(
                            [DOCXRun(text: text, bold: true)], spaceBefore: 6, spaceAfter: 6, firstLineIndent: 10, keepWithNext: true)))
            case .subheading(let text):
                blocks.append(
                    .paragraph(
                        DOCXParagraph(
                            [DOCXRun(text: text, bold: true, italic: true)], spaceBefore: 3, spaceAfter: 6, firstLineIndent: 10,
                            keepWithNext: true)))
            case .paragraph(let text):
                blocks.append(.paragraph(DOCXParagraph([DOCXRun(text: text)], firstLineIndent: 10)))
            case .placeholder(let text):
                blocks.append(.paragraph(DOCXParagraph([DOCXRun(text: text, italic: true)], firstLineIndent: 10)))
            case .table(let header, let rows, let widths):
                func cell(_ text: String, bold: Bool, numeric: Bool) -> [DOCXParagraph] {
                    [DOCXParagraph([DOCXRun(text: text, bold: bold, size: 13)], alignment: numeric ? .right : .left, spaceAfter: 0)]
                }
                let body = rows.map { row in
                    row.map { text in cell(text, bold: false, numeric: Self.looksNumeric(text)) }
                }
                let head = header.map { [DOCXParagraph([DOCXRun(text: $0, bold: true, size: 13)], alignment: .center, spaceAfter: 0)] }
                blocks.append(.table(DOCXTable(rows: [head] + body, widths: widths, borders: true, headerRows: 1)))
                blocks.append(.paragraph(DOCXParagraph([], spaceAfter: 6)))
            }
        }
        blocks.append(.paragraph(DOCXParagraph([DOCXRun(text: trace, italic: true, size: 11)], spaceBefore: 6, spaceAfter: 12)))
        let recipientsCell =
            [DOCXParagraph([DOCXRun(text: "Nơi nhận:", bold: true, italic: true, size: 12)], alignment: .left, spaceAfter: 0)]
            + recipients.map { DOCXParagraph([DOCXRun(text: "- " + $0, size: 11)], alignment: .left, spaceAfter: 0) }
        let signer = [
            line(signerTitle, bold: true, size: 14), line(signerNote, italic: true, size: 13, after: 60),
            line(signerName, bold: true, size: 14),
        ]
        blocks.append(.table(DOCXTable(rows: [[recipientsCell, signer]], widths: [80, 85], borders: false, headerRows: 0)))
        return blocks
    }

    static func looksNumeric(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isNumber || ",.%– +-".contains($0) }
    }
}
