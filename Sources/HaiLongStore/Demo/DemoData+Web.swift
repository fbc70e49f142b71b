import Foundation
import HaiLongCore

/// The demo province's one-stop dossiers and web surveys: each agency's served dossiers (the response rate's
/// denominator), surveys answered through the signed link printed on the receipt (bound to the dossier and its
/// officer), and a few answered on the open survey page naming a dossier, which stay the citizen's claim
/// (`unverified`, credited to no officer). Stored through the same path as real surveys, so the flags are real.
extension DemoData {
    static let webComments = [
        "Cán bộ hướng dẫn tận tình, nộp một lần là xong.", "Phòng chờ hơi nóng, đề nghị lắp thêm quạt.",
        "Trả kết quả đúng hẹn, cảm ơn.", "Phí, lệ phí được niêm yết rõ ràng.", "Phải chờ khá lâu mới đến lượt.",
    ]
    static let criteria = [
        "tiep_can.1", "tiep_can.2", "tiep_can.3", "tiep_can.4", "thu_tuc.1", "thu_tuc.2", "thu_tuc.3", "thu_tuc.4",
        "cong_chuc.1", "cong_chuc.2", "cong_chuc.3", "cong_chuc.4", "cong_chuc.5", "ket_qua.1", "ket_qua.2", "ket_qua.3",
        "pakn.1", "pakn.2", "pakn.3",
    ]

    /// Dossiers and web surveys for every demo agency; returns how many surveys were stored.
    func seedDossiersAndSurveys(now: Date, timeZone: TimeZone, generator: inout SplitMix64) async throws -> Int {
        let dossiers = PostgresDossierStore(client: client, logger: logger)
        let responses = PostgresResponseStore(client: client, logger: logger)
        guard let sipas = try await responses.questionnaires()["sipas-5"] else { return 0 }
        let rules = FlagRules(timeZone: timeZone)
        let today = LocalDate(now, in: timeZone).start(in: timeZone)
        var stored = 0
        var officerIndex = 0
        for agency in Self.agencies {
            guard let found = try await directory.agency(code: agency.code) else { continue }
            let badges = (0..<4).map { String(format: "CB-%03d", officerIndex + $0 + 1) }
            officerIndex += 4
            for number in 1...24 {
                let badge = badges[Int(generator.next() % 4)]
                let code = String(format: "%@-%05d", agency.code.replacingOccurrences(of: "DEMO.", with: "HS."), number)
                // Returned on a weekday morning within the last six weeks; received a few days before.
                let daysAgo = Double(generator.next() % 42 + 1)
                let returned = today.addingTimeInterval(-daysAgo * 86_400 + 8.5 * 3600 + generator.unit() * 2.5 * 3600)
                _ = try await dossiers.record(
                    Dossier(
                        code: code, counterCode: "Q\(number % 2 + 1)", officerBadge: badge,
                        receivedAt: returned.addingTimeInterval(-Double(generator.next() % 5 + 1) * 86_400), returnedAt: returned),
                    agencyID: found.id)
                let roll = generator.unit()
                guard roll < 0.75 else { continue }  // a quarter of the citizens never answer
                // Most answer through the receipt's signed link; some type the dossier into the open survey.
                let binding: ResponseSource.Binding = roll < 0.62 ? .signedLink : .claim
                let answered = now.addingTimeInterval(-daysAgo * 86_400 + 6 * 3600 + generator.unit() * 3 * 3600)
                let submission = Submission(
                    questionnaire: "sipas-5", officerBadge: binding == .signedLink ? badge : nil, dossierCode: code,
                    levels: Self.levels(&generator), reasons: [],
                    comment: generator.unit() < 0.3 ? Self.webComments[Int(generator.next() % 5)] : nil, submittedAt: answered)
                _ = try await responses.store(
                    submission, id: UUID(), questionnaireID: sipas.id,
                    source: ResponseSource(agencyID: found.id, channel: .web, binding: binding),
                    receivedAt: answered.addingTimeInterval(2), rules: rules)
                stored += 1
            }
        }
        return stored
    }

    /// A citizen's answers: most criteria answered, mostly satisfied.
    static func levels(_ generator: inout SplitMix64) -> [String: Int] {
        var levels: [String: Int] = [:]
        let mood = generator.unit()
        for criterion in criteria where generator.unit() < 0.85 {
            let roll = generator.unit()
            levels[criterion] = roll < 0.08 + (mood < 0.15 ? 0.3 : 0) ? Int(generator.next() % 3) + 1 : (roll < 0.55 ? 5 : 4)
        }
        if levels.isEmpty { levels["cong_chuc.1"] = 5 }
        return levels
    }
}
