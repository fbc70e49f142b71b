import Foundation
import HaiLongCore

/// UTC timestamps with milliseconds, the form every API answer uses (`2026-11-23T01:15:00.123Z`).
enum Timestamp {
    /// `date` cut to whole milliseconds, so that it survives a round trip through the database unchanged.
    static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Parses what `format` writes.
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func format(_ date: Date) -> String {
        // Civil date arithmetic (LocalDate's day numbers) rather than a Calendar: this runs for every stored response.
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = milliseconds.quotient(1000)
        let day = LocalDate(dayNumber: Int(seconds.quotient(86_400)))
        let second = Int(seconds.remainder(86_400))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", day.year, day.month, day.day, second / 3600, second / 60 % 60, second % 60,
            Int(milliseconds.remainder(1000)))
    }
}

extension Int64 {
    /// Floor division, correct for times before 1970.
    fileprivate func quotient(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor < 0) ? q - 1 : q
    }

    fileprivate func remainder(_ divisor: Int64) -> Int64 {
        let r = self % divisor
        return r < 0 ? r + divisor : r
    }
}
