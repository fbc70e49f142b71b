import Foundation
import HaiLongCore
import HaiLongStore

/// A yearly report laid out as an administrative document of Decree 30/2020/NĐ-CP: the heading (issuing body, number
/// and symbol, national title and motto, place and date), the document type and summary, numbered sections with their
/// tables, the signer and "Nơi nhận". The DOCX and the HTML view (and so the PDF) are both drawn from this one layout,
/// so they carry the same words and figures.
struct ReportLayout: Sendable {
    /// A section's content.
    enum Block: Sendable {
        case heading(String)
        case subheading(String)
        case paragraph(String)
        /// Text the author still has to write: shown in italics.
        case placeholder(String)
        case table(header: [String], rows: [[String]], widths: [Double])
    }

    var superior: String?
    var issuer: String
    var number: String
    var placeDate: String
    var title = "BÁO CÁO"
    var summary: String
    var addressee: String?
    var blocks: [Block]
    var signerTitle: String
    var signerNote = "(Ký, ghi rõ họ tên, đóng dấu)"
    var signerName = "…………………………"
    var recipients: [String]
    /// Where the figures come from and which version this is: the trace from the document back to the snapshot.
    var trace: String

    static let nationalTitle = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    static let motto = "Độc lập - Tự do - Hạnh phúc"

    init(_ report: StoredReport, timeZone: TimeZone) {
        let content = report.content
        let year = content.year
        let consolidated = content.kind == .consolidated
        superior = content.superior
        issuer = consolidated ? ReportBuilder.issuer(Self.agency(content.agency)) : content.agency.name.uppercased()
        number = "Số: …/BC-" + (consolidated ? "UBND" : Self.symbol(content.agency.name))
        placeDate = Self.placeDate(content.place, report.submittedAt.map { LocalDate($0, in: timeZone) })
        summary =
            consolidated
            ? "Tổng hợp kết quả thực hiện văn hóa công vụ và đo lường sự hài lòng của người dân, tổ chức năm \(year)"
            : "Kết quả thực hiện văn hóa công vụ và đo lường sự hài lòng của người dân, tổ chức năm \(year)"
        addressee = consolidated ? "Kính gửi: Bộ Nội vụ" : "Kính gửi: Sở Nội vụ"
        signerTitle = consolidated ? "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" : "THỦ TRƯỞNG CƠ QUAN"
        recipients = consolidated ? ["Như trên;", "Thường trực Tỉnh ủy;", "Sở Nội vụ;", "Lưu: VT."] : ["Như trên;", "Lưu: VT."]
        blocks = Self.blocks(content)
        var trace =
            "Số liệu lấy từ bản công bố chỉ số hài lòng năm \(content.snapshot.period) của \(content.snapshot.agency), "
            + "phiên bản \(content.snapshot.version), SHA-256 \(content.snapshot.sha256), công bố lúc \(content.snapshot.publishedAt) "
            + "(\(content.snapshot.methodology))."
        if content.snapshot.publishedForReport { trace += " Bản công bố này được lập khi lập báo cáo (năm chưa có bản công bố)." }
        trace += " Báo cáo phiên bản \(report.version), trạng thái: \(report.status.vietnamese)"
        if let hash = report.contentSHA256 { trace += ", SHA-256 nội dung \(hash)" }
        self.trace = trace + "."
    }

    static func agency(_ figure: ReportFigure) -> Agency {
        Agency(id: 0, code: figure.code, name: figure.name, kind: "province", parentID: nil)
    }

    /// The symbol of the issuing body: the initials of its name without diacritics ("Sở Tư pháp" → "STP").
    static func symbol(_ name: String) -> String {
        let initials = name.split(separator: " ").compactMap(\.first).map { String($0) }.joined()
        let folded = initials.replacingOccurrences(of: "Đ", with: "D").replacingOccurrences(of: "đ", with: "d")
            .folding(options: [.diacriticInsensitive], locale: Locale(identifier: "vi"))
        return String(folded.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(10))
    }

    /// "Thái Nguyên, ngày 05 tháng 11 năm 2026"; dots until it is dated (days below 10 and months below 3 take a zero).
    static func placeDate(_ place: String, _ date: LocalDate?) -> String {
        guard let date else { return "\(place), ngày … tháng … năm …" }
        let month = date.month < 3 ? String(format: "%02d", date.month) : String(date.month)
        return "\(place), ngày \(String(format: "%02d", date.day)) tháng \(month) năm \(date.year)"
    }

    static func blocks(_ content: ReportContent) -> [Block] {
        typealias N = VietnameseNumber
        let year = content.year
        let own = content.agency
        var blocks: [Block] = []
        blocks.append(.heading("I. KẾT QUẢ ĐO LƯỜNG SỰ HÀI LÒNG NĂM \(year)"))
        blocks.append(.subheading("1. Chỉ số hài lòng chung"))
        var summary =
            "Năm \(year), \(own.name) nhận được \(N.integer(own.n)) phiếu đánh giá hợp lệ; chỉ số hài lòng đạt \(N.percent(own.index))"
        if let ci = own.ci95, ci.count == 2 { summary += " (khoảng tin cậy 95 %: \(N.percent(ci[0])) – \(N.percent(ci[1])))" }
        summary += "; điểm cải cách hành chính tham khảo \(N.decimal(own.parPoints))/\(N.decimal(own.parMax))."
        if let change = own.change {
            summary +=
                " So với năm \(year - 1) (\(N.percent(own.previousIndex))), chỉ số thay đổi \(N.change(change)) điểm phần trăm"
                + (own.changeSignificant == true ? " (có ý nghĩa thống kê)." : ".")
        }
        if !own.sufficient { summary += " Số phiếu chưa đủ mẫu tối thiểu: chỉ số chỉ có giá trị tham khảo." }
        blocks.append(.paragraph(summary))
        blocks.append(.subheading("2. Các cơ quan, đơn vị trực thuộc"))
        if content.children.isEmpty {
            blocks.append(.paragraph("Không có cơ quan, đơn vị trực thuộc."))
        } else {
            blocks.append(figureTable(content.children))
        }
        blocks.append(.subheading("3. Độ tin cậy của số liệu"))
        blocks.append(
            .paragraph(
                "Tỷ lệ phản hồi (số phiếu trên số hồ sơ đã giải quyết): \(N.percent(own.responseRate)); "
                    + "tỷ lệ phiếu bị loại: \(N.percent(own.excludedShare)) (\(N.integer(own.excluded)) phiếu)."))
        blocks.append(.subheading("4. Lý do chưa hài lòng (“4 xin, 4 luôn”)"))
        if content.reasons.isEmpty {
            blocks.append(.paragraph("Không có phiếu chưa hài lòng nêu lý do."))
        } else {
            blocks.append(
                .table(
                    header: ["STT", "Lý do", "Tỷ lệ (%)"],
                    rows: content.reasons.enumerated().map { [String($0.offset + 1), $0.element.label, N.decimal($0.element.share)] },
                    widths: [15, 110, 40]))
        }
        if content.kind == .consolidated {
            blocks.append(.subheading("5. Tình hình báo cáo của các cơ quan, đơn vị"))
            blocks.append(
                .table(
                    header: ["STT", "Cơ quan, đơn vị", "Số phiếu", "Chỉ số (%)", "Báo cáo"],
                    rows: content.agencies.enumerated().map { offset, line in
                        [
                            String(offset + 1), line.figure.name, N.integer(line.figure.n), N.decimal(line.figure.index),
                            ReportStanding.vietnamese(line.status) + (line.version.map { " (v\($0))" } ?? ""),
                        ]
                    }, widths: [15, 60, 22, 22, 46]))
            if !content.blocks.isEmpty {
                blocks.append(.subheading("6. Xếp hạng trong các khối thi đua"))
                for block in content.blocks {
                    blocks.append(.paragraph("\(block.name) (\(block.code)):"))
                    blocks.append(
                        .table(
                            header: ["Hạng", "Cơ quan, đơn vị", "Số phiếu", "Chỉ số (%)"],
                            rows: block.members.map {
                                [$0.rank.map(String.init) ?? "–", $0.name, N.integer($0.n), N.decimal($0.index)]
                            }, widths: [18, 87, 30, 30]))
                }
            }
        }
        blocks.append(.heading("II. ĐÁNH GIÁ CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC TIẾP XÚC VỚI NGƯỜI DÂN"))
        let officers = content.officers
        blocks.append(
            .paragraph(
                "Có \(N.integer(officers.rated)) cán bộ, công chức được người dân đánh giá, trong đó \(N.integer(officers.sufficient)) "
                    + "người có đủ số phiếu để đánh giá. Phân bố theo chỉ số hài lòng:"))
        blocks.append(
            .table(
                header: ["Mức chỉ số hài lòng", "Số người"],
                rows: zip(ReportOfficers.bandLabels, officers.bands).map { [$0, N.integer($1)] }, widths: [110, 40]))
        blocks.append(
            .paragraph(
                "Số người bị giới hạn ở mức “hoàn thành nhiệm vụ” do có vi phạm đã được xác nhận: \(N.integer(officers.capped))."))
        if officers.candidates.isEmpty {
            blocks.append(.paragraph("Chưa có cán bộ đủ điều kiện đề xuất khen thưởng."))
        } else {
            blocks.append(.paragraph("Đề xuất khen thưởng (\(N.integer(officers.candidates.count)) người):"))
            blocks += officers.candidates.map { .paragraph("- " + $0) }
        }
        blocks.append(.heading("III. PHẢN ÁNH, KIẾN NGHỊ; KIỂM TRA VÀ XỬ LÝ VI PHẠM"))
        let record = content.accountability
        blocks.append(
            .table(
                header: ["Nội dung", "Số lượng"],
                rows: [
                    ["Phản ánh, kiến nghị tiếp nhận", N.integer(record.complaintsReceived)],
                    ["Phản ánh, kiến nghị đã giải quyết", N.integer(record.complaintsResolved)],
                    ["Kiểm tra theo kế hoạch", N.integer(record.inspectionsPlanned)],
                    ["Kiểm tra đột xuất", N.integer(record.inspectionsUnannounced)],
                    ["Vi phạm được ghi nhận", N.integer(record.violationsTotal)],
                    ["Vi phạm đã xác nhận", N.integer(record.violationsConfirmed)],
                    ["Vi phạm không xác nhận (bác bỏ)", N.integer(record.violationsDismissed)],
                    ["Vi phạm đang xem xét", N.integer(record.violationsReported)],
                ], widths: [110, 40]))
        let sections = [
            ("IV. KẾT QUẢ ĐẠT ĐƯỢC", content.narrative.results),
            ("V. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", content.narrative.shortcomings),
            ("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM \(year + 1)", content.narrative.plans),
            ("VII. ĐỀ XUẤT, KIẾN NGHỊ", content.narrative.proposals),
        ]
        for (heading, text) in sections {
            blocks.append(.heading(heading))
            let paragraphs = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            blocks += paragraphs.isEmpty ? [.placeholder("(Nội dung do cơ quan soạn thảo.)")] : paragraphs.map { .paragraph($0) }
        }
        return blocks
    }

    static func figureTable(_ figures: [ReportFigure]) -> Block {
        typealias N = VietnameseNumber
        return .table(
            header: ["STT", "Cơ quan, đơn vị", "Số phiếu", "Chỉ số (%)", "Khoảng tin cậy 95 %", "Điểm CCHC"],
            rows: figures.enumerated().map { offset, figure in
                [
                    String(offset + 1), figure.name, N.integer(figure.n), N.decimal(figure.index),
                    figure.ci95.map { "\(N.decimal($0.first)) – \(N.decimal($0.last))" } ?? "–", N.decimal(figure.parPoints),
                ]
            }, widths: [15, 52, 22, 22, 36, 18])
    }
}
