import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// The year's officer evaluation support for an agency's subtree (`OfficerEvaluation`'s rules over the officers'
/// kiosk-3 figures and their violations), and the ranking of an emulation block's members.
struct EvaluationReport: Sendable {
    let indices: PostgresIndexStore
    let accountability: PostgresAccountabilityStore
    let emulation: PostgresEmulationStore
    let report: IndicesReport

    static let questionnaire = "kiosk-3"

    struct OfficerViolation: Codable, Sendable {
        var id: Int64
        var date: String
        var norm: String
        var status: String
    }

    struct OfficerItem: Codable, Sendable {
        var badge: String
        var name: String
        var agency: String
        var n: Int
        var index: Double?
        var ci95: [Double]?
        var sufficient: Bool
        var rank: Int?
        var violations: [OfficerViolation]
        var ceiling: String?
        var candidate: Bool
        var why: String
        /// The same reasons in Vietnamese, for the pages and the Vietnamese exports.
        var why_vi: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(badge, forKey: .badge)
            try container.encode(name, forKey: .name)
            try container.encode(agency, forKey: .agency)
            try container.encode(n, forKey: .n)
            try container.encode(index, forKey: .index)
            try container.encode(ci95, forKey: .ci95)
            try container.encode(sufficient, forKey: .sufficient)
            try container.encode(rank, forKey: .rank)
            try container.encode(violations, forKey: .violations)
            try container.encode(ceiling, forKey: .ceiling)
            try container.encode(candidate, forKey: .candidate)
            try container.encode(why, forKey: .why)
            try container.encode(why_vi, forKey: .why_vi)
        }
    }

    struct OfficerDocument: Codable, Sendable {
        var year: Int
        var agency: String
        var questionnaire: String
        var methodology: IndicesDocument.MethodologyInfo
        var candidate_share: Double
        var as_of: String?
        var items: [OfficerItem]

        /// Every key, `as_of` as null before the first aggregation (as the indices answer it).
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(year, forKey: .year)
            try container.encode(agency, forKey: .agency)
            try container.encode(questionnaire, forKey: .questionnaire)
            try container.encode(methodology, forKey: .methodology)
            try container.encode(candidate_share, forKey: .candidate_share)
            try container.encode(as_of, forKey: .as_of)
            try container.encode(items, forKey: .items)
        }
    }

    func officers(year: Int, agency: Agency) async throws -> OfficerDocument {
        let period = try Period.parse(String(year))
        let methodology = try await indices.defaultMethodology()
        guard let questionnaire = try await indices.questionnaire(code: Self.questionnaire) else {
            throw Problem(.internalServerError, detail: "the kiosk-3 questionnaire is missing")
        }
        // Without the "4 xin, 4 luôn" reasons, which the evaluation does not show: 40 % fewer rows for a province.
        async let counts = indices.figureCounts(
            for: [agency], period: period, questionnaire: Self.questionnaire, methodology: methodology, grouping: .officer,
            reasons: false)
        async let officers = indices.officers(under: agency)
        async let violations = accountability.violations(under: agency, year: year, within: nil)
        let (figures, everyone, recorded) = try await (counts, officers, violations)
        let byOfficer = Dictionary(grouping: recorded, by: \.officerID)
        let standings = everyone.map { officer in
            let counts = figures[CountKey(agencyID: agency.id, group: String(officer.id))] ?? FigureCounts()
            return OfficerStanding(
                badge: officer.badge, name: officer.name, agency: officer.agency,
                figure: QuestionnaireFigure(counts: counts, questionnaire: questionnaire, methodology: methodology),
                violations: (byOfficer[officer.id] ?? []).map(\.status))
        }
        // The share of the ranked officers whose lower bound makes them candidates: the methodology's (a tenth unless a
        // province's methodology version says otherwise), so that it travels with the figures' methodology.
        let candidateShare = methodology.candidateShare ?? Methodology.defaultCandidateShare
        let verdicts = OfficerEvaluation.evaluate(standings, candidateShare: candidateShare)
        var items = zip(zip(everyone, standings), verdicts).map { pair, verdict in
            let (officer, standing) = pair
            let figure = standing.figure
            let shown = figure?.sufficient == true
            return OfficerItem(
                badge: officer.badge, name: officer.name, agency: officer.agency, n: figure?.n ?? 0,
                index: shown ? figure?.index?.roundedHalfUp() : nil,
                ci95: shown ? figure?.ci95.map { [$0.lowerBound.roundedHalfUp(), $0.upperBound.roundedHalfUp()] } : nil,
                sufficient: shown, rank: verdict.rank,
                violations: (byOfficer[officer.id] ?? []).map {
                    OfficerViolation(id: $0.id, date: $0.occurredOn.description, norm: $0.norm, status: $0.status.rawValue)
                },
                ceiling: verdict.ceiling, candidate: verdict.candidate,
                why: verdict.reasons.map { $0.text(vietnamese: false) }.joined(separator: "; "),
                why_vi: verdict.reasons.map { $0.text(vietnamese: true) }.joined(separator: "; "))
        }
        // Ranked first (best first), then the rest by how many ratings they have.
        // Sorted by their keys, then moved once (moving 10,000 items through the sort cost more than comparing them).
        let keys = items.map { ($0.rank ?? Int.max, -$0.n, $0.agency, $0.badge) }
        items = keys.indices.sorted { keys[$0] < keys[$1] }.map { items[$0] }
        return OfficerDocument(
            year: year, agency: agency.code, questionnaire: Self.questionnaire,
            methodology: .init(code: methodology.code, version: methodology.version), candidate_share: candidateShare,
            as_of: try await indices.asOf().map(Timestamp.format), items: items)
    }
}

extension EvaluationReport.OfficerDocument: TableDocument {
    /// The JSON that `TableAnswer.json` writes (keys sorted, slashes as they are, numbers as JSONEncoder writes them),
    /// written directly: JSONEncoder took a fifth of a province's evaluation (10,000 officers, 3.3 MB) on its first
    /// view (a `JSONValue` tree serialized was slower still: a dictionary and a key sort per officer). `EvaluationJSONTests`
    /// compares the two.
    func jsonAnswer() throws -> FixedResponse { TableAnswer.json(ByteBuffer(bytes: jsonBytes)) }

    /// Written as bytes (`JSONWriter`): interpolated, every officer's fields were copied two or three times over, half of
    /// each recomputation of a province's evaluation while ratings arrived.
    var jsonBytes: [UInt8] {
        var out = JSONWriter(capacity: 400 * items.count + 512)
        out.raw("{\"agency\":")
        out.string(agency)
        out.raw(",\"as_of\":")
        out.string(as_of)
        out.raw(",\"candidate_share\":")
        out.number(candidate_share)
        out.raw(",\"items\":[")
        for (position, item) in items.enumerated() {
            out.raw(position > 0 ? ",{\"agency\":" : "{\"agency\":")
            out.string(item.agency)
            out.raw(",\"badge\":")
            out.string(item.badge)
            out.raw(",\"candidate\":")
            out.bool(item.candidate)
            out.raw(",\"ceiling\":")
            out.string(item.ceiling)
            out.raw(",\"ci95\":")
            out.numbers(item.ci95)
            out.raw(",\"index\":")
            out.number(item.index)
            out.raw(",\"n\":")
            out.integer(item.n)
            out.raw(",\"name\":")
            out.string(item.name)
            out.raw(",\"rank\":")
            out.integer(item.rank)
            out.raw(",\"sufficient\":")
            out.bool(item.sufficient)
            out.raw(",\"violations\":[")
            for (index, violation) in item.violations.enumerated() {
                out.raw(index > 0 ? ",{\"date\":" : "{\"date\":")
                out.string(violation.date)
                out.raw(",\"id\":")
                out.integer(Int(violation.id))
                out.raw(",\"norm\":")
                out.string(violation.norm)
                out.raw(",\"status\":")
                out.string(violation.status)
                out.raw("}")
            }
            out.raw("],\"why\":")
            out.string(item.why)
            out.raw(",\"why_vi\":")
            out.string(item.why_vi)
            out.raw("}")
        }
        out.raw("],\"methodology\":")
        methodology.write(to: &out)
        out.raw(",\"questionnaire\":")
        out.string(questionnaire)
        out.raw(",\"year\":")
        out.integer(year)
        out.raw("}")
        return out.bytes
    }

    var json: String { String(decoding: jsonBytes, as: UTF8.self) }

    func table(vietnamese: Bool) -> (header: [String], rows: [[XLSXCell]]) {
        let header =
            vietnamese
            ? [
                "Cơ quan", "Số hiệu", "Họ tên", "Số phiếu", "Chỉ số (%)", "Cận dưới 95%", "Cận trên 95%", "Đủ mẫu", "Xếp hạng",
                "Vi phạm đã xác nhận", "Vi phạm chờ kết luận", "Mức tối đa", "Đề xuất khen thưởng", "Lý do",
            ]
            : [
                "agency", "badge", "name", "n", "index", "ci95_low", "ci95_high", "sufficient", "rank", "violations_confirmed",
                "violations_pending", "ceiling", "candidate", "why",
            ]
        let rows = items.map { item -> [XLSXCell] in
            [
                .text(item.agency), .text(item.badge), .text(item.name), .integer(item.n), .number(item.index),
                .number(item.ci95?[0]), .number(item.ci95?[1]), .text(Self.yes(item.sufficient, vietnamese)),
                item.rank.map { .integer($0) } ?? .empty, .integer(item.violations.filter { $0.status == "confirmed" }.count),
                .integer(item.violations.filter { $0.status == "reported" }.count),
                .text(item.ceiling.map { vietnamese ? "Hoàn thành nhiệm vụ" : $0 } ?? ""), .text(Self.yes(item.candidate, vietnamese)),
                .text(vietnamese ? item.why_vi : item.why),
            ]
        }
        return (header, rows)
    }

    static func yes(_ value: Bool, _ vietnamese: Bool) -> String { vietnamese ? (value ? "có" : "không") : String(value) }

    var filename: String { "hailong-officers-\(agency)-\(year)" }
    var sheet: String { String(year) }
}
