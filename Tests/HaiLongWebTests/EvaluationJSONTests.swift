import Foundation
import Testing

@testable import HaiLongWeb

/// The evaluation's JSON is written by hand for speed (`OfficerDocument.json`); it must be the bytes JSONEncoder writes
/// for the same document, with the options every JSON answer uses (`TableAnswer.json`).
@Suite struct EvaluationJSONTests {
    @Test func theHandWrittenJSONIsJSONEncodersBytes() throws {
        typealias Report = EvaluationReport
        let items = [
            Report.OfficerItem(
                badge: "B/1", name: "Nguyễn Thị \"Hoa\"", agency: "P.A", n: 300, index: 97, ci95: [94.4, 100], sufficient: true,
                rank: 1, violations: [], ceiling: nil, candidate: true, why: "lower bound 94.40 is in the top 10 %",
                why_vi: "cận dưới 94,40 thuộc nhóm 10 % cao nhất"),
            Report.OfficerItem(
                badge: "B-2", name: "Trần Văn Bình\\", agency: "P.B", n: 41, index: 88.65, ci95: [0.1, 96.5], sufficient: true,
                rank: nil, violations: [.init(id: 7, date: "2026-03-02", norm: "giao_tiep_ung_xu", status: "confirmed")],
                ceiling: "hoan_thanh_nhiem_vu", candidate: false, why: "a confirmed violation this year\n", why_vi: "có vi phạm"),
            Report.OfficerItem(
                badge: "B-3", name: "Lê C", agency: "P.B", n: 5, index: nil, ci95: nil, sufficient: false, rank: nil,
                violations: [
                    .init(id: 8, date: "2026-04-01", norm: "trang_phuc", status: "reported"),
                    .init(id: 9, date: "2026-05-01", norm: "dao_duc_loi_song", status: "dismissed"),
                ], ceiling: nil, candidate: false, why: "too few ratings (5): not ranked", why_vi: "chưa đủ mẫu (5 phiếu)"),
        ]
        for (asOf, shown) in [("2026-12-07T01:00:00Z", items), (nil, [])] as [(String?, [Report.OfficerItem])] {
            let document = Report.OfficerDocument(
                year: 2026, agency: "P", questionnaire: "kiosk-3", methodology: .init(code: "default", version: 2),
                candidate_share: 0.1, as_of: asOf, items: shown)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            #expect(document.json == String(decoding: try encoder.encode(document), as: UTF8.self))
        }
    }
}
