import Crypto
import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// Durable, idempotent storage of responses, with group commit: concurrent responses are written together, one multi-row
/// INSERT … ON CONFLICT DO NOTHING per batch that also queues them for aggregation, in one transaction, and each
/// caller is answered after that COMMIT. A batch that fails on a statement error is retried one response at a
/// time, so a bad row fails alone.
public struct PostgresResponseStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Without it, responses carrying a phone number are refused (`contact`), never stored in clear.
    let cipher: ContactCipher?
    let committer: GroupCommitter<PendingResponse, StoreOutcome>

    /// - Parameter onBatch: told each batch's size and commit time (for metrics).
    public init(
        client: PostgresClient, logger: Logger, cipher: ContactCipher? = nil, maxBatch: Int = 256, maxInFlight: Int = 2,
        onBatch: @escaping @Sendable (_ size: Int, _ duration: Duration) -> Void = { _, _ in }
    ) {
        self.client = client
        self.logger = logger
        self.cipher = cipher
        let writer = BatchWriter(client: client, logger: logger)
        self.committer = GroupCommitter(
            maxBatch: maxBatch, maxInFlight: maxInFlight, flush: { await writer.write($0) }, onBatch: onBatch)
    }

    /// The newest version of each questionnaire, by code.
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

    /// Stores `submission` under `id`, flagged by `rules`; returns only after COMMIT.
    public func store(
        _ submission: Submission, id: UUID, questionnaireID: Int, source: ResponseSource, receivedAt: Date, rules: FlagRules
    ) async throws -> StoreOutcome {
        var contact: (sealed: String, lookup: String)?
        if let phone = submission.phone {
            guard let cipher else {
                throw ValidationError(field: "contact", reason: "is not accepted: this server has no HAILONG_DATA_KEY to encrypt it")
            }
            contact = (try cipher.seal(phone, responseID: id).hex, cipher.lookupHash(phone).hex)
        }
        let pending = PendingResponse(
            submission: submission, id: id, questionnaireID: questionnaireID, source: source, receivedAt: receivedAt,
            rules: rules, requestHash: Self.requestHash(submission, source: source),
            answers: submission.answersJSON.serialized, contact: contact)
        return try await committer.submit(pending)
    }

    /// Whether a response for this dossier of this agency was already stored on `channel`.
    public func isDossierRated(agencyID: Int64, dossier: String, channel: HaiLongCore.Channel) async throws -> Bool {
        let rows = try await client.query(
            """
            SELECT EXISTS (SELECT 1 FROM responses
                WHERE agency_id = \(agencyID) AND dossier_code = \(dossier) AND channel = \(channel.rawValue)
                  AND NOT ('unverified' = ANY (flags)))
            """, logger: logger)
        for try await rated in rows.decode(Bool.self) { return rated }
        return false
    }

    /// SHA-256 of the caller and the canonical request: a replay must come from the same device or token.
    static func requestHash(_ submission: Submission, source: ResponseSource) -> String {
        let text = "k=\(source.kioskID ?? 0);t=\(source.apiTokenID ?? 0);" + submission.canonicalText
        return Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }
}

/// A response ready to be written: validated, its contact sealed, its request hash computed.
struct PendingResponse: Sendable {
    var submission: Submission
    var id: UUID
    var questionnaireID: Int
    var source: ResponseSource
    var receivedAt: Date
    var rules: FlagRules
    var requestHash: String
    var answers: String
    var contact: (sealed: String, lookup: String)?
}

/// Writes batches of responses: one query for what the flag rules need, one INSERT for all rows.
struct BatchWriter: Sendable {
    let client: PostgresClient
    let logger: Logger

    func write(_ batch: [PendingResponse]) async -> [Result<StoreOutcome, any Error>] {
        do {
            return try await writeTogether(batch)
        } catch let error as PSQLError where batch.count > 1 && !error.isConnectionFailure {
            // A statement error (a constraint, a bad value): retry one by one, so only the offending row fails.
            logger.warning(
                "group commit: a batch failed; storing its responses one by one",
                metadata: ["size": "\(batch.count)", "error": "\(String(reflecting: error))"])
            var results: [Result<StoreOutcome, any Error>] = []
            for pending in batch {
                do {
                    results.append(contentsOf: try await writeTogether([pending]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    /// Writes `batch` in one transaction; one outcome per response, in order.
    func writeTogether(_ batch: [PendingResponse]) async throws -> [Result<StoreOutcome, any Error>] {
        // A key given twice in one batch is written once; its later uses are answered like any replay.
        var written: [UUID: Int] = [:]  // key → its row in `rows`
        var rows: [PendingResponse] = []
        for pending in batch where written[pending.id] == nil {
            written[pending.id] = rows.count
            rows.append(pending)
        }
        let (flags, inserted, revoked) = try await flagAndInsert(rows, on: client)
        var results: [Result<StoreOutcome, any Error>] = []
        for pending in batch {
            if revoked.contains(pending.id) {
                results.append(.failure(StoreError.revoked))
            } else if let row = written.removeValue(forKey: pending.id), inserted.contains(pending.id) {
                results.append(.success(.created(StoredResponse(id: pending.id, receivedAt: pending.receivedAt, flags: flags[row]))))
            } else {
                do {
                    results.append(.success(try await existing(id: pending.id, requestHash: pending.requestHash)))
                } catch StoreError.notFound where pending.source.binding == .signedLink {
                    // Not stored, and no response has its key: the link's dossier was rated through a signed link.
                    results.append(.success(.dossierAlreadyRated))
                } catch {
                    results.append(.failure(error))
                }
            }
        }
        return results
    }

    /// Flags `rows` (distinct ids) and inserts them with one statement on `runner`: the pooled client, or the
    /// connection of a transaction the caller holds open. Returns each row's flags, the ids newly stored, and the ids
    /// not stored because their kiosk or token is no longer active.
    func flagAndInsert(
        _ rows: [PendingResponse], on runner: some QueryRunner
    ) async throws -> (flags: [[Flag]], inserted: Set<UUID>, revoked: Set<UUID>) {
        let results = try await runner.run(WriteStatement(Self.writeQuery(rows)), logger: logger)
        var flags: [[Flag]] = []
        var inserted: Set<UUID> = []
        var revoked: Set<UUID> = []
        for try await row in results {
            let (id, active, stored) = try row.decode((UUID, Bool, [String]?).self)
            flags.append(stored?.compactMap(Flag.init(rawValue:)) ?? [])
            if !active {
                revoked.insert(id)
            } else if stored != nil {
                inserted.insert(id)
            }
        }
        guard flags.count == rows.count else { throw GroupCommitError.missingResult }
        return (flags, inserted, revoked)
    }

    /// The one statement that writes a batch: it looks up what the flag rules need, sets the flags (`FlagRules`, in
    /// SQL), and inserts the rows whose kiosk or token is still active, queueing them for aggregation, all in one
    /// round trip. Responses of the same batch see each other too: an earlier tap of the same kiosk, an earlier
    /// rating of the same dossier. One row out per row in, in order: id, whether its caller is active, and its
    /// flags when this statement stored it (NULL when the id was already there).
    ///
    /// Its text does not depend on the batch (the values are bound as arrays), so it is prepared once per
    /// connection (`WriteStatement`). Flags are listed in `Flag`'s order (by name).
    static func writeQuery(_ batch: [PendingResponse]) -> PostgresQuery {
        """
        WITH input AS (
            SELECT * FROM unnest(\(batch.map(\.id)), \(batch.map { Int64($0.questionnaireID) }),
                \(batch.map(\.source.agencyID)), \(batch.map { $0.source.counterID ?? 0 }),
                \(batch.map { $0.submission.officerBadge ?? "" }), \(batch.map { $0.source.kioskID ?? 0 }),
                \(batch.map { $0.source.apiTokenID ?? 0 }), \(batch.map(\.source.channel.rawValue)),
                \(batch.map { $0.submission.dossierCode ?? "" }), \(batch.map(\.answers)),
                \(batch.map { $0.submission.comment ?? "" }), \(batch.map(\.submission.submittedAt)),
                \(batch.map(\.receivedAt)), \(batch.map(\.requestHash)), \(batch.map { $0.contact?.sealed ?? "" }),
                \(batch.map { $0.contact?.lookup ?? "" }), \(batch.map(\.rules.rapidRepeatWindow)),
                \(batch.map(\.rules.lateAfter)), \(batch.map(\.rules.timeZone.identifier)),
                \(batch.map(\.source.binding.rawValue)))
                WITH ORDINALITY AS i (id, questionnaire, agency, counter, badge, kiosk, token, channel, dossier, answers,
                    comment, submitted, received, hash, contact, lookup, rapid_s, late_s, zone, binding, ord)
        ), hours AS (
            SELECT agency, agency_opening_hours(agency) AS hours FROM (SELECT DISTINCT agency FROM input) AS a
        ), facts AS MATERIALIZED (
            SELECT i.*, h.hours, d.id AS dossier_id, d.officer_id AS dossier_officer,
                (SELECT o.id FROM officers o WHERE o.agency_id = i.agency AND o.badge = nullif(i.badge, '') AND o.active)
                    AS known_officer,
                i.kiosk <> 0 AND (
                    EXISTS (SELECT 1 FROM responses r
                        WHERE r.kiosk_id = i.kiosk AND r.id <> i.id AND r.submitted_at <= i.submitted
                          AND r.submitted_at > i.submitted - i.rapid_s * interval '1 second')
                    OR EXISTS (SELECT 1 FROM input e
                        WHERE e.kiosk = i.kiosk AND e.ord < i.ord AND e.submitted <= i.submitted
                          AND e.submitted > i.submitted - i.rapid_s * interval '1 second')) AS rapid,
                -- A claim is never a duplicate of anything, nor anything a duplicate of a claim.
                i.dossier <> '' AND i.binding <> 'claim' AND (
                    EXISTS (SELECT 1 FROM responses r
                        WHERE r.agency_id = i.agency AND r.dossier_code = i.dossier AND r.channel = i.channel AND r.id <> i.id
                          AND NOT ('unverified' = ANY (r.flags)))
                    OR EXISTS (SELECT 1 FROM input e
                        WHERE e.ord < i.ord AND e.agency = i.agency AND e.dossier = i.dossier AND e.channel = i.channel
                          AND e.binding <> 'claim'))
                    AS rated,
                (i.kiosk = 0 OR EXISTS (SELECT 1 FROM kiosks k WHERE k.id = i.kiosk AND k.status = 'active'))
                AND (i.token = 0 OR EXISTS (SELECT 1 FROM api_tokens t WHERE t.id = i.token AND t.revoked_at IS NULL
                    AND (t.expires_at IS NULL OR t.expires_at > now())))
                    AS active
            FROM input i
            JOIN hours h ON h.agency = i.agency
            LEFT JOIN dossiers d ON d.agency_id = i.agency AND d.code = nullif(i.dossier, '')
        ), stored AS (
            INSERT INTO responses (id, questionnaire_id, agency_id, counter_id, officer_id, officer_badge, kiosk_id,
                api_token_id, channel, dossier_code, answers, comment, submitted_at, received_at, flags, request_hash,
                dossier_id, contact_enc, contact_hmac, bound_by_link)
            -- The kiosk's own word on the officer wins; without one, the dossier's officer is the one rated. A claim
            -- credits nobody.
            SELECT id, questionnaire, agency, nullif(counter, 0),
                CASE WHEN binding = 'claim' THEN NULL WHEN badge = '' THEN dossier_officer ELSE known_officer END,
                nullif(badge, ''), nullif(kiosk, 0),
                nullif(token, 0), channel, nullif(dossier, ''), answers::jsonb, nullif(comment, ''), submitted, received,
                array_remove(ARRAY[
                    CASE WHEN rated THEN 'duplicate_dossier' END,
                    CASE WHEN received - submitted > late_s * interval '1 second' THEN 'late' END,
                    CASE WHEN dossier = '' THEN 'no_dossier' END,
                    CASE WHEN hours IS NOT NULL AND NOT opening_hours_open(hours, submitted, zone) THEN 'outside_hours' END,
                    CASE WHEN rapid THEN 'rapid_repeat' END,
                    CASE WHEN badge <> '' AND known_officer IS NULL THEN 'unknown_officer' END,
                    CASE WHEN binding = 'claim' AND (dossier <> '' OR badge <> '') THEN 'unverified' END], NULL),
                decode(hash, 'hex'), CASE WHEN binding = 'claim' THEN NULL ELSE dossier_id END,
                decode(nullif(contact, ''), 'hex'), decode(nullif(lookup, ''), 'hex'), binding = 'link'
            FROM facts WHERE active ORDER BY ord
            -- A key seen before (a replay), or a signed link's dossier already rated through a signed link.
            ON CONFLICT DO NOTHING
            RETURNING id, seq, flags
        ), queued AS (
            INSERT INTO pending_aggregation (seq) SELECT seq FROM stored
        )
        SELECT f.id, f.active, s.flags FROM facts f LEFT JOIN stored s ON s.id = f.id ORDER BY f.ord
        """
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
}

/// Where `BatchWriter` runs its queries: the pooled client (each query on any free connection), or one connection
/// inside a transaction that the caller holds open (`PaperImporter` writes a whole file that way).
protocol QueryRunner: Sendable {
    func run<Statement: BatchStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow>
}

extension PostgresClient: QueryRunner {
    func run<Statement: BatchStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        try await execute(statement, logger: logger)
    }
}

extension PostgresConnection: QueryRunner {
    func run<Statement: BatchStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        try await execute(statement, logger: logger)
    }
}

/// One of `BatchWriter`'s statements as a named prepared statement: PostgreSQL plans it once per connection instead
/// of once per batch (planning the two took about as long as running them for a small batch).
protocol BatchStatement: PostgresPreparedStatement where Row == PostgresRow {
    var query: PostgresQuery { get }
}

extension BatchStatement {
    func makeBindings() -> PostgresBindings { query.binds }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

struct WriteStatement: BatchStatement {
    static let sql = BatchWriter.writeQuery([]).sql
    let query: PostgresQuery
    init(_ query: PostgresQuery) { self.query = query }
}
