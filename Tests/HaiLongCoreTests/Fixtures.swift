import Foundation
import HaiLongCore
import Testing

/// Shared test data: the built-in `kiosk-3` questionnaire (as in sql/0002_builtin_questionnaires.sql),
/// a small `sipas-5`-like web questionnaire, a fixed receive time and JSON helpers.
enum Fixtures {
    static let reasonCodes = [
        "xin_chao", "xin_loi", "xin_cam_on", "xin_phep",
        "luon_mim_cuoi", "luon_nhe_nhang", "luon_lang_nghe", "luon_giup_do", "khac",
    ]

    static let kiosk3 = Questionnaire(
        code: "kiosk-3", version: 1, kind: .kiosk,
        title: LocalizedText(vi: "Đánh giá mức độ hài lòng", en: "Rate your satisfaction"),
        scale: Scale(
            min: 1, max: 3, satisfied: [2, 3],
            labels: [
                LocalizedText(vi: "Chưa hài lòng", en: "Not satisfied"),
                LocalizedText(vi: "Hài lòng", en: "Satisfied"),
                LocalizedText(vi: "Rất hài lòng", en: "Very satisfied"),
            ]),
        sections: [
            Section(
                code: "overall",
                title: LocalizedText(vi: "Mức độ hài lòng với cán bộ", en: "Satisfaction with the officer"),
                questions: [
                    Question(
                        code: "overall",
                        text: LocalizedText(
                            vi: "Ông/Bà có hài lòng với cán bộ vừa phục vụ không?",
                            en: "Are you satisfied with the officer who served you?"),
                        required: true)
                ])
        ],
        reasons: reasonCodes.map { ReasonOption(code: $0, text: LocalizedText(vi: $0, en: $0)) },
        reasonsAtMost: 1)

    static let sipas5 = Questionnaire(
        code: "sipas-5", version: 1, kind: .web,
        title: LocalizedText(vi: "Khảo sát sự hài lòng", en: "Satisfaction survey"),
        scale: Scale(
            min: 1, max: 5, satisfied: [4, 5],
            labels: [
                LocalizedText(vi: "Rất không hài lòng", en: "Very dissatisfied"),
                LocalizedText(vi: "Không hài lòng", en: "Dissatisfied"),
                LocalizedText(vi: "Bình thường", en: "Neutral"),
                LocalizedText(vi: "Hài lòng", en: "Satisfied"),
                LocalizedText(vi: "Rất hài lòng", en: "Very satisfied"),
            ]),
        sections: [
            Section(
                code: "tiep_can", title: LocalizedText(vi: "Tiếp cận dịch vụ", en: "Access to the service"),
                questions: [
                    Question(
                        code: "tiep_can.1",
                        text: LocalizedText(
                            vi: "Thông tin về dịch vụ được cung cấp bằng nhiều hình thức", en: "Information in many forms"),
                        required: false),
                    Question(
                        code: "tiep_can.2",
                        text: LocalizedText(vi: "Biển hiệu, chỉ dẫn rõ ràng, dễ tìm", en: "Clear signs"),
                        required: false),
                ])
        ])

    static func lookup(_ code: String) -> Questionnaire? {
        switch code {
        case "kiosk-3": kiosk3
        case "sipas-5": sipas5
        default: nil
        }
    }

    /// 2026-11-23T08:20:00+07:00 = 2026-11-23T01:20:00Z.
    static let receivedAt = Date(timeIntervalSince1970: 1_795_396_800)
    /// 2026-11-23T08:15:00+07:00 = 2026-11-23T01:15:00Z, five minutes before `receivedAt`.
    static let tapAt = Date(timeIntervalSince1970: 1_795_396_500)

    static let hoChiMinh = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    /// A response body as JSON text. Each argument is a raw JSON fragment (so a test can put a wrong
    /// type in any field); `nil` leaves the field out.
    static func body(
        questionnaire: String? = #""kiosk-3""#,
        officer: String? = #""B-0042""#,
        dossier: String? = #""HS-2026-000123""#,
        answers: String? = #"{"overall": 3}"#,
        comment: String? = nil,
        submittedAt: String? = #""2026-11-23T08:15:00+07:00""#,
        extra: [(String, String)] = []
    ) -> String {
        var members: [String] = []
        if let questionnaire { members.append(#""questionnaire": \#(questionnaire)"#) }
        if let officer { members.append(#""officer": \#(officer)"#) }
        if let dossier { members.append(#""dossier": \#(dossier)"#) }
        if let answers { members.append(#""answers": \#(answers)"#) }
        if let comment { members.append(#""comment": \#(comment)"#) }
        if let submittedAt { members.append(#""submitted_at": \#(submittedAt)"#) }
        for (key, value) in extra { members.append(#""\#(key)": \#(value)"#) }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// A JSON string literal of `text` (no escaping; for plain test strings only).
    static func quoted(_ text: String) -> String { "\"" + text + "\"" }

    static func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        try #require(JSONValue.parse(Data(text.utf8)), "not JSON: \(text)", sourceLocation: sourceLocation)
    }

    static func validate(
        _ text: String, receivedAt: Date = Fixtures.receivedAt, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (Submission, Questionnaire) {
        let body = try parse(text, sourceLocation: sourceLocation)
        return try SubmissionValidator().validate(body, receivedAt: receivedAt, lookup: lookup)
    }

    /// The validation error for `text`, or `nil` (and a recorded issue) when it validates.
    static func validationError(
        _ text: String, receivedAt: Date = Fixtures.receivedAt, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ValidationError? {
        let body = try parse(text, sourceLocation: sourceLocation)
        return #expect(throws: ValidationError.self, sourceLocation: sourceLocation) {
            try SubmissionValidator().validate(body, receivedAt: receivedAt, lookup: lookup)
        }
    }
}
