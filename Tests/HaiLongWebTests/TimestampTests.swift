import Foundation
import Testing

@testable import HaiLongWeb

/// `Timestamp.format` does its own calendar arithmetic (it runs for every stored response): it must write what
/// Foundation's ISO 8601 formatter writes, across leap days, year ends and times before 1970, and parse back.
@Suite struct TimestampTests {
    @Test func formatAgreesWithFoundationAndParsesBack() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var instants: [Double] = [0, -1, -0.001, 951_782_400.5, 1_709_164_799.999, 1_798_761_599.123, -2_208_988_800.25]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Whole milliseconds between 1900 and 2100.
            instants.append(Double(Int64(state >> 20) % 6_311_433_600_000 - 2_208_988_800_000) / 1000)
        }
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            let text = Timestamp.format(date)
            #expect(text == formatter.string(from: date), "\(instant)")
            #expect(Timestamp.parse(text).map { abs($0.timeIntervalSince1970 - instant) < 0.0005 } == true, "\(text)")
        }
    }
}
