import Crypto
import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// `ResponseStore` on PostgreSQL. Each response is one INSERT … ON CONFLICT DO NOTHING that also queues it
/// for aggregation, so the response and its queue entry commit together or not at all.
public struct PostgresResponseStore: ResponseStore {
    let client: PostgresClient
    let logger: Logger
    /// Without it, responses carrying a phone number are refused (`contact`), never stored in clear.
    let cipher: ContactCipher?

    public init(client: PostgresClient, logger: Logger, cipher: ContactCipher? = nil) {
        self.client = client
        self.logger = logger
        self.cipher = cipher
    }

    public func questionnaires() async throws -> [String: StoredQuestionnaire] {
        let rows = try await client.query(
            """
            SELECT DISTINCT ON (code) id, definition::text FROM questionnaires ORDER BY code, version DESC
            """, logger: logger)
        var result: [String: StoredQuestionnaire] = [:]
        for try await (id, definition) in rows.decode((Int, String).self) {
            let questionnaire = try JSONDecoder().decode(Questionnaire.self, from: Data(definition.utf8))
            result[questionnaire.code] = StoredQuestionnaire(id: id, questionnaire: questionnaire)
        }
        return result
    }

    public func store(
        _ submission: Submission, id: UUID, questionnaireID: Int, source: ResponseSource, receivedAt: Date, rules: FlagRules
    ) async throws -> StoreOutcome {
        var contactSealed: String?
        var contactLookup: String?
        if let phone = submission.phone {
            guard let cipher else {
                throw ValidationError(field: "contact", reason: "is not accepted: this server has no HAILONG_DATA_KEY to encrypt it")
            }
            contactSealed = try cipher.seal(phone).hex
            contactLookup = cipher.lookupHash(phone).hex
        }
        let requestHash = Self.requestHash(submission, source: source)
        let facts = try await facts(for: submission, id: id, source: source)
        let flags = rules.flags(for: submission, receivedAt: receivedAt, facts: facts.flags)
        let answers = String(decoding: try JSONEncoder().encode(submission.answersJSON), as: UTF8.self)
        let rows = try await client.query(
            """
            WITH stored AS (
                INSERT INTO responses (id, questionnaire_id, agency_id, counter_id, officer_id, officer_badge, kiosk_id,
                    api_token_id, channel, dossier_code, answers, comment, submitted_at, received_at, flags, request_hash,
                    dossier_id, contact_enc, contact_hmac)
                VALUES (\(id), \(questionnaireID), \(source.agencyID), \(source.counterID), \(facts.officerID),
                    \(submission.officerBadge), \(source.kioskID), \(source.apiTokenID), \(source.channel.rawValue),
                    \(submission.dossierCode), \(answers)::jsonb, \(submission.comment), \(submission.submittedAt),
                    \(receivedAt), \(flags.map(\.rawValue)), decode(\(requestHash), 'hex'), \(facts.dossierID),
                    decode(\(contactSealed), 'hex'), decode(\(contactLookup), 'hex'))
                ON CONFLICT (id) DO NOTHING
                RETURNING seq
            ), queued AS (
                INSERT INTO pending_aggregation (seq) SELECT seq FROM stored
            )
            SELECT seq FROM stored
            """, logger: logger)
        for try await _ in rows.decode(Int64.self) {
            return .created(StoredResponse(id: id, receivedAt: receivedAt, flags: flags))
        }
        return try await existing(id: id, requestHash: requestHash)
    }

    /// The answer for a key seen before: the original when the request is the same, else `keyReused`.
    func existing(id: UUID, requestHash: String) async throws -> StoreOutcome {
        let rows = try await client.query(
            "SELECT encode(request_hash, 'hex'), received_at, flags FROM responses WHERE id = \(id)", logger: logger)
        for try await (hash, receivedAt, flags) in rows.decode((String, Date, [String]).self) {
            guard hash == requestHash else { return .keyReused }
            return .replayed(StoredResponse(id: id, receivedAt: receivedAt, flags: flags.compactMap(Flag.init(rawValue:))))
        }
        // The conflicting row is committed before ON CONFLICT skips, so it is visible here.
        throw StoreError.notFound(field: "Idempotency-Key", value: id.uuidString)
    }

    struct Facts {
        var officerID: Int64?
        var dossierID: Int64?
        var flags: FlagFacts
    }

    /// What the flag rules need to know, in one round trip.
    func facts(for submission: Submission, id: UUID, source: ResponseSource) async throws -> Facts {
        let rows = try await client.query(
            """
            SELECT
                (SELECT o.id FROM officers o WHERE o.agency_id = \(source.agencyID) AND o.badge = \(submission.officerBadge)),
                (SELECT max(r.submitted_at) FROM responses r
                  WHERE r.kiosk_id = \(source.kioskID) AND r.id <> \(id)
                    AND r.submitted_at <= \(submission.submittedAt)
                    AND r.submitted_at > \(submission.submittedAt) - interval '1 minute'),
                EXISTS (SELECT 1 FROM responses r
                  WHERE r.agency_id = \(source.agencyID) AND r.dossier_code = \(submission.dossierCode)
                    AND r.channel = \(source.channel.rawValue) AND r.id <> \(id)),
                d.id, d.officer_id
            FROM (SELECT 1) AS one
            LEFT JOIN dossiers d ON d.agency_id = \(source.agencyID) AND d.code = \(submission.dossierCode)
            """, logger: logger)
        for try await (officerID, previousTap, dossierRated, dossierID, dossierOfficerID)
            in rows.decode((Int64?, Date?, Bool, Int64?, Int64?).self)
        {
            // The kiosk's own word on the officer wins; without one, the dossier's officer is the one rated.
            return Facts(
                officerID: submission.officerBadge == nil ? dossierOfficerID : officerID,
                dossierID: dossierID,
                flags: FlagFacts(
                    previousKioskTap: previousTap, officerKnown: officerID != nil, dossierAlreadyRated: dossierRated))
        }
        return Facts(officerID: nil, dossierID: nil, flags: FlagFacts())
    }

    /// SHA-256 of the caller and the canonical request: a replay must come from the same device or token.
    static func requestHash(_ submission: Submission, source: ResponseSource) -> String {
        let text = "k=\(source.kioskID ?? 0);t=\(source.apiTokenID ?? 0);" + submission.canonicalText
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
