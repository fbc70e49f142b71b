import Foundation
import HaiLongCore
import Testing

@Suite("FlagRules and Flag")
struct FlagRulesTests {
    let rules = FlagRules()
    let tap = Fixtures.tapAt

    func submission(officer: String? = "B-0042", dossier: String? = "HS-1") -> Submission {
        Submission(
            questionnaire: "kiosk-3", officerBadge: officer, dossierCode: dossier, levels: ["overall": 3], reasons: [],
            comment: nil, submittedAt: tap)
    }

    @Test("a clean submission has no flags")
    func clean() {
        let flags = rules.flags(
            for: submission(), receivedAt: tap.addingTimeInterval(60),
            facts: FlagFacts(previousKioskTap: tap.addingTimeInterval(-60)))
        #expect(flags == [])
    }

    @Test("a tap 4.9 s after the previous one is a rapid repeat")
    func rapidRepeat() {
        let flags = rules.flags(
            for: submission(), receivedAt: tap.addingTimeInterval(1),
            facts: FlagFacts(previousKioskTap: tap.addingTimeInterval(-4.9)))
        #expect(flags == [.rapidRepeat])
    }

    @Test("a tap exactly 5 s after the previous one is not a rapid repeat")
    func notRapidRepeat() {
        let flags = rules.flags(
            for: submission(), receivedAt: tap.addingTimeInterval(1),
            facts: FlagFacts(previousKioskTap: tap.addingTimeInterval(-5)))
        #expect(flags == [])
    }

    @Test("a tap received 24 h + 1 s later is late, exactly 24 h is not")
    func late() {
        let facts = FlagFacts()
        #expect(rules.flags(for: submission(), receivedAt: tap.addingTimeInterval(24 * 3600 + 1), facts: facts) == [.late])
        #expect(rules.flags(for: submission(), receivedAt: tap.addingTimeInterval(24 * 3600), facts: facts) == [])
    }

    @Test("no dossier code is no_dossier")
    func noDossier() {
        #expect(rules.flags(for: submission(dossier: nil), receivedAt: tap, facts: FlagFacts()) == [.noDossier])
    }

    @Test("an unknown badge is unknown_officer, no badge is not")
    func unknownOfficer() {
        let facts = FlagFacts(officerKnown: false)
        #expect(rules.flags(for: submission(officer: "B-9999"), receivedAt: tap, facts: facts) == [.unknownOfficer])
        #expect(rules.flags(for: submission(officer: nil), receivedAt: tap, facts: facts) == [])
    }

    @Test("a dossier already rated is duplicate_dossier")
    func duplicateDossier() {
        let flags = rules.flags(for: submission(), receivedAt: tap, facts: FlagFacts(dossierAlreadyRated: true))
        #expect(flags == [.duplicateDossier])
    }

    @Test("several flags come out sorted by name")
    func sorted() {
        let facts = FlagFacts(previousKioskTap: tap.addingTimeInterval(-1), officerKnown: false, dossierAlreadyRated: true)
        let flags = rules.flags(for: submission(dossier: nil), receivedAt: tap.addingTimeInterval(2 * 24 * 3600), facts: facts)
        #expect(flags == [.duplicateDossier, .late, .noDossier, .rapidRepeat, .unknownOfficer])
        #expect(flags.map(\.rawValue) == ["duplicate_dossier", "late", "no_dossier", "rapid_repeat", "unknown_officer"])
    }

    @Test("Flag.mask matches the newest flag_mask() in sql/")
    func mask() throws {
        #expect(Flag.mask([.rapidRepeat, .late]) == 17)
        #expect(Flag.mask([Flag]()) == 0)
        // SQL sums DISTINCT bits; a repeated flag counts once.
        #expect(Flag.mask([.late, .late]) == 16)
        #expect(Flag.mask(Flag.allCases) == 511)
        // The bits as the newest migration that (re)defines flag_mask() writes them: `'name' = ANY (flags) THEN n`.
        let sql = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sql")
        let newest = try FileManager.default.contentsOfDirectory(atPath: sql.path).filter { $0.hasSuffix(".sql") }.sorted()
            .last { try! String(contentsOf: sql.appendingPathComponent($0), encoding: .utf8).contains("FUNCTION flag_mask") }
        let text = try String(contentsOf: sql.appendingPathComponent(try #require(newest)), encoding: .utf8)
        var sqlBits: [String: Int] = [:]
        for match in text.matches(of: /'([a-z_]+)' = ANY \(flags\) THEN ([0-9]+)/) { sqlBits[String(match.1)] = Int(match.2) }
        #expect(sqlBits.count == Flag.allCases.count, "\(newest ?? "") defines \(sqlBits)")
        #expect(Dictionary(uniqueKeysWithValues: Flag.allCases.map { ($0.rawValue, $0.bit) }) == sqlBits)
    }

    @Test("every flag has a distinct power-of-two bit")
    func distinctBits() {
        for flag in Flag.allCases {
            #expect(flag.bit > 0 && flag.bit & (flag.bit - 1) == 0, "\(flag) bit \(flag.bit)")
        }
        #expect(Set(Flag.allCases.map(\.bit)).count == Flag.allCases.count)
    }
}
