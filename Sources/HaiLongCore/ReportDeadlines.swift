import Foundation

/// When a province's yearly reports are due: the agencies' to Sở Nội vụ (default 15/11) and the province's consolidated
/// report (default 15/12), as a month and day of the reporting year.
public struct ReportDeadlines: Sendable, Equatable, Codable {
    public var agencyMonth: Int
    public var agencyDay: Int
    public var provinceMonth: Int
    public var provinceDay: Int

    public init(agencyMonth: Int = 11, agencyDay: Int = 15, provinceMonth: Int = 12, provinceDay: Int = 15) {
        self.agencyMonth = agencyMonth
        self.agencyDay = agencyDay
        self.provinceMonth = provinceMonth
        self.provinceDay = provinceDay
    }

    /// Parses `DD/MM` (Vietnamese order) for `field`.
    public static func parseDay(_ text: String, field: String) throws -> (month: Int, day: Int) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/").map(String.init)
        guard parts.count == 2, let day = Int(parts[0]), let month = Int(parts[1]),
            LocalDate(year: 2024, month: month, day: day) != nil
        else {
            throw ValidationError(field: field, reason: "must be a day of the year as DD/MM, like 15/11")
        }
        return (month, day)
    }

    /// The day a `kind` report of `year` is due (the last day of the month when the day does not exist that year).
    public func due(_ kind: ReportKind, year: Int) -> LocalDate {
        let (month, day) = kind == .agency ? (agencyMonth, agencyDay) : (provinceMonth, provinceDay)
        return LocalDate(year: year, month: month, day: min(day, LocalDate.daysIn(month: month, year: year)))!
    }

    /// Days from `today` to the deadline: positive before it, 0 on the day, negative once it has passed.
    public func daysLeft(_ kind: ReportKind, year: Int, today: LocalDate) -> Int {
        due(kind, year: year).dayNumber - today.dayNumber
    }

    /// "còn 12 ngày", "hạn hôm nay", "quá hạn 3 ngày".
    public static func daysLeftText(_ days: Int) -> String {
        days > 0 ? "còn \(days) ngày" : days == 0 ? "hạn hôm nay" : "quá hạn \(-days) ngày"
    }
}

/// Numbers as a Vietnamese document writes them: a decimal comma and dots between thousands ("86,10", "6.252").
public enum VietnameseNumber {
    /// `value` with two decimals: 86.1 → "86,10", 1234.5 → "1.234,50"; "–" when there is none.
    public static func decimal(_ value: Double?, digits: Int = 2) -> String {
        guard let value, value.isFinite else { return "–" }
        let text = String(format: "%.\(digits)f", abs(value))
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        let whole = grouped(parts[0])
        let sign = value < 0 && text.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + whole + (parts.count > 1 ? "," + parts[1] : "")
    }

    /// A count: 6252 → "6.252".
    public static func integer(_ value: Int) -> String {
        (value < 0 ? "-" : "") + grouped(String(value.magnitude))
    }

    /// A percentage: 86.1 → "86,10 %".
    public static func percent(_ value: Double?) -> String {
        value == nil ? "–" : decimal(value) + " %"
    }

    /// A signed change: +1,25 or -0,50.
    public static func change(_ value: Double?) -> String {
        guard let value else { return "–" }
        return (value > 0 ? "+" : "") + decimal(value)
    }

    static func grouped(_ digits: String) -> String {
        var result = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { result.append(".") }
            result.append(character)
        }
        return result
    }
}
