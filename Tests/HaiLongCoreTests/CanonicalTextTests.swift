import Foundation
import HaiLongCore
import Testing

@Suite("Submission.canonicalText")
struct CanonicalTextTests {
    static let original = """
        {"questionnaire":"kiosk-3","officer":"B-0042","dossier":"HS-1","answers":{"overall":1,"reasons":["xin_loi","xin_chao"]},"comment":"Chậm","submitted_at":"2026-11-23T08:15:00+07:00"}
        """

    func canonical(_ text: String) throws -> String {
        try Fixtures.validate(text).0.canonicalText
    }

    @Test("key order, whitespace, reason order and duplicates do not change it")
    func sameBodyOtherForm() throws {
        let reordered = """
            {
              "submitted_at" : "2026-11-23T08:15:00+07:00",
              "comment" : "Chậm",
              "answers" : { "reasons" : [ "xin_chao", "xin_loi", "xin_chao" ], "overall" : 1.0 },
              "dossier" : "HS-1",
              "officer" : "B-0042",
              "questionnaire" : "kiosk-3"
            }
            """
        #expect(try canonical(reordered) == canonical(Self.original))
    }

    @Test("the same instant with another offset gives the same text")
    func sameInstantOtherOffset() throws {
        let utc = Self.original.replacingOccurrences(of: "2026-11-23T08:15:00+07:00", with: "2026-11-23T01:15:00Z")
        #expect(utc != Self.original)
        #expect(try canonical(utc) == canonical(Self.original))
    }

    @Test("a different comment gives a different text")
    func differentComment() throws {
        let other = Self.original.replacingOccurrences(of: #""Chậm""#, with: #""Chậm quá""#)
        #expect(other != Self.original)
        #expect(try canonical(other) != canonical(Self.original))
    }

    @Test("a different level gives a different text")
    func differentLevel() throws {
        let two = Fixtures.body(answers: #"{"overall": 2}"#)
        let three = Fixtures.body(answers: #"{"overall": 3}"#)
        #expect(try canonical(two) != canonical(three))
    }

    @Test("a different reason, officer, dossier or tap time gives a different text")
    func otherDifferences() throws {
        let base = try canonical(Self.original)
        let variants = [
            Self.original.replacingOccurrences(of: #"["xin_loi","xin_chao"]"#, with: #"["xin_loi"]"#),
            Self.original.replacingOccurrences(of: "B-0042", with: "B-0043"),
            Self.original.replacingOccurrences(of: "HS-1", with: "HS-2"),
            Self.original.replacingOccurrences(of: "08:15:00+07:00", with: "08:15:01+07:00"),
        ]
        for variant in variants {
            #expect(variant != Self.original)
            #expect(try canonical(variant) != base)
        }
    }

    @Test("an absent comment and a whitespace-only comment give the same text")
    func blankCommentIsNoComment() throws {
        let none = Fixtures.body()
        let blank = Fixtures.body(comment: #"" ""#)
        #expect(try canonical(none) == canonical(blank))
    }
}
