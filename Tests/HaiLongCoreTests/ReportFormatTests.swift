import HaiLongCore
import Testing

/// Numbers as a Vietnamese report writes them, and the reports' deadlines.
@Suite struct ReportFormatTests {
    @Test func numbersUseADecimalCommaAndDotsBetweenThousands() {
        #expect(VietnameseNumber.decimal(86.1) == "86,10")
        #expect(VietnameseNumber.decimal(1_234.5) == "1.234,50")
        #expect(VietnameseNumber.decimal(-0.5) == "-0,50")
        #expect(VietnameseNumber.decimal(-0.001) == "0,00", "no minus sign on a value that rounds to zero")
        #expect(VietnameseNumber.decimal(nil) == "–")
        #expect(VietnameseNumber.integer(6_252) == "6.252")
        #expect(VietnameseNumber.integer(1_234_567) == "1.234.567")
        #expect(VietnameseNumber.integer(999) == "999")
        #expect(VietnameseNumber.integer(-1_000) == "-1.000")
        #expect(VietnameseNumber.percent(86.1) == "86,10 %")
        #expect(VietnameseNumber.change(1.25) == "+1,25")
        #expect(VietnameseNumber.change(-2) == "-2,00")
    }

    @Test func deadlinesAndDaysLeft() throws {
        let deadlines = ReportDeadlines()
        #expect(deadlines.due(.agency, year: 2026) == LocalDate(year: 2026, month: 11, day: 15))
        #expect(deadlines.due(.consolidated, year: 2026) == LocalDate(year: 2026, month: 12, day: 15))
        let today = try #require(LocalDate(year: 2026, month: 11, day: 3))
        #expect(deadlines.daysLeft(.agency, year: 2026, today: today) == 12)
        #expect(deadlines.daysLeft(.agency, year: 2026, today: LocalDate(year: 2026, month: 11, day: 18)!) == -3)
        #expect(ReportDeadlines.daysLeftText(12) == "còn 12 ngày")
        #expect(ReportDeadlines.daysLeftText(0) == "hạn hôm nay")
        #expect(ReportDeadlines.daysLeftText(-3) == "quá hạn 3 ngày")
        // 31 February does not exist: a 31st falls on the month's last day.
        let odd = ReportDeadlines(agencyMonth: 2, agencyDay: 31)
        #expect(odd.due(.agency, year: 2026) == LocalDate(year: 2026, month: 2, day: 28))
        let parsed = try ReportDeadlines.parseDay("10/11", field: "agency_due")
        #expect(parsed.month == 11 && parsed.day == 10)
        #expect(throws: ValidationError(field: "agency_due", reason: "must be a day of the year as DD/MM, like 15/11")) {
            _ = try ReportDeadlines.parseDay("31/11", field: "agency_due")
        }
    }

    @Test func theContentRoundTripsAsSortedJSON() throws {
        let narrative = ReportNarrative(results: "Kết quả", shortcomings: "Hạn chế", plans: "Kế hoạch", proposals: "Kiến nghị")
        #expect(ReportNarrative.fields.map { narrative[$0] } == ["Kết quả", "Hạn chế", "Kế hoạch", "Kiến nghị"])
        #expect(throws: ValidationError.self) { _ = try ReportNarrative(plans: String(repeating: "a", count: 20_001)).validated() }
        #expect(ReportOfficers.band(of: 90) == 0 && ReportOfficers.band(of: 89.99) == 1 && ReportOfficers.band(of: 70) == 2)
        #expect(ReportOfficers.band(of: 12) == 3)
    }
}
