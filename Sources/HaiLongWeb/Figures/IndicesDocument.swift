import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// The `/api/v1/indices` answer (docs/CONTRACT.md). Numbers are rounded half-up to 2 decimals here, on
/// output only. It decodes too: a published snapshot is stored as this JSON and can be served as CSV or XLSX later.
public struct IndicesDocument: Codable, Sendable {
    public struct PeriodInfo: Codable, Sendable {
        var label: String
        var from: String
        var to: String
    }

    public struct MethodologyInfo: Codable, Sendable {
        var code: String
        var version: Int
    }

    /// Present in a published snapshot: which version, when and by whom.
    public struct PublicationInfo: Codable, Sendable {
        var version: Int
        var published_at: String
        var published_by: String
    }

    var period: PeriodInfo
    var questionnaire: String
    var methodology: MethodologyInfo
    var as_of: String?
    var published: Bool
    var publication: PublicationInfo?
    /// `officer`, `counter` or `channel` when the items break the agency down; absent for agencies.
    var group: String?
    var items: [IndexItem]

    enum CodingKeys: String, CodingKey {
        case period, questionnaire, methodology, as_of, published, publication, group, items
    }

    /// `as_of` is always there (null before the first aggregation); `publication` and `group` only when they apply.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period, forKey: .period)
        try container.encode(questionnaire, forKey: .questionnaire)
        try container.encode(methodology, forKey: .methodology)
        try container.encode(as_of, forKey: .as_of)
        try container.encode(published, forKey: .published)
        try container.encodeIfPresent(publication, forKey: .publication)
        try container.encodeIfPresent(group, forKey: .group)
        try container.encode(items, forKey: .items)
    }

    /// The document as JSON, CSV or XLSX (the `format` parameter), as bytes that can be kept and sent again.
    func answer(format: String, vietnamese: Bool) throws -> FixedResponse {
        switch format {
        case "csv": return csvAnswer(vietnamese: vietnamese)
        case "xlsx": return try xlsxAnswer(vietnamese: vietnamese)
        default: return TableAnswer.json(ByteBuffer(bytes: jsonBytes))
        }
    }

    /// The document's JSON as stored in a publication (keys sorted, so the same figures give the same bytes).
    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The table behind the CSV and XLSX exports: one row per item, Vietnamese or English headers.
    func table(vietnamese: Bool) -> (header: [String], rows: [[XLSXCell]]) {
        let elementCodes = Array(Set(items.flatMap { ($0.elements ?? [:]).keys })).sorted()
        // The first twelve columns are the original export's, in its order; what came later follows them.
        var header =
            vietnamese
            ? [
                "Mã cơ quan", "Tên cơ quan", "Số phiếu hợp lệ", "Số hài lòng", "Chỉ số (%)", "Cận dưới 95%", "Cận trên 95%",
                "Điểm trung bình", "Phiếu loại", "Đủ mẫu", "Điểm CCHC (tham khảo)", "Điểm tối đa",
            ]
            : [
                "agency", "name", "n", "satisfied", "index", "ci95_low", "ci95_high", "mean", "excluded", "sufficient",
                "par_points", "par_max",
            ]
        if group != nil {
            header +=
                vietnamese ? ["Nhóm", "Mã nhóm", "Tên nhóm", "Cơ quan của nhóm"] : ["group", "group_code", "group_name", "group_agency"]
        }
        header += elementCodes.map { (vietnamese ? "Chỉ số " : "element_") + $0 }
        let rows = items.map { item -> [XLSXCell] in
            var row: [XLSXCell] = [
                .text(item.agency), .text(item.name), .integer(item.n), .integer(item.satisfied), .number(item.index),
                .number(item.ci95?[0]), .number(item.ci95?[1]), .number(item.mean), .integer(item.excluded),
                .text(vietnamese ? (item.sufficient ? "có" : "không") : String(item.sufficient)), .number(item.par_points),
                .number(item.par_max),
            ]
            if let group {
                row += [.text(group), .text(item.group?.code ?? ""), .text(item.group?.name ?? ""), .text(item.group?.agency ?? "")]
            }
            row += elementCodes.map { .number(item.elements?[$0]) }
            return row
        }
        return (header, rows)
    }

    var filename: String {
        "hailong-\(questionnaire)-\(period.label)".replacingOccurrences(of: "..", with: "_")
    }

    /// UTF-8 with a byte-order mark, so that Excel shows the Vietnamese names correctly.
    func csvAnswer(vietnamese: Bool) -> FixedResponse {
        let (header, rows) = table(vietnamese: vietnamese)
        return TableAnswer.csv(header: header, rows: rows, filename: filename)
    }

    func xlsxAnswer(vietnamese: Bool) throws -> FixedResponse {
        let (header, rows) = table(vietnamese: vietnamese)
        return try TableAnswer.xlsx(header: header, rows: rows, filename: filename, sheet: period.label)
    }

    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+@".contains(first) || (first == "-" && Double(text) == nil) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension XLSXCell {
    /// A rounded figure, or an empty cell when there is none.
    static func number(_ value: Double?) -> XLSXCell { value.map { .number($0) } ?? .empty }

    var csvText: String {
        switch self {
        case .text(let text): text
        case .number(let value): String(format: "%.2f", value)
        case .integer(let value): String(value)
        case .empty: ""
        }
    }
}

/// One figure in the indices answer: an agency (pooled over its subtree), or one group of it.
struct IndexItem: Codable, Sendable {
    /// The group an item stands for when the answer breaks an agency down.
    struct Group: Codable, Sendable {
        var code: String
        var name: String?
        /// An officer's or counter's own agency: badges and counter codes repeat from one agency to the next.
        var agency: String?
    }

    /// The same figure for the previous period, and whether the change is significant (two-proportion z-test, 95%).
    struct Previous: Codable, Sendable {
        var period: String
        var n: Int
        var index: Double?
        var change: Double?
        var significant: Bool?

        enum CodingKeys: String, CodingKey { case period, n, index, change, significant }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(period, forKey: .period)
            try container.encode(n, forKey: .n)
            try container.encode(index, forKey: .index)
            try container.encode(change, forKey: .change)
            try container.encode(significant, forKey: .significant)
        }
    }

    /// Why a figure can be trusted, or not.
    struct Credibility: Codable, Sendable {
        /// Responses ÷ dossiers served in the period (percent), when dossiers are fed.
        var response_rate: Double?
        var dossiers: Int?
        /// Share of valid answers below the satisfied levels (percent).
        var low_share: Double?
        /// Share of responses excluded (percent), and the excluded responses by flag.
        var excluded_share: Double?
        var excluded_by_flag: [String: Int]
        /// Kiosk index minus web survey index for the same agency and period, where both exist.
        var kiosk_web_gap: Double?

        enum CodingKeys: String, CodingKey {
            case response_rate, dossiers, low_share, excluded_share, excluded_by_flag, kiosk_web_gap
        }

        /// Every key, `null` when there is no value.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(response_rate, forKey: .response_rate)
            try container.encode(dossiers, forKey: .dossiers)
            try container.encode(low_share, forKey: .low_share)
            try container.encode(excluded_share, forKey: .excluded_share)
            try container.encode(excluded_by_flag, forKey: .excluded_by_flag)
            try container.encode(kiosk_web_gap, forKey: .kiosk_web_gap)
        }
    }

    var agency: String
    var name: String
    /// The parent agency's code (used to cut a published snapshot by depth; `null` at the top).
    var parent: String?
    var group: Group?
    var n: Int
    var satisfied: Int
    var index: Double?
    var ci95: [Double]?
    var mean: Double?
    var elements: [String: Double]?
    var criteria: [String: Double]?
    var excluded: Int
    var sufficient: Bool
    var par_points: Double?
    var par_max: Double
    /// Officer figures below the sufficiency threshold are hidden (fairness to staff): no index, no rank.
    var hidden: Bool
    /// 1 = best, among the sufficient figures of a breakdown.
    var rank: Int?
    /// Percent of valid not-satisfied kiosk ratings that named each "4 xin, 4 luôn" reason.
    var reasons: [String: Double]?
    var previous: Previous?
    var credibility: Credibility?

    init(agency: Agency, parent: String?, group: Group?, figure: QuestionnaireFigure, hidden: Bool) {
        self.agency = agency.code
        self.name = agency.name
        self.parent = parent
        self.group = group
        self.n = figure.n
        self.satisfied = figure.satisfied
        self.excluded = figure.excluded
        self.sufficient = figure.sufficient
        self.par_max = figure.parMax
        self.hidden = hidden
        guard !hidden else { return }
        self.index = figure.index?.roundedHalfUp()
        self.ci95 = figure.ci95.map { [$0.lowerBound.roundedHalfUp(), $0.upperBound.roundedHalfUp()] }
        self.mean = figure.mean?.roundedHalfUp()
        self.elements = figure.elements.isEmpty ? nil : figure.elements.mapValues { $0.roundedHalfUp() }
        self.criteria = figure.criteria.isEmpty ? nil : figure.criteria.mapValues { $0.roundedHalfUp() }
        self.par_points = figure.parPoints?.roundedHalfUp()
    }

    enum CodingKeys: String, CodingKey {
        case agency, name, parent, group, n, satisfied, index, ci95, mean, elements, criteria, excluded, sufficient, par_points,
            par_max, hidden, rank, reasons, previous, credibility
    }

    /// Encodes absent values as `null` rather than leaving the key out, so every item has every field.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agency, forKey: .agency)
        try container.encode(name, forKey: .name)
        try container.encode(parent, forKey: .parent)
        try container.encode(group, forKey: .group)
        try container.encode(n, forKey: .n)
        try container.encode(satisfied, forKey: .satisfied)
        try container.encode(index, forKey: .index)
        try container.encode(ci95, forKey: .ci95)
        try container.encode(mean, forKey: .mean)
        try container.encode(elements ?? [:], forKey: .elements)
        try container.encode(criteria, forKey: .criteria)
        try container.encode(excluded, forKey: .excluded)
        try container.encode(sufficient, forKey: .sufficient)
        try container.encode(par_points, forKey: .par_points)
        try container.encode(par_max, forKey: .par_max)
        try container.encode(hidden, forKey: .hidden)
        try container.encode(rank, forKey: .rank)
        try container.encode(reasons, forKey: .reasons)
        try container.encode(previous, forKey: .previous)
        try container.encode(credibility, forKey: .credibility)
    }
}
