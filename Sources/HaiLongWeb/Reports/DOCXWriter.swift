import Foundation
import ZIPFoundation

/// A run of text with its own formatting; `size` in points (nil: the document's size).
struct DOCXRun: Sendable {
    var text: String
    var bold = false
    var italic = false
    var size: Double?
}

/// A paragraph of runs. Spacing in points; a line break inside a run's text becomes a `<w:br/>`.
struct DOCXParagraph: Sendable {
    enum Alignment: String, Sendable {
        case left, center, right, both
    }

    var runs: [DOCXRun]
    var alignment: Alignment = .both
    var spaceBefore: Double = 0
    var spaceAfter: Double = 6
    /// First-line indent in millimetres.
    var firstLineIndent: Double = 0
    var keepWithNext = false

    init(
        _ runs: [DOCXRun], alignment: Alignment = .both, spaceBefore: Double = 0, spaceAfter: Double = 6, firstLineIndent: Double = 0,
        keepWithNext: Bool = false
    ) {
        self.runs = runs
        self.alignment = alignment
        self.spaceBefore = spaceBefore
        self.spaceAfter = spaceAfter
        self.firstLineIndent = firstLineIndent
        self.keepWithNext = keepWithNext
    }
}

/// A table: rows of cells, each cell a list of paragraphs; column widths in millimetres.
struct DOCXTable: Sendable {
    var rows: [[[DOCXParagraph]]]
    var widths: [Double]
    var borders: Bool
    /// How many of the first rows repeat on each page (the header).
    var headerRows: Int
}

enum DOCXBlock: Sendable {
    case paragraph(DOCXParagraph)
    case table(DOCXTable)
}

/// The page and the default font.
struct DOCXPage: Sendable {
    /// Millimetres.
    var width = 210.0
    var height = 297.0
    var top = 20.0
    var bottom = 20.0
    var left = 30.0
    var right = 15.0
    var font = "Times New Roman"
    /// Points.
    var fontSize = 14.0
}

/// Writes a WordprocessingML document (DOCX) in memory, the way `XLSXWriter` writes a workbook: the content types,
/// the package relationships, `word/document.xml`, `word/styles.xml` and `word/settings.xml`, zipped with ZIPFoundation
/// at a fixed time, so the same blocks give the same bytes.
enum DOCXWriter {
    static func document(_ blocks: [DOCXBlock], page: DOCXPage = DOCXPage(), title: String) throws -> [UInt8] {
        let parts: [(path: String, xml: String)] = [
            ("[Content_Types].xml", contentTypes),
            ("_rels/.rels", packageRelationships),
            ("docProps/core.xml", core(title: title)),
            ("word/_rels/document.xml.rels", documentRelationships),
            ("word/document.xml", documentXML(blocks, page: page)),
            ("word/styles.xml", styles(page)),
            ("word/settings.xml", settings),
        ]
        let archive = try Archive(accessMode: .create)
        for part in parts {
            let data = Data(part.xml.utf8)
            try archive.addEntry(
                with: part.path, type: .file, uncompressedSize: Int64(data.count), modificationDate: XLSXWriter.fixedDate,
                compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return [UInt8](archive.data ?? Data())
    }

    static let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
    static let main = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    static let contentTypes =
        declaration + """
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
            <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>\
            <Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>\
            <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
            </Types>
            """

    static let packageRelationships =
        declaration + """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
            </Relationships>
            """

    static let documentRelationships =
        declaration + """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>\
            </Relationships>
            """

    static let settings =
        declaration + """
            <w:settings xmlns:w="\(main)"><w:defaultTabStop w:val="720"/><w:compat/></w:settings>
            """

    static func core(title: String) -> String {
        declaration + """
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>\(escape(title))</dc:title><dc:creator>HaiLong</dc:creator>\
            <dc:language>vi-VN</dc:language></cp:coreProperties>
            """
    }

    /// The document's font and size for every script (Vietnamese is Latin with diacritics), on the defaults and on
    /// the Normal style, where Word and python-docx read them.
    static func styles(_ page: DOCXPage) -> String {
        let font = escape(page.font)
        let fonts = #"<w:rFonts w:ascii="\#(font)" w:hAnsi="\#(font)" w:eastAsia="\#(font)" w:cs="\#(font)"/>"#
        let size = halfPoints(page.fontSize)
        return declaration + """
            <w:styles xmlns:w="\(main)"><w:docDefaults><w:rPrDefault><w:rPr>\(fonts)<w:sz w:val="\(size)"/><w:szCs w:val="\(size)"/>\
            <w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>\
            </w:pPr></w:pPrDefault></w:docDefaults>\
            <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>\
            <w:rPr>\(fonts)<w:sz w:val="\(size)"/><w:szCs w:val="\(size)"/></w:rPr></w:style>\
            <w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr>\
            <w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>\
            </w:styles>
            """
    }

    static func documentXML(_ blocks: [DOCXBlock], page: DOCXPage) -> String {
        var body = ""
        for block in blocks {
            switch block {
            case .paragraph(let paragraph): body += paragraphXML(paragraph)
            case .table(let table): body += tableXML(table)
            }
        }
        let section = """
            <w:sectPr><w:pgSz w:w="\(twips(page.width))" w:h="\(twips(page.height))"/>\
            <w:pgMar w:top="\(twips(page.top))" w:right="\(twips(page.right))" w:bottom="\(twips(page.bottom))" \
            w:left="\(twips(page.left))" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>
            """
        return declaration + #"<w:document xmlns:w="\#(main)"><w:body>"# + body + section + "</w:body></w:document>"
    }

    static func paragraphXML(_ paragraph: DOCXParagraph) -> String {
        var properties = ""
        if paragraph.keepWithNext { properties += "<w:keepNext/>" }
        properties += #"<w:spacing w:before="\#(Int(paragraph.spaceBefore * 20))" w:after="\#(Int(paragraph.spaceAfter * 20))"/>"#
        if paragraph.firstLineIndent > 0 { properties += #"<w:ind w:firstLine="\#(twips(paragraph.firstLineIndent))"/>"# }
        properties += #"<w:jc w:val="\#(paragraph.alignment.rawValue)"/>"#
        var runs = ""
        for run in paragraph.runs {
            var format = ""
            if run.bold { format += "<w:b/><w:bCs/>" }
            if run.italic { format += "<w:i/><w:iCs/>" }
            if let size = run.size { format += #"<w:sz w:val="\#(halfPoints(size))"/><w:szCs w:val="\#(halfPoints(size))"/>"# }
            let lines = run.text.split(separator: "\n", omittingEmptySubsequences: false)
            let text = lines.map { #"<w:t xml:space="preserve">\#(escape(String($0)))</w:t>"# }.joined(separator: "<w:br/>")
            runs += "<w:r>" + (format.isEmpty ? "" : "<w:rPr>\(format)</w:rPr>") + text + "</w:r>"
        }
        return "<w:p><w:pPr>\(properties)</w:pPr>\(runs)</w:p>"
    }

    static func tableXML(_ table: DOCXTable) -> String {
        let border = table.borders ? "single" : "nil"
        let borders = ["top", "left", "bottom", "right", "insideH", "insideV"].map {
            #"<w:\#($0) w:val="\#(border)" w:sz="4" w:space="0" w:color="000000"/>"#
        }
        .joined()
        var xml = #"<w:tbl><w:tblPr><w:tblW w:w="\#(table.widths.map(twips).reduce(0, +))" w:type="dxa"/><w:jc w:val="center"/>"#
        xml += "<w:tblBorders>\(borders)</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>"
        xml += table.widths.map { #"<w:gridCol w:w="\#(twips($0))"/>"# }.joined() + "</w:tblGrid>"
        for (index, row) in table.rows.enumerated() {
            xml +=
                "<w:tr>" + (index < table.headerRows ? "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" : "<w:trPr><w:cantSplit/></w:trPr>")
            for (column, cell) in row.enumerated() {
                let width = column < table.widths.count ? twips(table.widths[column]) : 0
                xml += #"<w:tc><w:tcPr><w:tcW w:w="\#(width)" w:type="dxa"/></w:tcPr>"#
                xml += (cell.isEmpty ? [DOCXParagraph([])] : cell).map(paragraphXML).joined() + "</w:tc>"
            }
            xml += "</w:tr>"
        }
        return xml + "</w:tbl>"
    }

    static func twips(_ millimetres: Double) -> Int { Int((millimetres * 1440 / 25.4).rounded()) }

    static func halfPoints(_ points: Double) -> Int { Int((points * 2).rounded()) }

    /// XML text: the five entities escaped, and the characters XML 1.0 does not allow dropped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t": escaped += " "
            default:
                if scalar.value >= 0x20 || scalar == "\n" || scalar == "\r" { escaped.unicodeScalars.append(scalar) }
            }
        }
        return escaped
    }
}
