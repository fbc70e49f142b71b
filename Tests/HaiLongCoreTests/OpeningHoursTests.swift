import Foundation
import HaiLongCore
import Testing

@Suite struct OpeningHoursTests {
    let hanoi = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    @Test func theOperatorsTextRoundTripsAndReadsInLocalTime() throws {
        let hours = try OpeningHours(parsing: "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30")
        #expect(hours.text == "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30")
        let decoded = try JSONDecoder().decode(OpeningHours.self, from: JSONEncoder().encode(hours))
        #expect(decoded == hours)
        func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
        #expect(hours.isOpen(at: at("2026-11-23T07:30:00+07:00"), in: hanoi))  // Monday, opening minute
        #expect(!hours.isOpen(at: at("2026-11-23T07:29:00+07:00"), in: hanoi))
        #expect(!hours.isOpen(at: at("2026-11-23T11:30:00+07:00"), in: hanoi))  // closing minute is closed
        #expect(hours.isOpen(at: at("2026-11-27T16:59:00+07:00"), in: hanoi))  // Friday afternoon
        #expect(hours.isOpen(at: at("2026-11-28T08:00:00+07:00"), in: hanoi))  // Saturday morning
        #expect(!hours.isOpen(at: at("2026-11-28T14:00:00+07:00"), in: hanoi))  // Saturday afternoon
        #expect(!hours.isOpen(at: at("2026-11-29T09:00:00+07:00"), in: hanoi))  // Sunday
        // 23:00 UTC on Sunday is 06:00 on Monday in Hà Nội: closed; 01:00 UTC Monday is 08:00: open.
        #expect(!hours.isOpen(at: at("2026-11-22T23:00:00Z"), in: hanoi))
        #expect(hours.isOpen(at: at("2026-11-23T01:00:00Z"), in: hanoi))
    }

    @Test(arguments: ["", "mon", "mon 7:30-11:30", "fri-mon 08:00-09:00", "mon 12:00-11:00", "mon 08:00-25:00", "xyz 08:00-09:00"])
    func badTextIsRefusedNamingTheField(_ text: String) {
        #expect(throws: ValidationError.self) { try OpeningHours(parsing: text) }
        do {
            _ = try OpeningHours(parsing: text)
        } catch let error as ValidationError {
            #expect(error.field == "opening_hours")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
