import Foundation
import HaiLongCore
import Testing

@Suite("Period and LocalDate")
struct PeriodTests {
    struct ValidPeriod: Sendable, CustomTestStringConvertible {
        let text: String
        let first: [Int]
        let last: [Int]
        var testDescription: String { text }
    }

    static let validPeriods: [ValidPeriod] = [
        ValidPeriod(text: "2026", first: [2026, 1, 1], last: [2026, 12, 31]),
        ValidPeriod(text: "2026-Q1", first: [2026, 1, 1], last: [2026, 3, 31]),
        ValidPeriod(text: "2026-Q2", first: [2026, 4, 1], last: [2026, 6, 30]),
        ValidPeriod(text: "2026-Q3", first: [2026, 7, 1], last: [2026, 9, 30]),
        ValidPeriod(text: "2026-Q4", first: [2026, 10, 1], last: [2026, 12, 31]),
        ValidPeriod(text: "2024-02", first: [2024, 2, 1], last: [2024, 2, 29]),  // leap year
        ValidPeriod(text: "2026-02", first: [2026, 2, 1], last: [2026, 2, 28]),
        ValidPeriod(text: "2100-02", first: [2100, 2, 1], last: [2100, 2, 28]),  // divisible by 100, not 400
        ValidPeriod(text: "2000-02", first: [2000, 2, 1], last: [2000, 2, 29]),  // divisible by 400
        ValidPeriod(text: "2026-04", first: [2026, 4, 1], last: [2026, 4, 30]),
        ValidPeriod(text: "2026-12", first: [2026, 12, 1], last: [2026, 12, 31]),
        ValidPeriod(text: "2026-11-23", first: [2026, 11, 23], last: [2026, 11, 23]),
        ValidPeriod(text: "2026-01..2026-03-15", first: [2026, 1, 1], last: [2026, 3, 15]),
        ValidPeriod(text: "2025-Q4..2026", first: [2025, 10, 1], last: [2026, 12, 31]),
        ValidPeriod(text: "2026-03-15..2026-03-15", first: [2026, 3, 15], last: [2026, 3, 15]),
    ]

    @Test("valid periods parse to their first and last local day", arguments: validPeriods)
    func validPeriod(_ valid: ValidPeriod) throws {
        let period = try Period.parse(valid.text)
        let first = try #require(LocalDate(year: valid.first[0], month: valid.first[1], day: valid.first[2]))
        let last = try #require(LocalDate(year: valid.last[0], month: valid.last[1], day: valid.last[2]))
        #expect(period.first == first)
        #expect(period.last == last)
        #expect(period.label == valid.text)
    }

    @Test(
        "invalid periods throw a ValidationError naming 'period'",
        arguments: [
            "2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-02-30", "2026-04-31", "26", "2026-3", "2026-1-01",
            "2026-10..2026-01", "2026-01-02..2026-01-01", "2026..", "..2026", "", "abc", "0000", "2026-Q3-01",
        ])
    func invalidPeriod(_ text: String) {
        let error = #expect(throws: ValidationError.self) { try Period.parse(text) }
        #expect(error?.field == "period")
    }

    @Test("a late-evening tap on 30 September local time is in Q3")
    func lateEveningIsQ3() throws {
        // 2026-09-30T23:30:00+07:00 = 2026-09-30T16:30:00Z
        let tap = Date(timeIntervalSince1970: 1_790_785_800)
        let day = LocalDate(tap, in: Fixtures.hoChiMinh)
        #expect(day == LocalDate(year: 2026, month: 9, day: 30))
        let q3 = try Period.parse("2026-Q3")
        #expect(q3.first <= day && day <= q3.last)
    }

    @Test("a tap just after local midnight on 1 October is in Q4 although it is 30 September in UTC")
    func afterLocalMidnightIsQ4() throws {
        // 2026-10-01T00:30:00+07:00 = 2026-09-30T17:30:00Z
        let tap = Date(timeIntervalSince1970: 1_790_789_400)
        let day = LocalDate(tap, in: Fixtures.hoChiMinh)
        #expect(day == LocalDate(year: 2026, month: 10, day: 1))
        #expect(LocalDate(tap, in: TimeZone(identifier: "UTC")!) == LocalDate(year: 2026, month: 9, day: 30))
        let q3 = try Period.parse("2026-Q3")
        let q4 = try Period.parse("2026-Q4")
        #expect(day > q3.last)
        #expect(q4.first <= day && day <= q4.last)
    }

    @Test("the start of a local day is local midnight")
    func startOfDay() throws {
        let day = try #require(LocalDate(year: 2026, month: 10, day: 1))
        // 2026-10-01T00:00:00+07:00 = 2026-09-30T17:00:00Z
        #expect(day.start(in: Fixtures.hoChiMinh) == Date(timeIntervalSince1970: 1_790_787_600))
    }

    @Test("LocalDate parses only valid YYYY-MM-DD")
    func localDateParsing() throws {
        #expect(LocalDate("2026-02-29") == nil)
        #expect(LocalDate("2026-9-30") == nil)
        #expect(LocalDate("2026-09-30T00:00") == nil)
        let leap = try #require(LocalDate("2024-02-29"))
        #expect(leap.year == 2024 && leap.month == 2 && leap.day == 29)
        #expect(leap.description == "2024-02-29")
        #expect(LocalDate(year: 2026, month: 4, day: 31) == nil)
    }

    @Test("LocalDate orders by year, then month, then day")
    func localDateOrder() throws {
        let a = try #require(LocalDate("2025-12-31"))
        let b = try #require(LocalDate("2026-01-01"))
        let c = try #require(LocalDate("2026-01-02"))
        let d = try #require(LocalDate("2026-02-01"))
        #expect(a < b && b < c && c < d)
        #expect(!(d < a))
    }

    @Test(
        "a period cut into whole years, quarters, months, weeks and days: what each cube can answer",
        arguments: [
            ("2026", "year 2026-01-01 2026-12-31"),
            ("2026-Q3", "quarter 2026-07-01 2026-09-30"),
            ("2026-02-01..2026-12-31", "month 2026-02-01 2026-03-31, quarter 2026-04-01 2026-12-31"),
            (
                "2026-03-15..2026-08-31",
                "day 2026-03-15 2026-03-15, week 2026-03-16 2026-03-29, day 2026-03-30 2026-03-31, quarter 2026-04-01 2026-06-30, "
                    + "month 2026-07-01 2026-08-31"
            ),
            ("2024-02", "month 2024-02-01 2024-02-29"),
            (
                "2026-01-15..2026-04-10",
                "day 2026-01-15 2026-01-18, week 2026-01-19 2026-01-25, day 2026-01-26 2026-01-31, month 2026-02-01 2026-03-31, "
                    + "day 2026-04-01 2026-04-10"
            ),
            (
                "2025-12-02..2026-12-31",
                "day 2025-12-02 2025-12-07, week 2025-12-08 2025-12-28, day 2025-12-29 2025-12-31, year 2026-01-01 2026-12-31"
            ),
            (
                "2025-11-15..2027-02-10",
                "day 2025-11-15 2025-11-16, week 2025-11-17 2025-11-30, month 2025-12-01 2025-12-31, year 2026-01-01 2026-12-31, "
                    + "month 2027-01-01 2027-01-31, week 2027-02-01 2027-02-07, day 2027-02-08 2027-02-10"
            ),
            ("2026-01-02..2026-02-27", "day 2026-01-02 2026-01-04, week 2026-01-05 2026-02-22, day 2026-02-23 2026-02-27"),
            ("2026-03-03..2026-03-08", "day 2026-03-03 2026-03-08"),
            ("2026-W10", "week 2026-03-02 2026-03-08"),
            ("2026-03-01", "day 2026-03-01 2026-03-01"),
        ] as [(String, String)])
    func segments(_ text: String, _ expected: String) throws {
        let cut = try Period.parse(text).segments(Set(Period.Span.allCases))
        #expect(cut.map { "\($0.span.rawValue) \($0.first) \($0.last)" }.joined(separator: ", ") == expected, "\(text)")
    }

    @Test("without the year span a year is read as twelve months in one stretch; with days only, as days")
    func segmentsWithFewerSpans() throws {
        let year = try Period.parse("2026")
        #expect(year.segments([.day, .month]).map(\.span) == [.month])
        #expect(year.segments([.day]).map(\.span) == [.day])
        #expect(year.segments([.day]).first?.last.description == "2026-12-31")
        #expect(year.segments([.day, .month, .quarter]).map(\.span) == [.quarter])
        #expect(try Period.parse("2026-Q2").segments([.day, .month, .year]).map(\.span) == [.month])
        // Weeks only where days would be read: never instead of a whole month.
        #expect(try Period.parse("2026-02").segments([.day, .week, .month]).map(\.span) == [.month])
        #expect(try Period.parse("2026-02").segments([.day, .week]).map(\.span) == [.day, .week, .day])
    }
}
