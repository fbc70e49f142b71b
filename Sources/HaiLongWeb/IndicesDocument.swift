import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// The `/api/v1/indices` answer (DESIGN.md contract). Numbers are rounded half-up to 2 decimals here, on output only.
struct IndicesDocument: Encodable {
    struct PeriodInfo: Encodable {
        var label: String
        var from: String
        var to: String
    }

    struct MethodologyInfo: Encodable {
        var code: String
        var version: Int
    }

    var period: PeriodInfo
    var questionnaire: String
    var methodology: MethodologyInfo
    var as_of: String?
    var published: Bool
    var items: [IndexItem]

    func jsonResponse() throws -> Response { try .json(self) }

    /// UTF-8 with a byte-order mark, so that Excel shows the Vietnamese names correctly.
    func csvResponse() throws -> Response {
        var lines = ["agency,name,n,satisfied,index,ci95_low,ci95_high,mean,excluded,sufficient,par_points,par_max"]
        for item in items {
            let fields: [String] = [
                item.agency, item.name, "\(item.n)", "\(item.satisfied)", Self.number(item.index),
                Self.number(item.ci95?[0]), Self.number(item.ci95?[1]), Self.number(item.mean), "\(item.excluded)",
                "\(item.sufficient)", Self.number(item.par_points), Self.number(item.par_max),
            ]
            lines.append(fields.map(Self.csvField).joined(separator: ","))
        }
        let text = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        let filename = "hailong-\(period.label).csv".replacingOccurrences(of: "..", with: "_")
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(filename)\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return String(format: "%.2f", value)
    }

    /// Quotes a CSV field when needed; a leading =, +, - or @ is defused so a spreadsheet does not run it.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+@".contains(first) || (first == "-" && Double(text) == nil) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// One agency's figure in the indices answer.
struct IndexItem: Encodable {
    var agency: String
    var name: String
    var n: Int
    var satisfied: Int
    var index: Double?
    var ci95: [Double]?
    var mean: Double?
    var elements: [String: Double]
    var excluded: Int
    var sufficient: Bool
    var par_points: Double?
    var par_max: Double

    init(agency: Agency, figure: IndexFigure) {
        self.agency = agency.code
        self.name = agency.name
        self.n = figure.n
        self.satisfied = figure.satisfied
        self.index = figure.index?.roundedHalfUp()
        self.ci95 = figure.ci95.map { [$0.lowerBound.roundedHalfUp(), $0.upperBound.roundedHalfUp()] }
        self.mean = figure.mean?.roundedHalfUp()
        self.elements = [:]
        self.excluded = figure.excluded
        self.sufficient = figure.sufficient
        self.par_points = figure.parPoints?.roundedHalfUp()
        self.par_max = figure.parMax
    }

    enum CodingKeys: String, CodingKey {
        case agency, name, n, satisfied, index, ci95, mean, elements, excluded, sufficient, par_points, par_max
    }

    /// Encodes absent values as `null` rather than leaving the key out, so every item has every field.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agency, forKey: .agency)
        try container.encode(name, forKey: .name)
        try container.encode(n, forKey: .n)
        try container.encode(satisfied, forKey: .satisfied)
        try container.encode(index, forKey: .index)
        try container.encode(ci95, forKey: .ci95)
        try container.encode(mean, forKey: .mean)
        try container.encode(elements, forKey: .elements)
        try container.encode(excluded, forKey: .excluded)
        try container.encode(sufficient, forKey: .sufficient)
        try container.encode(par_points, forKey: .par_points)
        try container.encode(par_max, forKey: .par_max)
    }
}
