import Foundation
import HaiLongCore
import Testing

@Suite("SubmissionValidator")
struct SubmissionValidatorTests {
    @Test("a valid kiosk body gives the expected submission")
    func validKioskBody() throws {
        let text = Fixtures.body(
            answers: #"{"overall": 1, "reasons": ["xin_loi", "xin_chao", "xin_loi"]}"#,
            comment: #""  \n\t ""#)
        let (submission, questionnaire) = try Fixtures.validate(text)
        #expect(questionnaire == Fixtures.kiosk3)
        #expect(submission.questionnaire == "kiosk-3")
        #expect(submission.officerBadge == "B-0042")
        #expect(submission.dossierCode == "HS-2026-000123")
        #expect(submission.levels == ["overall": 1])
        // Sorted and without the duplicate "xin_loi".
        #expect(submission.reasons == ["xin_chao", "xin_loi"])
        // A comment that is only whitespace is no comment.
        #expect(submission.comment == nil)
        // 2026-11-23T08:15:00+07:00 is 2026-11-23T01:15:00Z.
        #expect(submission.submittedAt == Date(timeIntervalSince1970: 1_795_396_500))
        #expect(submission.submittedAt == Fixtures.tapAt)
    }

    @Test("a non-empty comment is kept, officer and dossier may be absent or null")
    func commentKeptOptionalFieldsAbsent() throws {
        let text = Fixtures.body(officer: nil, dossier: "null", comment: #""Cán bộ nhiệt tình""#)
        let (submission, _) = try Fixtures.validate(text)
        #expect(submission.comment == "Cán bộ nhiệt tình")
        #expect(submission.officerBadge == nil)
        #expect(submission.dossierCode == nil)
        #expect(submission.levels == ["overall": 3])
        #expect(submission.reasons == [])
    }

    @Test("an integer-valued level written as 2.0 is accepted as 2")
    func integralFloatLevel() throws {
        let (submission, _) = try Fixtures.validate(Fixtures.body(answers: #"{"overall": 2.0}"#))
        #expect(submission.levels == ["overall": 2])
    }

    @Test("every reason of the kiosk-3 checklist is accepted with the lowest level")
    func allReasonsAccepted() throws {
        let list = Fixtures.reasonCodes.map(Fixtures.quoted).joined(separator: ", ")
        let (submission, _) = try Fixtures.validate(Fixtures.body(answers: #"{"overall": 1, "reasons": [\#(list)]}"#))
        #expect(submission.reasons == Fixtures.reasonCodes.sorted())
        #expect(submission.reasons.count == 9)
    }

    @Test("a comment of exactly 1000 Vietnamese characters is accepted")
    func commentOfMaximumLength() throws {
        let comment = String(repeating: "ạ", count: 1000)
        #expect(comment.utf8.count > 1000)  // more bytes than characters: the limit counts characters
        let (submission, _) = try Fixtures.validate(Fixtures.body(comment: Fixtures.quoted(comment)))
        #expect(submission.comment == comment)
    }

    @Test(
        "a tap time inside [received − 7 days, received + 5 min] is accepted",
        arguments: [
            // received 2026-11-23T08:20:00+07:00
            ("2026-11-23T08:24:00+07:00", 1_795_397_040.0),  // 4 minutes in the future
            ("2026-11-23T08:25:00+07:00", 1_795_397_100.0),  // exactly 5 minutes in the future
            ("2026-11-17T08:20:00+07:00", 1_794_878_400.0),  // 6 days in the past
            ("2026-11-16T08:20:00+07:00", 1_794_792_000.0),  // exactly 7 days in the past
            ("2026-11-23T01:15:00Z", 1_795_396_500.0),  // UTC form
            ("2026-11-23T08:15:00.250+07:00", 1_795_396_500.25),  // fractional seconds
        ])
    func acceptedTapTimes(submittedAt: String, epoch: Double) throws {
        let (submission, _) = try Fixtures.validate(Fixtures.body(submittedAt: Fixtures.quoted(submittedAt)))
        #expect(submission.submittedAt == Date(timeIntervalSince1970: epoch))
    }

    @Test("a web questionnaire with optional questions accepts a partial answer")
    func sipasPartialAnswer() throws {
        let text = Fixtures.body(questionnaire: #""sipas-5""#, answers: #"{"tiep_can.1": 4}"#)
        let (submission, questionnaire) = try Fixtures.validate(text)
        #expect(questionnaire == Fixtures.sipas5)
        #expect(submission.levels == ["tiep_can.1": 4])
        #expect(submission.reasons == [])
    }

    struct InvalidBody: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        let field: String
        var testDescription: String { name }
    }

    static let invalidBodies: [InvalidBody] = [
        InvalidBody(name: "body is an array", json: "[1, 2]", field: "body"),
        InvalidBody(name: "body is a number", json: "42", field: "body"),
        InvalidBody(name: "unknown top-level field", json: Fixtures.body(extra: [("extra", "1")]), field: "extra"),
        InvalidBody(name: "questionnaire missing", json: Fixtures.body(questionnaire: nil), field: "questionnaire"),
        InvalidBody(name: "questionnaire is a number", json: Fixtures.body(questionnaire: "42"), field: "questionnaire"),
        InvalidBody(name: "unknown questionnaire", json: Fixtures.body(questionnaire: #""nope""#), field: "questionnaire"),
        InvalidBody(name: "officer is a number", json: Fixtures.body(officer: "42"), field: "officer"),
        InvalidBody(name: "officer is empty", json: Fixtures.body(officer: #""""#), field: "officer"),
        InvalidBody(name: "dossier has a control character", json: Fixtures.body(dossier: #""HS\u00071""#), field: "dossier"),
        InvalidBody(name: "answers missing", json: Fixtures.body(answers: nil), field: "answers"),
        InvalidBody(name: "answers is an array", json: Fixtures.body(answers: "[3]"), field: "answers"),
        InvalidBody(name: "answers is empty", json: Fixtures.body(questionnaire: #""sipas-5""#, answers: "{}"), field: "answers"),
        InvalidBody(name: "overall 0", json: Fixtures.body(answers: #"{"overall": 0}"#), field: "answers.overall"),
        InvalidBody(name: "overall 4", json: Fixtures.body(answers: #"{"overall": 4}"#), field: "answers.overall"),
        InvalidBody(name: "overall 2.5", json: Fixtures.body(answers: #"{"overall": 2.5}"#), field: "answers.overall"),
        InvalidBody(name: "overall \"3\"", json: Fixtures.body(answers: #"{"overall": "3"}"#), field: "answers.overall"),
        InvalidBody(name: "overall true", json: Fixtures.body(answers: #"{"overall": true}"#), field: "answers.overall"),
        InvalidBody(name: "overall null", json: Fixtures.body(answers: #"{"overall": null}"#), field: "answers.overall"),
        InvalidBody(
            name: "unknown question", json: Fixtures.body(answers: #"{"overall": 3, "colour": 2}"#),
            field: "answers.colour"),
        InvalidBody(
            name: "sipas level 6", json: Fixtures.body(questionnaire: #""sipas-5""#, answers: #"{"tiep_can.1": 6}"#),
            field: "answers.tiep_can.1"),
        InvalidBody(
            name: "required overall missing, only reasons",
            json: Fixtures.body(answers: #"{"reasons": ["xin_chao"]}"#), field: "answers.overall"),
        InvalidBody(
            name: "reasons not an array", json: Fixtures.body(answers: #"{"overall": 1, "reasons": "xin_chao"}"#),
            field: "answers.reasons"),
        InvalidBody(
            name: "unknown reason at index 1",
            json: Fixtures.body(answers: #"{"overall": 1, "reasons": ["xin_chao", "smile", "xin_loi"]}"#),
            field: "answers.reasons[1]"),
        InvalidBody(
            name: "reason that is not a string at index 0",
            json: Fixtures.body(answers: #"{"overall": 1, "reasons": [1]}"#), field: "answers.reasons[0]"),
        InvalidBody(
            name: "reasons with overall 3", json: Fixtures.body(answers: #"{"overall": 3, "reasons": ["xin_chao"]}"#),
            field: "answers.reasons"),
        InvalidBody(
            name: "reasons with overall 2", json: Fixtures.body(answers: #"{"overall": 2, "reasons": ["xin_chao"]}"#),
            field: "answers.reasons"),
        InvalidBody(
            name: "reasons on a questionnaire without a checklist",
            json: Fixtures.body(questionnaire: #""sipas-5""#, answers: #"{"tiep_can.1": 1, "reasons": ["xin_chao"]}"#),
            field: "answers.reasons[0]"),
        InvalidBody(
            name: "comment of 1001 ASCII characters",
            json: Fixtures.body(comment: Fixtures.quoted(String(repeating: "a", count: 1001))), field: "comment"),
        InvalidBody(
            name: "comment of 1001 Vietnamese characters",
            json: Fixtures.body(comment: Fixtures.quoted(String(repeating: "ạ", count: 1001))), field: "comment"),
        InvalidBody(name: "comment is a number", json: Fixtures.body(comment: "5"), field: "comment"),
        InvalidBody(name: "submitted_at missing", json: Fixtures.body(submittedAt: nil), field: "submitted_at"),
        InvalidBody(name: "submitted_at is a number", json: Fixtures.body(submittedAt: "1795396500"), field: "submitted_at"),
        InvalidBody(name: "submitted_at 'yesterday'", json: Fixtures.body(submittedAt: #""yesterday""#), field: "submitted_at"),
        InvalidBody(
            name: "submitted_at without an offset", json: Fixtures.body(submittedAt: #""2026-11-23T08:15:00""#),
            field: "submitted_at"),
        InvalidBody(
            name: "submitted_at a date only", json: Fixtures.body(submittedAt: #""2026-11-23""#), field: "submitted_at"),
        InvalidBody(
            name: "submitted_at 6 minutes in the future",
            json: Fixtures.body(submittedAt: #""2026-11-23T08:26:00+07:00""#), field: "submitted_at"),
        InvalidBody(
            name: "submitted_at 5 minutes 1 second in the future",
            json: Fixtures.body(submittedAt: #""2026-11-23T08:25:01+07:00""#), field: "submitted_at"),
        InvalidBody(
            name: "submitted_at 7 days 1 minute in the past",
            json: Fixtures.body(submittedAt: #""2026-11-16T08:19:00+07:00""#), field: "submitted_at"),
    ]

    @Test("an invalid body names the field at fault", arguments: invalidBodies)
    func invalidBody(_ invalid: InvalidBody) throws {
        let error = try Fixtures.validationError(invalid.json)
        #expect(error?.field == invalid.field, "\(invalid.name): \(error?.description ?? "no error")")
    }
}

/// Comments are measured as PostgreSQL measures them (code points), after CRLF → LF and NFC.
@Suite struct CommentLengthTests {
    let questionnaire = Fixtures.kiosk3

    func validate(_ comment: String) throws(ValidationError) -> Submission {
        let body: JSONValue = .object([
            "questionnaire": .string("kiosk-3"), "answers": .object(["overall": .number(2)]), "comment": .string(comment),
            "submitted_at": .string("2026-11-23T08:00:00+07:00"),
        ])
        return try SubmissionValidator().validate(body, receivedAt: Fixtures.receivedAt) { _ in questionnaire }.0
    }

    @Test func browserLineEndsAreStoredAsLFAndCountOnce() throws {
        let comment = String(repeating: "a", count: 990) + String(repeating: "\r\n", count: 10)
        let submission = try validate(comment)
        #expect(submission.comment?.unicodeScalars.count == 1000)
        #expect(submission.comment?.contains("\r") == false)
    }

    @Test func decomposedVietnameseIsComposedBeforeCounting() throws {
        // "ệ" typed as e + combining circumflex + combining dot below: 3 code points, 1 when composed.
        let decomposed = String(repeating: "e\u{0302}\u{0323}", count: 1000)
        let submission = try validate(decomposed)
        #expect(submission.comment?.unicodeScalars.count == 1000)
        #expect(submission.comment == String(repeating: "ệ", count: 1000))
    }

    @Test func aThousandAndOneCodePointsAreRefused() {
        // 1001 code points that Swift counts as fewer characters (flags are two scalars each).
        let comment = String(repeating: "a", count: 999) + "🇻🇳"
        #expect(comment.count == 1000)
        #expect(throws: ValidationError.self) { try validate(comment) }
    }
}

/// The hand-written RFC 3339 parser agrees with Foundation's.
@Suite struct TimestampParsingTests {
    @Test func agreesWithFoundationOnManyTimes() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var seed: UInt64 = 7
        for _ in 0..<2000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Double(seed % 4_000_000_000) - 500_000_000
            let offsets = [0, 25_200, -18_000, 19_800, 45_900]
            formatter.timeZone = TimeZone(secondsFromGMT: offsets[Int(seed >> 40) % offsets.count])
            let text = formatter.string(from: Date(timeIntervalSince1970: seconds))
            #expect(SubmissionValidator.parseTimestamp(text) == Date(timeIntervalSince1970: seconds), "\(text)")
        }
    }

    @Test func fractionsAndOffsets() {
        #expect(SubmissionValidator.parseTimestamp("2026-11-23T08:15:00+07:00") == Date(timeIntervalSince1970: 1_795_396_500))
        #expect(SubmissionValidator.parseTimestamp("2026-11-23T01:15:00.250Z") == Date(timeIntervalSince1970: 1_795_396_500.25))
        #expect(SubmissionValidator.parseTimestamp("2026-11-22T20:15:00-05:00") == Date(timeIntervalSince1970: 1_795_396_500))
    }

    @Test(arguments: [
        "2026-11-23T08:15:00", "2026-11-23 08:15:00+07:00", "2026-02-30T08:15:00Z", "2026-11-23T24:00:00Z", "2026-11-23T08:15:00+7:00",
        "2026-11-23T08:15:00.Z", "2026-11-23T08:15:00Zjunk", "२०२६-11-23T08:15:00Z", "", "2026-11-23T08:15:60Z",
    ])
    func rejects(_ text: String) {
        #expect(SubmissionValidator.parseTimestamp(text) == nil)
    }
}
