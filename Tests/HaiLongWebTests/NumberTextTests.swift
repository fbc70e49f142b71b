import Foundation
import Testing

@testable import HaiLongWeb

/// Pages write figures without `String(format:)` (`AdminPages.number`): the text must be printf's `%.2f`, with a decimal
/// comma in Vietnamese, for figures rounded to two decimals (all a page shows) and for any other value.
@Suite struct NumberTextTests {
    @Test func figuresAreWrittenAsPrintfWritesThem() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.005, 0.125, 2.675, 1.115, -1.115, 99.995, 100, 1e16, -3.5e-7, 12_345.67, .infinity]
        for _ in 0..<20_000 {
            let raw = Double.random(in: -1_000...1_000, using: &generator)
            values += [raw, raw.roundedHalfUp(), (raw * 100).rounded() / 100, Double(Int.random(in: -100_000...100_000)) / 100]
        }
        for value in values {
            let printf = String(format: "%.2f", value)
            #expect(AdminPages.number(value, .en) == printf, "\(value)")
            #expect(AdminPages.number(value, .vi) == printf.replacingOccurrences(of: ".", with: ","), "\(value)")
        }
        #expect(AdminPages.number(nil, .vi) == "–")
    }
}
