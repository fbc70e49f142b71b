import Foundation
import HTTPTypes
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A rating can only be pinned on an officer by someone the officer served: the open web survey's dossier and officer
/// are a claim, and only a signed link (or a kiosk's token) binds a rating to a dossier and its officer.
@Suite struct UnverifiedClaimsTests {
    let survey = SurveyTests()

    @Test func anUnsignedRatingNamingARealDossierCreditsNobodyAndLeavesTheSignedLinkValid() async throws {
        try await AppHarness.run(survey: SurveyTests.quick) { app, client in
            // The one-stop system fed dossier HS-7, served by officer B-1.
            _ = try await PostgresDossierStore(client: app.db, logger: TestDatabase.logger)
                .record(Dossier(code: "HS-7", officerBadge: "B-1", receivedAt: Date()), agencyID: app.fixture.agencyA.id)
            // Someone who was not served types the dossier code into the open survey.
            let claimed = try await survey.answer(client, "/s/P.A?dossier=HS-7", [("dossier", "HS-7"), ("cong_chuc.1", "1")])
            #expect(claimed.status == .seeOther)
            let row = try await scalar(
                app.db,
                """
                SELECT count(*) FROM responses WHERE dossier_code = 'HS-7' AND dossier_id IS NULL AND officer_id IS NULL
                  AND flags @> ARRAY['unverified']
                """)
            #expect(row == 1)
            // No officer has a figure from it.
            try await app.aggregate()
            #expect(try await scalar(app.db, "SELECT count(*) FROM fresh_counts WHERE officer_id IS NOT NULL AND officer_id <> 0") == 0)
            // The citizen's real signed link still works, and binds the dossier and its officer.
            let signer = SurveySigner(secret: try await app.fixture.directory.serverSecret(named: "survey_links"))
            let token = signer.token(
                for: SurveyLink(agency: "P.A", dossier: "HS-7", officer: nil, expires: Date().addingTimeInterval(3600)))
            let page = try await client.execute(uri: "/s/P.A?t=\(token)", method: .get)
            #expect(page.status == .ok && !page.text.contains("Hồ sơ này đã được đánh giá"))
            let signed = try await survey.post(
                client, "/s/P.A", survey.hidden(page.text).map { ($0.key, $0.value) } + [("cong_chuc.1", "5")])
            #expect(signed.status == .seeOther)
            let bound = try await scalar(
                app.db,
                """
                SELECT count(*) FROM responses r JOIN officers o ON o.id = r.officer_id
                WHERE r.dossier_code = 'HS-7' AND r.dossier_id IS NOT NULL AND o.badge = 'B-1' AND r.bound_by_link
                  AND NOT r.flags && ARRAY['unverified', 'duplicate_dossier']
                """)
            #expect(bound == 1)
        }
    }

    /// A signed link that names an officer but no dossier can be answered more than once: it credits nobody.
    @Test func aSignedLinkWithoutADossierCreditsNobody() async throws {
        try await AppHarness.run(survey: SurveyTests.quick) { app, client in
            let signer = SurveySigner(secret: try await app.fixture.directory.serverSecret(named: "survey_links"))
            let token = signer.token(for: SurveyLink(agency: "P.A", dossier: nil, officer: "B-1", expires: Date().addingTimeInterval(3600)))
            for level in ["5", "4"] {
                let page = try await client.execute(uri: "/s/P.A?t=\(token)", method: .get)
                #expect(page.status == .ok, "the linked form: \(page.status)")
                let sent = try await survey.post(
                    client, "/s/P.A", survey.hidden(page.text).map { ($0.key, $0.value) } + [("cong_chuc.1", level)])
                let errors = sent.text.matches(of: /class="error[^"]*"[^>]*>([^<]*)</).map { String($0.1) }
                #expect(sent.status == .seeOther, "\(errors)")
            }
            #expect(
                try await scalar(
                    app.db,
                    "SELECT count(*) FROM responses WHERE officer_badge = 'B-1' AND officer_id IS NULL AND flags @> ARRAY['unverified']")
                    == 2)
            #expect(try await scalar(app.db, "SELECT count(*) FROM responses WHERE officer_id IS NOT NULL OR bound_by_link") == 0)
        }
    }

    /// Two forms of the same signed link sent at once: the unique index stores one, the other is "already rated".
    @Test func aSignedLinkIsSingleUseUnderConcurrency() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            let questionnaire = try #require(try await fixture.responses.questionnaires()["sipas-5"])
            let source = ResponseSource(agencyID: fixture.agencyA.id, channel: .web, binding: .signedLink)
            let outcomes = try await withThrowingTaskGroup(of: StoreOutcome.self) { group in
                for level in 1...6 {
                    group.addTask {
                        let submission = Submission(
                            questionnaire: "sipas-5", officerBadge: nil, dossierCode: "HS-LINK", levels: ["cong_chuc.1": level % 5 + 1],
                            reasons: [], comment: nil, submittedAt: Date())
                        return try await fixture.responses.store(
                            submission, id: UUID(), questionnaireID: questionnaire.id, source: source, receivedAt: Date(),
                            rules: FlagRules())
                    }
                }
                return try await group.reduce(into: [StoreOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .created = $0 { true } else { false } }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == .dossierAlreadyRated }.count == 5, "\(outcomes)")
            #expect(try await scalar(db, "SELECT count(*) FROM responses WHERE dossier_code = 'HS-LINK'") == 1)
        }
    }
}
