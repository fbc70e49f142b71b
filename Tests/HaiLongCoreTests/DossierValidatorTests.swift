import Foundation
import HaiLongCore
import Testing

@Suite struct DossierValidatorTests {
    func validate(_ text: String) throws(ValidationError) -> Dossier {
        try DossierValidator().validate(JSONValue.parse(Data(text.utf8))!)
    }

    @Test func aFullDossier() throws {
        let dossier = try validate(
            #"{"code":"H31-0001","counter":"Q1","officer":"B-1","received_at":"2026-11-23T08:00:00+07:00","returned_at":"2026-11-23T09:30:00+07:00"}"#
        )
        #expect(dossier.code == "H31-0001")
        #expect(dossier.counterCode == "Q1")
        #expect(dossier.officerBadge == "B-1")
        #expect(dossier.returnedAt!.timeIntervalSince(dossier.receivedAt!) == 5400)
    }

    @Test(arguments: [
        ("[]", "body"), (#"{}"#, "code"), (#"{"code":""}"#, "code"), (#"{"code":5}"#, "code"),
        (#"{"code":"A","officer":7}"#, "officer"), (#"{"code":"A","received_at":"2026-11-23"}"#, "received_at"),
        (#"{"code":"A","extra":1}"#, "extra"),
        (#"{"code":"A","received_at":"2026-11-23T08:00:00Z","returned_at":"2026-11-23T07:59:59Z"}"#, "returned_at"),
    ])
    func refusals(_ body: String, _ field: String) {
        #expect(throws: ValidationError.self) { try validate(body) }
        do {
            _ = try validate(body)
        } catch {
            #expect(error.field == field)
        }
    }
}
