import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// Personal data's limits in time (Luật 91/2025/QH15): comments and contact data older than the retention period are
/// cleared, a person's contact data is erased on request, and sessions and pairing codes are deleted once expired.
/// Counts, indices and published snapshots never change: they hold no personal data.
public struct PersonalDataStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// What a purge cleared (or, dry, would clear).
    public struct Purge: Sendable, Equatable {
        /// Responses whose comment was cleared.
        public var comments: Int
        /// Responses whose contact data was cleared.
        public var contacts: Int

        public init(comments: Int, contacts: Int) {
            self.comments = comments
            self.contacts = contacts
        }
    }

    /// Clears the comments and contact data of responses received more than `retentionDays` ago; with `dryRun`, only
    /// counts them. Audited (not when dry).
    public func purge(retentionDays: Int, dryRun: Bool, by actor: String) async throws -> Purge {
        let rows = try await client.query(Self.purge(retentionDays: retentionDays, dryRun: dryRun, by: actor), logger: logger)
        for try await (comments, contacts) in rows.decode((Int, Int).self) { return Purge(comments: comments, contacts: contacts) }
        return Purge(comments: 0, contacts: 0)
    }

    /// The purge's statement. Both forms find the responses past retention that still hold personal data by the
    /// condition of their partial index (`responses_personal_data_idx`, sql/0026), so they read those rows, not every
    /// response (`PersonalDataPlanTests`).
    static func purge(retentionDays: Int, dryRun: Bool, by actor: String) -> PostgresQuery {
        let counted: PostgresQuery = """
            SELECT count(*) FILTER (WHERE comment IS NOT NULL)::int,
                   count(*) FILTER (WHERE contact_enc IS NOT NULL OR contact_hmac IS NOT NULL)::int
            FROM responses
            WHERE received_at < now() - make_interval(days => \(retentionDays)::int)
              AND (comment IS NOT NULL OR contact_enc IS NOT NULL OR contact_hmac IS NOT NULL)
            """
        let purging: PostgresQuery = """
            WITH doomed AS (
                SELECT id, comment IS NOT NULL AS had_comment, (contact_enc IS NOT NULL OR contact_hmac IS NOT NULL) AS had_contact
                FROM responses
                WHERE received_at < now() - make_interval(days => \(retentionDays)::int)
                  AND (comment IS NOT NULL OR contact_enc IS NOT NULL OR contact_hmac IS NOT NULL)
                FOR UPDATE
            ), cleared AS (
                UPDATE responses r SET comment = NULL, contact_enc = NULL, contact_hmac = NULL FROM doomed d
                WHERE r.id = d.id
                RETURNING d.had_comment, d.had_contact
            ), totals AS (
                SELECT count(*) FILTER (WHERE had_comment)::int AS comments, count(*) FILTER (WHERE had_contact)::int AS contacts
                FROM cleared
            ), audited AS (
                INSERT INTO audit_log (actor, action, subject, detail)
                SELECT \(actor), 'personal_data.purge', 'older than ' || \(retentionDays) || ' days',
                    jsonb_build_object('comments', comments, 'contacts', contacts) FROM totals
                WHERE comments + contacts > 0
            )
            SELECT comments, contacts FROM totals
            """
        return dryRun ? counted : purging
    }

    /// Erases the contact data of every response that left this phone number (found by its keyed hash); returns how
    /// many responses it touched. Audited with the count, never the number.
    /// `ciphers` are the current data key and any older ones whose contacts are not re-sealed yet.
    public func erase(phone: String, ciphers: [ContactCipher], by actor: String) async throws -> Int {
        guard let normalised = SubmissionValidator.normalisedPhone(phone) else {
            throw ValidationError(field: "phone", reason: "is not a Vietnamese phone number (10 digits, e.g. 0912 345 678)")
        }
        let lookups = ciphers.map { $0.lookupHash(normalised).hex }
        let rows = try await client.query(Self.erase(lookups: lookups, by: actor), logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// The erasure's statement: the responses whose contact's look-up hash is one of `lookups` (hex), found through
    /// `responses_contact_lookup_idx` (sql/0026; its condition is stated so that the planner may use it).
    static func erase(lookups: [String], by actor: String) -> PostgresQuery {
        """
        WITH erased AS (
            UPDATE responses SET contact_enc = NULL, contact_hmac = NULL
            WHERE contact_hmac IS NOT NULL AND contact_hmac IN (SELECT decode(h, 'hex') FROM unnest(\(lookups)::text[]) AS h)
            RETURNING id
        ), audited AS (
            INSERT INTO audit_log (actor, action, subject, detail)
            SELECT \(actor), 'personal_data.erase', 'a phone number', jsonb_build_object('responses', count(*)) FROM erased
        )
        SELECT count(*)::int FROM erased
        """
    }

    /// Deletes sessions that ended or can no longer be used, and forgets pairing codes past their expiry; returns how
    /// many of each.
    public func deleteExpired(sessionIdle: Duration, sessionAbsolute: Duration) async throws -> (sessions: Int, pairingCodes: Int) {
        let idle = Int(sessionIdle.components.seconds)
        let absolute = Int(sessionAbsolute.components.seconds)
        let rows = try await client.query(
            """
            WITH sessions_gone AS (
                DELETE FROM sessions
                WHERE ended_at IS NOT NULL OR last_seen_at < now() - make_interval(secs => \(idle))
                   OR created_at < now() - make_interval(secs => \(absolute))
                RETURNING 1
            ), codes_gone AS (
                UPDATE kiosks SET pairing_code_hash = NULL, pairing_expires_at = NULL
                WHERE pairing_code_hash IS NOT NULL AND pairing_expires_at < now()
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM sessions_gone)::int, (SELECT count(*) FROM codes_gone)::int
            """, logger: logger)
        for try await (sessions, codes) in rows.decode((Int, Int).self) { return (sessions, codes) }
        return (0, 0)
    }

    /// Re-seals every contact that is not under `current` (opened with one of `previous`, or already `current`'s),
    /// with a new look-up hash, in batches of `batch` rows, each batch one transaction; returns how many it re-sealed
    /// and how many no given key opens (left as they are). Audited with the counts and the new key's id.
    public func rotateDataKey(
        to current: ContactCipher, from previous: [ContactCipher], batch: Int = 500, by actor: String
    ) async throws -> (resealed: Int, unreadable: Int) {
        var (resealed, unreadable, after) = (0, 0, Int64(0))
        while true {
            let rows = try await client.query(
                """
                SELECT seq, id, contact_enc FROM responses
                WHERE seq > \(after) AND contact_enc IS NOT NULL
                  AND substring(contact_enc from 1 for 5) <> decode(\(current.prefix.hex), 'hex')
                ORDER BY seq LIMIT \(batch)
                """, logger: logger)
            var changes: [(id: UUID, sealed: String, lookup: String)] = []
            var seen = 0
            for try await (seq, id, sealed) in rows.decode((Int64, UUID, Data).self) {
                (seen, after) = (seen + 1, seq)
                guard let phone = previous.lazy.compactMap({ try? $0.open(sealed, responseID: id) }).first else {
                    unreadable += 1
                    continue
                }
                changes.append((id, try current.seal(phone, responseID: id).hex, current.lookupHash(phone).hex))
            }
            if seen == 0 { break }
            guard !changes.isEmpty else { continue }
            try await client.withTransaction(logger: logger) { connection in
                for change in changes {
                    try await connection.query(
                        """
                        UPDATE responses SET contact_enc = decode(\(change.sealed), 'hex'), contact_hmac = decode(\(change.lookup), 'hex')
                        WHERE id = \(change.id)
                        """, logger: logger)
                }
            }
            resealed += changes.count
        }
        try await client.withConnection { connection in
            try await connection.record(
                AuditRecord(
                    actor: actor, action: "personal_data.rotate_key", agencyID: nil, subject: "key \(current.keyID.hex)",
                    detail: ["resealed": String(resealed), "unreadable": String(unreadable)]),
                logger: logger)
        }
        return (resealed, unreadable)
    }
}
