import Foundation

/// When an agency's counters are open, per weekday, in local time. A tap outside them is flagged `outside_hours`
/// (informational: it is kept and counted unless a methodology excludes the flag).
///
/// Stored as JSON, `{"mon": [["07:30","11:30"], ["13:30","17:00"]], …, "sat": [["07:30","11:30"]]}` (a weekday
/// left out is closed), and written by operators as text: `mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30`.
public struct OpeningHours: Sendable, Hashable, Codable {
    /// Minutes after local midnight, `[from, to)`.
    public struct Span: Sendable, Hashable {
        public var from: Int
        public var to: Int
    }

    /// The weekday keys, Monday first (ISO order).
    public static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// Spans per weekday index (0 = Monday … 6 = Sunday).
    public private(set) var days: [[Span]] = Array(repeating: [], count: 7)

    public init(days: [[Span]]) {
        precondition(days.count == 7)
        self.days = days
    }

    /// Parses the operator's text form; the error names what is wrong.
    public init(parsing text: String) throws {
        let field = "opening_hours"
        for clause in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !clause.isEmpty {
            let parts = clause.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw ValidationError(
                    field: field, reason: "'\(clause)' must be 'DAYS HH:MM-HH:MM[,HH:MM-HH:MM]', e.g. 'mon-fri 07:30-17:00'")
            }
            let dayIndices = try Self.days(parts[0], field: field)
            let spans = try parts[1].split(separator: ",").map { try Self.span($0.trimmingCharacters(in: .whitespaces), field: field) }
            for day in dayIndices { days[day].append(contentsOf: spans) }
        }
        guard days.contains(where: { !$0.isEmpty }) else {
            throw ValidationError(field: field, reason: "names no open hours at all")
        }
        days = days.map { $0.sorted { $0.from < $1.from } }
    }

    /// Whether `date` falls inside the opening hours, read in `timeZone`.
    public func isOpen(at date: Date, in timeZone: TimeZone) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        // Calendar weekdays run 1 = Sunday … 7 = Saturday.
        let day = (parts.weekday! + 5) % 7
        let minute = parts.hour! * 60 + parts.minute!
        return days[day].contains { $0.from <= minute && minute < $0.to }
    }

    /// The operator's text form, one clause per distinct set of spans.
    public var text: String {
        var clauses: [String] = []
        var index = 0
        while index < 7 {
            var end = index
            while end + 1 < 7 && days[end + 1] == days[index] { end += 1 }
            if !days[index].isEmpty {
                let range = index == end ? Self.weekdays[index] : "\(Self.weekdays[index])-\(Self.weekdays[end])"
                clauses.append("\(range) " + days[index].map { "\(Self.clock($0.from))-\(Self.clock($0.to))" }.joined(separator: ","))
            }
            index = end + 1
        }
        return clauses.joined(separator: "; ")
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let table = try container.decode([String: [[String]]].self)
        for (key, spans) in table {
            guard let day = Self.weekdays.firstIndex(of: key) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown weekday '\(key)'")
            }
            days[day] = try spans.map { pair in
                guard pair.count == 2, let from = Self.minutes(pair[0]), let to = Self.minutes(pair[1]), from < to else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "bad span \(pair) on \(key)")
                }
                return Span(from: from, to: to)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var table: [String: [[String]]] = [:]
        for (day, spans) in days.enumerated() where !spans.isEmpty {
            table[Self.weekdays[day]] = spans.map { [Self.clock($0.from), Self.clock($0.to)] }
        }
        var container = encoder.singleValueContainer()
        try container.encode(table)
    }

    static func days(_ text: String, field: String) throws -> [Int] {
        let ends = text.lowercased().split(separator: "-").map(String.init)
        guard (1...2).contains(ends.count), let first = weekdays.firstIndex(of: ends[0]),
            let last = weekdays.firstIndex(of: ends[ends.count - 1]), first <= last
        else {
            throw ValidationError(field: field, reason: "'\(text)' must be a weekday or a range like mon-fri (mon tue wed thu fri sat sun)")
        }
        return Array(first...last)
    }

    static func span(_ text: String, field: String) throws -> Span {
        let ends = text.split(separator: "-").map(String.init)
        guard ends.count == 2, let from = minutes(ends[0]), let to = minutes(ends[1]), from < to else {
            throw ValidationError(field: field, reason: "'\(text)' must be a time range like 07:30-11:30")
        }
        return Span(from: from, to: to)
    }

    /// `HH:MM` (00:00 … 24:00) as minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 24 * 60
        else { return nil }
        return hour * 60 + minute
    }

    static func clock(_ minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
