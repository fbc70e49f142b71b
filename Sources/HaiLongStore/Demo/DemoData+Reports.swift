import Foundation
import HaiLongCore

/// The demo province's yearly reports: one agency in each state (accepted, submitted, returned and being redrafted,
/// draft, not started), and the province's consolidated report as a draft composed from the accepted one. Through the
/// same store as the admin pages, audited as `demo`.
extension DemoData {
    /// The last step each demo agency's report has reached; an agency not listed has not started.
    static let reportSteps: [(agency: String, step: ReportStatus)] = [
        ("DEMO.STP", .accepted), ("DEMO.SXD", .submitted), ("DEMO.TTHCC", .returned), ("DEMO.XTP", .draft), ("DEMO.XAK", .submitted),
    ]

    static func demoNarrative(_ name: String) -> ReportNarrative {
        ReportNarrative(
            results: "\(name) đã niêm yết bộ quy tắc ứng xử và “4 xin, 4 luôn” tại bộ phận một cửa; 100 % công chức đeo thẻ "
                + "khi tiếp dân; ki-ốt đánh giá được đặt tại mọi quầy.\nHọp giao ban hằng tháng xem xét các phiếu chưa hài lòng.",
            shortcomings: "Một số công chức còn chưa chủ động hướng dẫn người dân; tỷ lệ người dân đánh giá trên số hồ sơ còn thấp.",
            plans: "Tập huấn kỹ năng giao tiếp cho công chức bộ phận một cửa; kiểm tra đột xuất ít nhất hai lần mỗi quý.",
            proposals: "Đề nghị Sở Nội vụ tổ chức trao đổi kinh nghiệm giữa các bộ phận một cửa trong tỉnh.")
    }

    /// Seeds the reports of `year` unless the province has one. `makeDraft` makes an agency's (or, for `.consolidated`,
    /// the province's) draft from the year's published figures — the web layer's work (the figures documents live
    /// there) — and the rest goes through the store.
    public func seedReports(year: Int, makeDraft: @Sendable (Agency, ReportKind) async throws -> Void) async throws {
        guard let province = try await directory.agency(code: Self.provinceCode) else { return }
        let store = PostgresReportStore(client: client, logger: logger)
        if try await store.latest(agency: province, year: year, kind: .consolidated, within: nil) != nil { return }
        for (code, step) in Self.reportSteps {
            guard let agency = try await directory.agency(code: code) else { continue }
            try await makeDraft(agency, .agency)
            guard var content = try await store.latest(agency: agency, year: year, kind: .agency, within: nil)?.content else { continue }
            content.narrative = Self.demoNarrative(agency.name)
            _ = try await store.saveDraft(
                agency: agency, year: year, kind: .agency, content: content, publicationID: nil, by: "demo", within: nil)
            guard step != .draft else { continue }
            _ = try await store.submit(agency: agency, year: year, kind: .agency, by: "demo", within: nil)
            switch step {
            case .accepted:
                _ = try await store.decide(
                    agency: agency, year: year, kind: .agency, status: .accepted, comment: "Báo cáo đầy đủ, đúng thời hạn.", by: "demo",
                    within: nil)
            case .returned:
                _ = try await store.decide(
                    agency: agency, year: year, kind: .agency, status: .returned,
                    comment: "Đề nghị bổ sung kết quả xử lý vi phạm của công chức và kế hoạch khắc phục.", by: "demo", within: nil)
            default:
                break
            }
        }
        try await makeDraft(province, .consolidated)
    }
}
