import Foundation
import HaiLongCore
import Testing

@Suite struct ContactValidationTests {
    let receivedAt = SubmissionValidator.parseTimestamp("2026-11-23T09:00:00+07:00")!

    func validate(contact: String) throws(ValidationError) -> Submission {
        let body = #"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"2026-11-23T08:59:00+07:00","contact":\#(contact)}"#
        return try SubmissionValidator().validate(JSONValue.parse(Data(body.utf8))!, receivedAt: receivedAt) { _ in
            Questionnaire(
                code: "kiosk-3", version: 1, kind: .kiosk, title: .init(vi: "", en: ""),
                scale: Scale(min: 1, max: 3, satisfied: [2, 3], labels: []),
                sections: [
                    Section(
                        code: "overall", title: .init(vi: "", en: ""),
                        questions: [Question(code: "overall", text: .init(vi: "", en: ""), required: true)])
                ])
        }.0
    }

    @Test(arguments: [
        ("0912 345 678", "0912345678"), ("+84 912-345-678", "0912345678"), ("84912345678", "0912345678"), ("0912.345.678", "0912345678"),
    ])
    func phonesAreNormalised(_ given: String, _ expected: String) throws {
        #expect(try validate(contact: #"{"phone":"\#(given)","consent":true}"#).phone == expected)
    }

    @Test(arguments: [
        (#"{"phone":"0912345678"}"#, "contact.consent"), (#"{"phone":"0912345678","consent":false}"#, "contact.consent"),
        (#"{"phone":"12345","consent":true}"#, "contact.phone"), (#"{"consent":true}"#, "contact.phone"),
        (#"{"phone":"0912345678","consent":true,"email":"a@b"}"#, "contact.email"), (#""0912345678""#, "contact"),
    ])
    func refusals(_ contact: String, _ field: String) {
        do {
            _ = try validate(contact: contact)
            Issue.record("accepted \(contact)")
        } catch {
            #expect(error.field == field)
        }
    }

    @Test func thePhoneIsPartOfTheRequestIdentity() throws {
        let with = try validate(contact: #"{"phone":"0912345678","consent":true}"#)
        let other = try validate(contact: #"{"phone":"0987654321","consent":true}"#)
        #expect(with.canonicalText != other.canonicalText)
    }
}
