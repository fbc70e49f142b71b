import Foundation
import HaiLongCore
import HaiLongStore
import Hummingbird

/// An emulation block's members ranked by their year's index (docs/METHODOLOGY.md, "Emulation blocks"): each member's
/// figure pooled over its subtree, from the same counts as the indices API; members with too few ratings are listed
/// unranked with the reason; equal indices share a rank.
extension EvaluationReport {
    struct BlockInfo: Codable, Sendable {
        var code: String
        var name: String
    }

    struct SnapshotInfo: Codable, Sendable {
        var version: Int
        var sha256: String
    }

    struct MemberItem: Codable, Sendable {
        var agency: String
        var name: String
        var n: Int
        var index: Double?
        var ci95: [Double]?
        var sufficient: Bool
        var rank: Int?
        var par_points: Double?
        var change: Double?
        var response_rate: Double?
        var excluded_share: Double?
        var violations_confirmed: Int
        var why: String?
        /// The member's latest published snapshot of the year, when there is one (its figures may differ from these
        /// live ones if ratings arrived or reviews changed since).
        var published: SnapshotInfo?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            for (key, value) in [(CodingKeys.agency, agency), (.name, name)] { try container.encode(value, forKey: key) }
            try container.encode(n, forKey: .n)
            try container.encode(index, forKey: .index)
            try container.encode(ci95, forKey: .ci95)
            try container.encode(sufficient, forKey: .sufficient)
            try container.encode(rank, forKey: .rank)
            try container.encode(par_points, forKey: .par_points)
            try container.encode(change, forKey: .change)
            try container.encode(response_rate, forKey: .response_rate)
            try container.encode(excluded_share, forKey: .excluded_share)
            try container.encode(violations_confirmed, forKey: .violations_confirmed)
            try container.encode(why, forKey: .why)
            try container.encode(published, forKey: .published)
        }
    }

    struct BlockDocument: Codable, Sendable {
        var year: Int
        var block: BlockInfo
        var questionnaire: String
        var methodology: IndicesDocument.MethodologyInfo
        var as_of: String?
        var items: [MemberItem]

        /// Every key, `as_of` as null before the first aggregation (as the indices answer it).
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(year, forKey: .year)
            try container.encode(block, forKey: .block)
            try container.encode(questionnaire, forKey: .questionnaire)
            try container.encode(methodology, forKey: .methodology)
            try container.encode(as_of, forKey: .as_of)
            try container.encode(items, forKey: .items)
        }
    }

    func emulation(year: Int, block: EmulationBlock) async throws -> BlockDocument {
        let period = try Period.parse(String(year))
        let methodology = try await indices.defaultMethodology()
        guard let questionnaire = try await indices.questionnaire(code: Self.questionnaire) else {
            throw Problem(.internalServerError, detail: "the kiosk-3 questionnaire is missing")
        }
        let violations = try await accountability.confirmedViolations(in: block.members, year: year)
        var items: [MemberItem] = []
        for member in block.members {
            let query = IndicesQuery(period: period, agency: member, depth: .own, questionnaire: questionnaire, methodology: methodology)
            guard let figure = try await report.document(query).items.first else { continue }
            let snapshot = try await indices.publication(
                agencyID: member.id, period: period.label, questionnaire: Self.questionnaire, version: nil)
            items.append(
                MemberItem(
                    agency: member.code, name: member.name, n: figure.n, index: figure.index, ci95: figure.ci95,
                    sufficient: figure.sufficient, rank: nil, par_points: figure.par_points, change: figure.previous?.change,
                    response_rate: figure.credibility?.response_rate, excluded_share: figure.credibility?.excluded_share,
                    violations_confirmed: violations[member.id] ?? 0,
                    why: figure.sufficient ? nil : "too few ratings (\(figure.n) < \(methodology.minN)): not ranked",
                    published: snapshot.map { SnapshotInfo(version: $0.version, sha256: $0.contentHash) }))
        }
        items.sort { lhs, rhs in
            switch (lhs.sufficient, rhs.sufficient) {
            case (true, true): (lhs.index ?? 0, rhs.agency) > (rhs.index ?? 0, lhs.agency)
            case (true, false): true
            case (false, true): false
            case (false, false): (lhs.n, rhs.agency) > (rhs.n, lhs.agency)
            }
        }
        // Ties are ties: an equal index (to the hundredth shown) shares the rank of the first with it.
        for position in items.indices where items[position].sufficient {
            let shown = items[position].index.map { ($0 * 100).rounded() }
            if position > 0, items[position - 1].sufficient, items[position - 1].index.map({ ($0 * 100).rounded() }) == shown {
                items[position].rank = items[position - 1].rank
            } else {
                items[position].rank = position + 1
            }
        }
        return BlockDocument(
            year: year, block: BlockInfo(code: block.code, name: block.name), questionnaire: Self.questionnaire,
            methodology: .init(code: methodology.code, version: methodology.version),
            as_of: try await indices.asOf().map(Timestamp.format), items: items)
    }
}

extension EvaluationReport.BlockDocument: TableDocument {
    func table(vietnamese: Bool) -> (header: [String], rows: [[XLSXCell]]) {
        let header =
            vietnamese
            ? [
                "Xếp hạng", "Mã cơ quan", "Tên cơ quan", "Số phiếu", "Chỉ số (%)", "Cận dưới 95%", "Cận trên 95%", "Đủ mẫu",
                "Điểm CCHC (tham khảo)", "Thay đổi so với năm trước", "Tỷ lệ phản hồi (%)", "Tỷ lệ phiếu loại (%)",
                "Vi phạm đã xác nhận", "Ghi chú",
            ]
            : [
                "rank", "agency", "name", "n", "index", "ci95_low", "ci95_high", "sufficient", "par_points_reference", "change",
                "response_rate", "excluded_share", "violations_confirmed", "why",
            ]
        let rows = items.map { item -> [XLSXCell] in
            [
                item.rank.map { .integer($0) } ?? .empty, .text(item.agency), .text(item.name), .integer(item.n), .number(item.index),
                .number(item.ci95?[0]), .number(item.ci95?[1]),
                .text(EvaluationReport.OfficerDocument.yes(item.sufficient, vietnamese)), .number(item.par_points),
                .number(item.change), .number(item.response_rate), .number(item.excluded_share), .integer(item.violations_confirmed),
                .text(item.why.map { vietnamese ? "chưa đủ mẫu (\(item.n) phiếu): không xếp hạng" : $0 } ?? ""),
            ]
        }
        return (header, rows)
    }

    var filename: String { "hailong-emulation-\(block.code)-\(year)" }
    var sheet: String { block.code }
}
