import Foundation
import HaiLongCore

/// The demo province's year of accountability: two emulation blocks, an unannounced inspection with its findings,
/// violations in every status (one confirmed, which caps a sufficient officer's classification; one awaiting a
/// decision on one of the best officers, who is therefore not a commendation candidate; one dismissed; one made from
/// a citizen's complaint), and a scanned record as evidence. Through the same stores as the admin pages, audited as
/// `demo`.
extension DemoData {
    static let blocks: [(code: String, name: String, members: [String])] = [
        ("KHOI.SO", "Khối các sở, ngành", ["DEMO.STP", "DEMO.SXD", "DEMO.TTHCC"]),
        ("CUM.XA", "Cụm xã, phường", ["DEMO.XTP", "DEMO.PHB", "DEMO.XAK"]),
    ]

    func seedAccountability(now: Date, timeZone: TimeZone) async throws {
        let today = LocalDate(now, in: timeZone)
        // A day `daysAgo` back, kept in this year so that the year's evaluation shows it.
        func day(_ daysAgo: Int) -> LocalDate {
            let candidate = LocalDate(dayNumber: today.dayNumber - daysAgo)
            return candidate.year == today.year ? candidate : LocalDate(year: today.year, month: 1, day: 1)!
        }
        let blocks = PostgresEmulationStore(client: client, logger: logger)
        for block in Self.blocks {
            try await blocks.addBlock(code: block.code, name: block.name, year: today.year, members: block.members, by: "demo")
        }
        let store = PostgresAccountabilityStore(client: client, logger: logger)
        guard let justice = try await directory.agency(code: "DEMO.STP"), let centre = try await directory.agency(code: "DEMO.TTHCC"),
            let construction = try await directory.agency(code: "DEMO.SXD"), let commune = try await directory.agency(code: "DEMO.XAK")
        else { return }
        let inspection = try await store.addInspection(
            agency: justice, heldOn: day(21), kind: "unannounced", team: "Văn phòng UBND tỉnh; Công đoàn Viên chức tỉnh",
            findings: "Bộ phận một cửa niêm yết đủ thủ tục; một công chức không đeo thẻ khi tiếp dân; sổ góp ý chưa cập nhật.",
            by: "demo", within: nil)
        let confirmed = try await store.report(
            ViolationReport(
                badge: "CB-001", occurredOn: day(21), norm: "trang_phuc", source: .inspection, inspectionID: inspection,
                description: "Không đeo thẻ công chức khi tiếp công dân tại quầy số 1."),
            agency: justice, by: "demo", within: nil)
        _ = try await store.addEvidence(confirmed, fileName: "bien-ban-kiem-tra.pdf", bytes: Self.evidencePDF, by: "demo", within: nil)
        try await store.decide(
            confirmed, status: .confirmed, reason: "Biên bản kiểm tra có chữ ký của công chức; đã nhắc nhở trước tập thể.", by: "demo",
            within: nil)
        _ = try await store.report(
            ViolationReport(
                badge: "CB-010", occurredOn: day(9), norm: "tinh_than_thai_do", source: .supervisor,
                description: "Rời quầy 40 phút trong giờ tiếp dân, không báo lãnh đạo bộ phận."),
            agency: centre, by: "demo", within: nil)
        let dismissed = try await store.report(
            ViolationReport(
                badge: "CB-006", occurredOn: day(15), norm: "giao_tiep_ung_xu", source: .camera,
                description: "Camera ghi nhận lời qua tiếng lại với người dân."),
            agency: construction, by: "demo", within: nil)
        try await store.decide(
            dismissed, status: .dismissed, reason: "Xem lại ghi hình: công chức giải thích đúng quy định, không có lời lẽ thiếu chuẩn mực.",
            by: "demo", within: nil)
        // A citizen's complaint at the lagging commune, turned into a reported violation of the officer it named.
        let rows = try await client.query(
            """
            SELECT id, officer_badge FROM responses
            WHERE agency_id = \(commune.id) AND comment IS NOT NULL AND officer_badge IS NOT NULL ORDER BY seq LIMIT 1
            """, logger: logger)
        for try await (response, badge) in rows.decode((UUID, String).self) {
            _ = try await store.report(
                ViolationReport(
                    badge: badge, occurredOn: day(3), norm: "giao_tiep_ung_xu", source: .complaint, responseID: response,
                    description: "Người dân phản ánh qua kiosk: cán bộ chưa hướng dẫn rõ, thái độ chưa niềm nở."),
                agency: commune, by: "demo", within: nil)
        }
    }

    /// A one-page PDF standing in for a scanned inspection record.
    static let evidencePDF: [UInt8] = Array(
        """
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
        3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
        trailer << /Root 1 0 R >>
        %%EOF

        """.utf8)
}
