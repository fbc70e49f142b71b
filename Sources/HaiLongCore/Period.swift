/// A reporting period: whole local days from `first` to `last`, inclusive.
///
/// Forms (docs/CONTRACT.md): `YYYY`, `YYYY-Qn`, `YYYY-MM`, `YYYY-Www` (ISO week, Monday first), `YYYY-MM-DD`, and
/// `FROM..TO` where each side is any of those forms (`2026-01..2026-03-15`). A response belongs to the period containing the local day of its tap.
public struct Period: Sendable, Hashable, Codable {
    public var label: String
    public var first: LocalDate
    public var last: LocalDate

    public init(label: String, first: LocalDate, last: LocalDate) {
        self.label = label
        self.first = first
        self.last = last
    }

    /// Parses a period; the error names the `period` parameter.
    public static func parse(_ text: String) throws(ValidationError) -> Period {
        let invalid = ValidationError(
            field: "period", reason: "'\(text)' is not a period: use YYYY, YYYY-Qn, YYYY-MM, YYYY-Www, YYYY-MM-DD or FROM..TO")
        if let range = text.range(of: "..") {
            guard let from = single(String(text[..<range.lowerBound])),
                let to = single(String(text[range.upperBound...]))
            else { throw invalid }
            guard from.first <= to.last else {
                throw ValidationError(field: "period", reason: "'\(text)' ends before it starts")
            }
            return Period(label: text, first: from.first, last: to.last)
        }
        guard let period = single(text) else { throw invalid }
        return period
    }

    static func single(_ text: String) -> Period? {
        guard text.allSatisfy({ $0 == "-" || $0 == "Q" || $0 == "W" || $0.isASCII && $0.isNumber }) else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let yearPart = parts.first, yearPart.count == 4, let year = Int(yearPart), year >= 1 else { return nil }
        switch parts.count {
        case 1:
            return Period(label: text, first: LocalDate(year: year, month: 1, day: 1)!, last: LocalDate(year: year, month: 12, day: 31)!)
        case 2 where parts[1].count == 2 && parts[1].first == "Q":
            guard let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) else { return nil }
            let lastMonth = quarter * 3
            return Period(
                label: text, first: LocalDate(year: year, month: lastMonth - 2, day: 1)!,
                last: LocalDate(year: year, month: lastMonth, day: LocalDate.daysIn(month: lastMonth, year: year))!)
        case 2 where parts[1].count == 3 && parts[1].first == "W":
            guard let week = Int(parts[1].dropFirst()), week >= 1 else { return nil }
            // Week 1 is the week with 4 January in it.
            let january4 = LocalDate(year: year, month: 1, day: 4)!
            let monday = january4.adding(days: 1 - january4.isoWeekday).adding(days: (week - 1) * 7)
            let thursday = monday.adding(days: 3)
            guard thursday.year == year else { return nil }
            return Period(label: text, first: monday, last: monday.adding(days: 6))
        case 2 where parts[1].count == 2:
            guard let month = Int(parts[1]), let first = LocalDate(year: year, month: month, day: 1) else { return nil }
            return Period(
                label: text, first: first, last: LocalDate(year: year, month: month, day: LocalDate.daysIn(month: month, year: year))!)
        case 3:
            guard let day = LocalDate(text) else { return nil }
            return Period(label: text, first: day, last: day)
        default:
            return nil
        }
    }

    /// Days in the period.
    public var dayCount: Int { last.dayNumber - first.dayNumber + 1 }

    /// How a stretch of days can be read: day by day, or as whole ISO weeks (Monday to Sunday), calendar months,
    /// quarters or years (the rollups, sql/0022, 0029 and 0035).
    public enum Span: String, Sendable, Hashable, CaseIterable {
        case day, week, month, quarter, year
    }

    /// One stretch of the period, read in one `span`: days `first` to `last`, each a whole span.
    public struct Segment: Sendable, Hashable {
        public var span: Span
        public var first: LocalDate
        public var last: LocalDate
    }

    /// The period cut into as few stretches as the `spans` allow, the largest span first: whole years, then whole
    /// quarters, then whole months, then single days; consecutive stretches of one span merged. With weeks, each run of
    /// days left is read as its whole weeks (Monday to Sunday, across a month's end too) and the days before and after
    /// them: a week is a third as many cells as its seven days, and a range's edges were most of what it read.
    /// `2025-11-15..2027-02-10` with every span is days 15–16 Nov 2025, the weeks of 17–30 Nov, the month of December
    /// 2025, the year 2026, the month of January 2027, the week of 1–7 Feb and days 8–10 Feb 2027.
    public func segments(_ spans: Set<Span>) -> [Segment] {
        var segments: [Segment] = []
        var cursor = first
        while cursor <= last {
            let endOfYear = LocalDate(year: cursor.year, month: 12, day: 31)!
            let endOfMonth = LocalDate(
                year: cursor.year, month: cursor.month, day: LocalDate.daysIn(month: cursor.month, year: cursor.year))!
            let quarterEnd = (cursor.month + 2) / 3 * 3
            let endOfQuarter = LocalDate(year: cursor.year, month: quarterEnd, day: LocalDate.daysIn(month: quarterEnd, year: cursor.year))!
            let piece: Segment =
                if spans.contains(.year), cursor.month == 1, cursor.day == 1, endOfYear <= last {
                    Segment(span: .year, first: cursor, last: endOfYear)
                } else if spans.contains(.quarter), cursor.day == 1, cursor.month % 3 == 1, endOfQuarter <= last {
                    Segment(span: .quarter, first: cursor, last: endOfQuarter)
                } else if spans.contains(.month), cursor.day == 1, endOfMonth <= last {
                    Segment(span: .month, first: cursor, last: endOfMonth)
                } else {
                    Segment(span: .day, first: cursor, last: cursor)
                }
            if let previous = segments.last, previous.span == piece.span, previous.last.adding(days: 1) == piece.first {
                segments[segments.count - 1].last = piece.last
            } else {
                segments.append(piece)
            }
            cursor = piece.last.adding(days: 1)
        }
        guard spans.contains(.week) else { return segments }
        return segments.flatMap { $0.span == .day ? Self.weeks(from: $0.first, to: $0.last) : [$0] }
    }

    /// Days `first` to `last` as their whole weeks and the days before and after them.
    static func weeks(from first: LocalDate, to last: LocalDate) -> [Segment] {
        let monday = first.adding(days: (8 - first.isoWeekday) % 7)
        let weeks = (last.dayNumber - monday.dayNumber + 1) / 7
        guard weeks > 0 else { return [Segment(span: .day, first: first, last: last)] }
        let sunday = monday.adding(days: 7 * weeks - 1)
        var pieces: [Segment] = []
        if first < monday { pieces.append(Segment(span: .day, first: first, last: monday.adding(days: -1))) }
        pieces.append(Segment(span: .week, first: monday, last: sunday))
        if sunday < last { pieces.append(Segment(span: .day, first: sunday.adding(days: 1), last: last)) }
        return pieces
    }

    /// The period of the same kind just before this one: the previous year, quarter, month, week or day, or for a
    /// range as many days just before it.
    public var previous: Period {
        let parts = label.split(separator: "-")
        if !label.contains(".."), let year = Int(parts[0]) {
            switch parts.count {
            case 1: return try! Period.parse(String(format: "%04d", year - 1))
            case 2 where parts[1].first == "Q":
                let quarter = Int(parts[1].dropFirst())!
                return try! Period.parse(quarter == 1 ? String(format: "%04d-Q4", year - 1) : String(format: "%04d-Q%d", year, quarter - 1))
            case 2 where parts[1].first != "W":
                let month = Int(parts[1])!
                return try! Period.parse(month == 1 ? String(format: "%04d-12", year - 1) : String(format: "%04d-%02d", year, month - 1))
            default: break
            }
        }
        let last = first.adding(days: -1)
        let first = last.adding(days: 1 - dayCount)
        return Period(label: "\(first)..\(last)", first: first, last: last)
    }
}
