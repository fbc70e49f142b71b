import HaiLongCore
import Testing

@Suite struct PeriodMoreTests {
    @Test(arguments: [
        ("2026-W01", "2025-12-29", "2026-01-04"),  // 4 January 2026 is a Sunday: week 1 starts in 2025
        ("2026-W48", "2026-11-23", "2026-11-29"),
        ("2020-W53", "2020-12-28", "2021-01-03"),  // 2020 has 53 ISO weeks
        ("2026-W53", "2026-12-28", "2027-01-03"),  // so has 2026 (1 January is a Thursday)
    ])
    func isoWeeks(_ text: String, _ first: String, _ last: String) throws {
        let period = try Period.parse(text)
        #expect(period.first.description == first && period.last.description == last)
        #expect(period.first.isoWeekday == 1 && period.dayCount == 7)
    }

    @Test(arguments: ["2025-W53", "2026-W00", "2026-W5", "2026-Wxx"])
    func badWeeks(_ text: String) {
        #expect(throws: ValidationError.self) { try Period.parse(text) }
    }

    @Test(arguments: [
        ("2026", "2025"), ("2026-Q1", "2025-Q4"), ("2026-Q3", "2026-Q2"), ("2026-01", "2025-12"), ("2026-03", "2026-02"),
        ("2026-03-01", "2026-02-28..2026-02-28"), ("2026-W48", "2026-11-16..2026-11-22"),
        ("2026-01-10..2026-01-19", "2025-12-31..2026-01-09"),
    ])
    func thePreviousPeriodIsOfTheSameKind(_ text: String, _ previous: String) throws {
        let period = try Period.parse(text)
        #expect(period.previous.label == previous)
        #expect(period.previous.last.adding(days: 1) == period.first)
    }

    @Test func dayNumbersRoundTrip() {
        for number in stride(from: -700_000, through: 2_900_000, by: 997) {
            #expect(LocalDate(dayNumber: number).dayNumber == number)
        }
        #expect(LocalDate(year: 1970, month: 1, day: 1)!.dayNumber == 0)
        #expect(LocalDate(year: 2026, month: 11, day: 23)!.isoWeekday == 1)  // a Monday
    }
}
