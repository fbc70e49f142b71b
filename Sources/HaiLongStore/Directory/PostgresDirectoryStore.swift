import HaiLongCore
import Logging
import PostgresNIO

/// The agency directory on PostgreSQL: agencies, counters, officers, kiosks and API tokens, and token look-up.
public struct PostgresDirectoryStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func addAgency(code: String, name: String, parentCode: String?, kind: String, by actor: String = "cli") async throws -> Int64 {
        var parentID: Int64?
        if let parentCode {
            guard let parent = try await agency(code: parentCode) else { throw StoreError.notFound(field: "parent", value: parentCode) }
            parentID = parent.id
        }
        let audit = { (id: Int64) in AuditRecord(actor: actor, action: "agency.add", agencyID: id, subject: "\(code) \(name)") }
        return try await insertReturningID(duplicate: .duplicate(field: "agency code", value: code), audit: audit) {
            "INSERT INTO agencies (code, name, kind, parent_id) VALUES (\(code), \(name), \(kind), \(parentID)) RETURNING id"
        }
    }

    public func addCounter(agencyCode: String, code: String, name: String, by actor: String = "cli") async throws -> Int64 {
        let agency = try await requireAgency(agencyCode)
        let audit = AuditRecord(actor: actor, action: "counter.add", agencyID: agency.id, subject: "\(agency.code)/\(code)")
        return try await insertReturningID(duplicate: .duplicate(field: "counter code", value: code), audit: { _ in audit }) {
            "INSERT INTO counters (agency_id, code, name) VALUES (\(agency.id), \(code), \(name)) RETURNING id"
        }
    }

    public func addOfficer(
        agencyCode: String, badge: String, name: String, counterCode: String?, title: String?, by actor: String = "cli"
    ) async throws -> Int64 {
        let agency = try await requireAgency(agencyCode)
        let counterID = try await counterCode.asyncMap { try await requireCounter(agency: agency, code: $0) }
        let audit = AuditRecord(actor: actor, action: "officer.add", agencyID: agency.id, subject: "\(agency.code)/\(badge)")
        return try await insertReturningID(duplicate: .duplicate(field: "officer badge", value: badge), audit: { _ in audit }) {
            """
            INSERT INTO officers (agency_id, counter_id, badge, name, title)
            VALUES (\(agency.id), \(counterID), \(badge), \(name), \(title)) RETURNING id
            """
        }
    }

    /// How long a pairing code works by default: long enough to walk to the kiosk and type it, short enough that
    /// guessing 8 digits in that time is hopeless under the pairing route's limits.
    public static let pairingValidity = Duration.seconds(15 * 60)

    /// Registers a kiosk; returns its id, its device token and a single-use pairing code valid for `pairingValidity`,
    /// neither of which is stored (only their hashes) nor can be shown again.
    public func addKiosk(
        agencyCode: String, counterCode: String?, label: String, pairingValidity: Duration = Self.pairingValidity,
        by actor: String = "cli"
    ) async throws -> (id: Int64, token: String, pairingCode: String) {
        let agency = try await requireAgency(agencyCode)
        let counterID = try await counterCode.asyncMap { try await requireCounter(agency: agency, code: $0) }
        let token = SecretToken.generate(prefix: "hlk_")
        let code = SecretToken.pairingCode()
        let audit = { (id: Int64) in AuditRecord(actor: actor, action: "kiosk.add", agencyID: agency.id, subject: "kiosk \(id) \(label)") }
        let id = try await insertReturningID(duplicate: .duplicate(field: "kiosk token", value: ""), audit: audit) {
            """
            INSERT INTO kiosks (agency_id, counter_id, label, token_hash, pairing_code_hash, pairing_expires_at)
            VALUES (\(agency.id), \(counterID), \(label), decode(\(SecretToken.hash(token)), 'hex'),
                decode(\(SecretToken.hash(code)), 'hex'), now() + make_interval(secs => \(Int(pairingValidity.components.seconds))))
            RETURNING id
            """
        }
        return (id, token, code)
    }

    /// Creates an API token; returns its id and the token, which is not stored and cannot be shown again.
    public func addToken(
        name: String, role: TokenRole, agencyCode: String?, expiresIn: Duration? = nil
    ) async throws -> (id: Int64, token: String) {
        let agencyID = try await agencyCode.asyncMap { try await requireAgency($0).id }
        let token = SecretToken.generate(prefix: "hlt_")
        let hash = SecretToken.hash(token)
        let seconds = expiresIn.map { Int($0.components.seconds) }
        let audit = { (id: Int64) in
            AuditRecord(actor: "cli", action: "token.create", agencyID: agencyID, subject: "token \(id) \(name) (\(role.rawValue))")
        }
        let id = try await insertReturningID(duplicate: .duplicate(field: "token", value: ""), audit: audit) {
            """
            INSERT INTO api_tokens (name, role, agency_id, token_hash, expires_at)
            VALUES (\(name), \(role.rawValue), \(agencyID), decode(\(hash), 'hex'),
                now() + make_interval(secs => \(seconds)))
            RETURNING id
            """
        }
        return (id, token)
    }

    /// The caller a bearer token stands for, or `nil` when it is unknown, revoked or expired.
    public func caller(forToken token: String) async throws -> Caller? {
        let hash = SecretToken.hash(token)
        if token.hasPrefix("hlk_") {
            let rows = try await client.query(
                "SELECT id, agency_id, counter_id FROM kiosks WHERE token_hash = decode(\(hash), 'hex') AND status = 'active'",
                logger: logger)
            for try await (id, agencyID, counterID) in rows.decode((Int64, Int64, Int64?).self) {
                return .kiosk(id: id, agencyID: agencyID, counterID: counterID)
            }
            return nil
        }
        // Used now: kept at most once a minute, so that a busy integration does not write on every request.
        let rows = try await client.query(
            """
            WITH found AS (
                SELECT id, role, agency_id, last_used_at FROM api_tokens
                WHERE token_hash = decode(\(hash), 'hex') AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
            ), touched AS (
                UPDATE api_tokens t SET last_used_at = now() FROM found f
                WHERE t.id = f.id AND (f.last_used_at IS NULL OR f.last_used_at < now() - interval '1 minute')
            )
            SELECT id, role, agency_id FROM found
            """, logger: logger)
        for try await (id, role, agencyID) in rows.decode((Int64, String, Int64?).self) {
            guard let role = TokenRole(rawValue: role) else { return nil }
            return .token(id: id, role: role, agencyID: agencyID)
        }
        return nil
    }

    /// The agency with this code.
    public func agency(code: String) async throws -> Agency? {
        try await Agency.decode(
            client.query("SELECT id, code, name, kind, parent_id FROM agencies WHERE code = \(code)", logger: logger)
        ).first
    }

    /// The agency with this id.
    public func agency(id: Int64) async throws -> Agency? {
        try await Agency.decode(
            client.query("SELECT id, code, name, kind, parent_id FROM agencies WHERE id = \(id)", logger: logger)
        ).first
    }

    /// The agencies without a parent (provinces), by code.
    public func roots() async throws -> [Agency] {
        try await Agency.decode(
            client.query("SELECT id, code, name, kind, parent_id FROM agencies WHERE parent_id IS NULL ORDER BY code", logger: logger))
    }

    /// Records a kiosk's heartbeat: seen now, with its offline queue length and app version.
    public func recordHeartbeat(kioskID: Int64, queueLength: Int, appVersion: String?) async throws {
        try await client.query(
            """
            UPDATE kiosks SET last_seen_at = now(), queue_length = \(queueLength), app_version = coalesce(\(appVersion), app_version)
            WHERE id = \(kioskID)
            """, logger: logger)
    }

    /// Whether agency `id` is `ancestor` or below it.
    public func isAgency(_ id: Int64, within ancestor: Int64) async throws -> Bool {
        let rows = try await client.query(
            """
            WITH RECURSIVE up AS (
                SELECT id, parent_id, 0 AS depth FROM agencies WHERE id = \(id)
                UNION ALL
                SELECT a.id, a.parent_id, up.depth + 1 FROM agencies a JOIN up ON a.id = up.parent_id WHERE up.depth < 64
            )
            SELECT EXISTS (SELECT 1 FROM up WHERE id = \(ancestor))
            """, logger: logger)
        for try await found in rows.decode(Bool.self) { return found }
        return false
    }

    /// Whether every agency of `ids` is `ancestor` or below it: one statement for a block's 40 members rather than a
    /// walk up the tree for each (the subtree is one range of `agency_tree`, sql/0032).
    public func areAgencies(_ ids: [Int64], within ancestor: Int64) async throws -> Bool {
        let rows = try await client.query(
            "SELECT NOT EXISTS (SELECT 1 FROM unnest(\(ids)::bigint[]) AS m (id) WHERE m.id NOT IN (SELECT id FROM agency_subtree(\(ancestor))))",
            logger: logger)
        for try await all in rows.decode(Bool.self) { return all }
        return false
    }

    func requireAgency(_ code: String) async throws -> Agency {
        guard let agency = try await agency(code: code) else { throw StoreError.notFound(field: "agency", value: code) }
        return agency
    }

    func requireCounter(agency: Agency, code: String) async throws -> Int64 {
        let rows = try await client.query(
            "SELECT id FROM counters WHERE agency_id = \(agency.id) AND code = \(code)", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.notFound(field: "counter", value: "\(agency.code)/\(code)")
    }

    /// Runs a change and writes its audit row in the same transaction.
    func execute(_ change: PostgresQuery, audited record: AuditRecord) async throws {
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(change, logger: logger)
                try await connection.record(record, logger: logger)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Runs an INSERT … RETURNING id and writes its audit row in the same transaction.
    func insertReturningID(
        duplicate: StoreError, audit: (Int64) -> AuditRecord, _ query: () -> PostgresQuery
    ) async throws -> Int64 {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(query(), logger: logger)
                var inserted: Int64?
                for try await id in rows.decode(Int64.self) { inserted = id }
                guard let id = inserted else { throw StoreError.notFound(field: "id", value: "") }
                try await connection.record(audit(id), logger: logger)
                return id
            }
        } catch let error as PostgresTransactionError {
            let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
            if StoreError.isUniqueViolation(cause) { throw duplicate }
            throw cause
        }
    }
}

extension Optional {
    /// `map` with an asynchronous transform.
    public func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
