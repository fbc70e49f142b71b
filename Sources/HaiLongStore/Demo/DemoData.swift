import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// A small demonstration province — departments, a service centre and communes, with counters, officers,
/// kiosks and some thousands of ratings over the last four months, served dossiers and web surveys (DemoData+Web),
/// and the year's inspections, violations and emulation blocks (DemoData+Accountability) — so a newcomer sees figures
/// at once.
/// Deterministic: the same seed gives the same data.
public struct DemoData: Sendable {
    let client: PostgresClient
    let directory: PostgresDirectoryStore
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.directory = PostgresDirectoryStore(client: client, logger: logger)
        self.logger = logger
    }

    public static let provinceCode = "DEMO"

    static let agencies: [(code: String, name: String, kind: String)] = [
        ("DEMO.STP", "Sở Tư pháp", "department"),
        ("DEMO.SXD", "Sở Xây dựng", "department"),
        ("DEMO.TTHCC", "Trung tâm Phục vụ hành chính công tỉnh", "center"),
        ("DEMO.XTP", "Xã Tân Phú", "commune"),
        ("DEMO.PHB", "Phường Hòa Bình", "ward"),
        ("DEMO.XAK", "Xã An Khánh", "commune"),
    ]

    static let names = [
        "Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Hồng", "Phạm Minh Đức", "Hoàng Thị Mai", "Vũ Quốc Khánh",
        "Đặng Thu Hà", "Bùi Văn Long", "Đỗ Thị Ngọc Ánh", "Hồ Sỹ Tùng", "Ngô Thị Phương", "Dương Văn Thắng",
        "Lý Thị Thu Trang", "Trịnh Công Sơn", "Phan Thị Yến", "Võ Đình Nam", "Đinh Thị Hải Yến", "Mai Văn Tiến",
        "Tạ Thị Quỳnh", "Chu Văn Hiếu", "Lương Thị Hạnh", "Kiều Minh Tuấn", "Quách Thị Duyên", "Tôn Thất Bảo",
    ]

    /// Creates the demo province unless it exists; returns whether it was created.
    @discardableResult
    public func seedIfMissing(now: Date = Date(), timeZone: TimeZone) async throws -> Bool {
        if try await directory.agency(code: Self.provinceCode) != nil { return false }
        let provinceID = try await directory.addAgency(
            code: Self.provinceCode, name: "Tỉnh Hải Long (dữ liệu mẫu)", parentCode: nil, kind: "province")
        try await directory.setOpeningHours(
            agencyCode: Self.provinceCode, hours: try OpeningHours(parsing: "mon-fri 07:00-11:30,13:00-17:00; sat 07:30-11:30"))
        var generator = SplitMix64(seed: 2026)
        var officerIndex = 0
        var rows = DemoRows()
        for (agencyIndex, agency) in Self.agencies.enumerated() {
            let agencyID = try await directory.addAgency(
                code: agency.code, name: agency.name, parentCode: Self.provinceCode, kind: agency.kind)
            for counterNumber in 1...2 {
                let counterCode = "Q\(counterNumber)"
                let counterID = try await directory.addCounter(agencyCode: agency.code, code: counterCode, name: "Quầy số \(counterNumber)")
                let kiosk = try await directory.addKiosk(
                    agencyCode: agency.code, counterCode: counterCode, label: "Kiosk quầy \(counterNumber)")
                for _ in 1...2 {
                    let badge = String(format: "CB-%03d", officerIndex + 1)
                    let officerID = try await directory.addOfficer(
                        agencyCode: agency.code, badge: badge, name: Self.names[officerIndex % Self.names.count],
                        counterCode: counterCode, title: officerIndex % 3 == 0 ? "Chuyên viên chính" : "Chuyên viên")
                    // Each officer has their own quality; one commune lags, so the dashboard has something to show.
                    let quality = agencyIndex == 5 ? 0.72 : 0.82 + Double(officerIndex % 5) * 0.035
                    rows.add(
                        count: 180 + Int(generator.next() % 160), quality: quality, agencyID: agencyID, counterID: counterID,
                        officerID: officerID, badge: badge, kioskID: kiosk.id, now: now, timeZone: timeZone,
                        generator: &generator)
                    officerIndex += 1
                }
            }
        }
        try await insert(rows)
        let surveys = try await seedDossiersAndSurveys(now: now, timeZone: timeZone, generator: &generator)
        try await seedAccountability(now: now, timeZone: timeZone)
        logger.info(
            "demo province created",
            metadata: [
                "agency": "\(Self.provinceCode)", "id": "\(provinceID)", "responses": "\(rows.ids.count)", "web_surveys": "\(surveys)",
            ])
        return true
    }

    func insert(_ rows: DemoRows) async throws {
        let questionnaireRows = try await client.query("SELECT id FROM questionnaires WHERE code = 'kiosk-3' ORDER BY version DESC LIMIT 1")
        var questionnaireID = 0
        for try await id in questionnaireRows.decode(Int.self) { questionnaireID = id }
        try await client.query(
            """
            WITH stored AS (
                INSERT INTO responses (id, questionnaire_id, agency_id, counter_id, officer_id, officer_badge, kiosk_id,
                    channel, dossier_code, answers, comment, submitted_at, received_at, flags, request_hash)
                SELECT id, \(questionnaireID), agency_id, counter_id, officer_id, badge, kiosk_id, 'kiosk',
                    nullif(dossier, ''), answers::jsonb, nullif(comment, ''), tap, tap + interval '1 second',
                    string_to_array(flags, ','), '\\x00'::bytea
                FROM unnest(\(rows.ids), \(rows.agencyIDs), \(rows.counterIDs), \(rows.officerIDs), \(rows.badges),
                            \(rows.kioskIDs), \(rows.dossiers), \(rows.answers), \(rows.comments), \(rows.taps), \(rows.flags))
                    AS t(id, agency_id, counter_id, officer_id, badge, kiosk_id, dossier, answers, comment, tap, flags)
                RETURNING seq
            )
            INSERT INTO pending_aggregation (seq) SELECT seq FROM stored
            """, logger: logger)
        // The one-stop system's served dossiers, the response rate's denominator: every rated dossier, and about as many
        // again that nobody rated (a counter hears from some of its citizens, not all), returned at the tap.
        try await client.query(
            """
            INSERT INTO dossiers (code, agency_id, counter_id, officer_id, officer_badge, received_at, returned_at)
            SELECT code, agency_id, counter_id, officer_id, badge, tap - interval '3 days', tap
            FROM unnest(\(rows.agencyIDs), \(rows.counterIDs), \(rows.officerIDs), \(rows.badges), \(rows.dossiers), \(rows.taps))
                WITH ORDINALITY AS t(agency_id, counter_id, officer_id, badge, dossier, tap, number)
            CROSS JOIN LATERAL (VALUES (nullif(dossier, '')), ('KR.' || number)) AS d (code)
            WHERE code IS NOT NULL
            ON CONFLICT (agency_id, code) DO NOTHING
            """, logger: logger)
    }
}

/// Column arrays for one bulk insert of demo responses.
struct DemoRows {
    var ids: [UUID] = []
    var agencyIDs: [Int64] = []
    var counterIDs: [Int64] = []
    var officerIDs: [Int64] = []
    var badges: [String] = []
    var kioskIDs: [Int64] = []
    var dossiers: [String] = []
    var answers: [String] = []
    var comments: [String] = []
    var taps: [Date] = []
    var flags: [String] = []

    static let reasons = [
        "xin_chao", "xin_loi", "xin_cam_on", "xin_phep", "luon_mim_cuoi", "luon_nhe_nhang", "luon_lang_nghe", "luon_giup_do",
    ]
    static let comments = ["Chờ lâu quá", "Cán bộ chưa hướng dẫn rõ", "Phải đi lại nhiều lần", "Thái độ chưa niềm nở"]

    mutating func add(
        count: Int, quality: Double, agencyID: Int64, counterID: Int64, officerID: Int64, badge: String, kioskID: Int64,
        now: Date, timeZone: TimeZone, generator: inout SplitMix64
    ) {
        let today = LocalDate(now, in: timeZone).start(in: timeZone)
        var taps: [Date] = []
        while taps.count < count {
            let daysAgo = Int(generator.next() % 120) + 1
            let day = today.addingTimeInterval(-Double(daysAgo) * 86_400)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let weekday = calendar.component(.weekday, from: day)
            if weekday == 1 || (weekday == 7 && generator.unit() < 0.7) { continue }  // Sundays closed, few Saturdays
            let seconds = 7.5 * 3600 + generator.unit() * 9.5 * 3600  // 07:30–17:00
            taps.append(day.addingTimeInterval(seconds))
        }
        for tap in taps.sorted() {
            let roll = generator.unit()
            let level = roll > quality ? 1 : (generator.unit() < 0.62 ? 3 : 2)
            var answer = "{\"overall\": \(level)"
            var comment = ""
            if level == 1 {
                let first = Self.reasons[Int(generator.next() % UInt64(Self.reasons.count))]
                let second = Self.reasons[Int(generator.next() % UInt64(Self.reasons.count))]
                let codes = Set([first, second]).sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                answer += ", \"reasons\": [\(codes)]"
                if generator.unit() < 0.3 { comment = Self.comments[Int(generator.next() % UInt64(Self.comments.count))] }
            }
            answer += "}"
            let hasDossier = generator.unit() < 0.7
            ids.append(UUID())
            agencyIDs.append(agencyID)
            counterIDs.append(counterID)
            officerIDs.append(officerID)
            badges.append(badge)
            kioskIDs.append(kioskID)
            dossiers.append(hasDossier ? String(format: "H%02lld.%06d", agencyID, Int(generator.next() % 1_000_000)) : "")
            answers.append(answer)
            comments.append(comment)
            self.taps.append(tap)
            flags.append(hasDossier ? "" : Flag.noDossier.rawValue)
        }
    }
}

/// A small deterministic random generator (SplitMix64), so demo data is the same on every machine.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
