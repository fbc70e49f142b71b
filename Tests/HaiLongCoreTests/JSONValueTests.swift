import Foundation
import HaiLongCore
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    func encode(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("an integer-valued number encodes as an integer")
    func integerEncoding() throws {
        let parsed = try Fixtures.parse(#"{"overall": 3, "ratio": 2.5}"#)
        #expect(parsed == .object(["overall": .number(3), "ratio": .number(2.5)]))
        #expect(try encode(parsed) == #"{"overall":3,"ratio":2.5}"#)
        #expect(try encode(.array([.number(3), .number(-4), .number(0)])) == "[3,-4,0]")
    }

    @Test("a round trip keeps the value")
    func roundTrip() throws {
        let text = #"{"a":[1,2.5,"x",true,null],"b":{"c":false}}"#
        let parsed = try Fixtures.parse(text)
        #expect(try encode(parsed) == text)
        #expect(try Fixtures.parse(encode(parsed)) == parsed)
    }

    @Test("booleans and numbers are told apart")
    func boolVersusNumber() throws {
        #expect(try Fixtures.parse(#"[true, 1, 0, false]"#) == .array([.bool(true), .number(1), .number(0), .bool(false)]))
    }

    @Test("exactInteger")
    func exactInteger() {
        #expect(JSONValue.number(2.5).exactInteger == nil)
        #expect(JSONValue.number(3).exactInteger == 3)
        #expect(JSONValue.number(-4).exactInteger == -4)
        #expect(JSONValue.string("3").exactInteger == nil)
        #expect(JSONValue.bool(true).exactInteger == nil)
        #expect(JSONValue.number(1e20).exactInteger == nil)
    }

    @Test("a string is quoted as JSONEncoder quotes it, and for logs with DEL and the line separators escaped too")
    func quoting() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var samples = ["", "Nguyễn Thị Ánh", "B-1", "a\"b", "back\\slash", "tab\tnew\nline\r", "\u{1}\u{1F}", "/x/", "👩🏻‍💼"]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aăđ\"\\/\n\t\u{0}\u{7F}\u{2028}\u{2029}€👍 e\u{301}")
        for _ in 0..<2_000 {
            samples.append(String((0..<Int.random(in: 0..<16, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for sample in samples {
            #expect(JSONValue.quoted(sample) == String(decoding: try encoder.encode(sample), as: UTF8.self), "\(sample.debugDescription)")
            let logged = JSONValue.quoted(sample, forLogs: true)
            #expect(!logged.contains("\u{7F}") && !logged.contains("\u{2028}") && !logged.contains("\u{2029}"))
            #expect(try JSONDecoder().decode(String.self, from: Data(logged.utf8)) == sample)
        }
        #expect(JSONValue.quoted("a\u{2028}b", forLogs: true) == "\"a\\u2028b\"")
    }

    @Test("text that is not JSON does not parse")
    func notJSON() {
        #expect(JSONValue.parse(Data("{\"a\": ".utf8)) == nil)
        #expect(JSONValue.parse(Data("nope".utf8)) == nil)
    }

    @Test("a submission's stored answers carry reasons only when there are some")
    func answersJSON() {
        var submission = Submission(
            questionnaire: "kiosk-3", officerBadge: nil, dossierCode: nil, levels: ["overall": 1],
            reasons: ["xin_chao", "xin_loi"], comment: nil, submittedAt: Fixtures.tapAt)
        #expect(
            submission.answersJSON
                == .object(["overall": .number(1), "reasons": .array([.string("xin_chao"), .string("xin_loi")])]))
        submission.reasons = []
        #expect(submission.answersJSON == .object(["overall": .number(1)]))
    }

    @Test("the hand-written serialization equals JSONEncoder's with sorted keys, and parses back")
    func serializedMatchesTheEncoder() throws {
        let samples = [
            #"{"overall":1,"reasons":["xin_chao","luon_lang_nghe"]}"#,
            #"{"z":[1,2.5,-0.125,"x",true,null],"a":{"c":false,"b":[]},"m":{}}"#,
            #"{"text":"Chờ \"hơi\" lâu\\ / tab\t line\n ret\r bell\u0007 end","emoji":"👍🏽"}"#,
            #"[1e-7,12345678901234,3.0,-2]"#,
        ]
        for text in samples {
            let parsed = try Fixtures.parse(text)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]  // as `Response.json`
            let (mine, encoders) = (parsed.serialized, String(decoding: try encoder.encode(parsed), as: UTF8.self))
            #expect(mine == encoders)
            #expect(try Fixtures.parse(parsed.serialized) == parsed)
        }
        #expect(JSONValue.string("\u{1}").serialized == #""\u0001""#)
    }
}
