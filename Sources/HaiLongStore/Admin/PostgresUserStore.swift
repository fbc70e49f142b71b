import Crypto
import Foundation
import HaiLongCore
import HummingbirdBcrypt
import Logging
import NIOPosix
import PostgresNIO
import Synchronization

/// Sign-in and session rules (docs/CONTRACT.md): bcrypt cost ≥ 12, 10 failed attempts lock the account for 15 minutes,
/// a session ends after 30 idle minutes or 12 hours in all.
public struct SessionPolicy: Sendable {
    public var bcryptCost: UInt8 = 12
    public var maxFailedAttempts = 10
    public var lockout: Duration = .seconds(15 * 60)
    public var idleTimeout: Duration = .seconds(30 * 60)
    public var absoluteTimeout: Duration = .seconds(12 * 3600)
    /// System admins must sign in with a second factor (`HAILONG_ADMIN_SECOND_FACTOR=required`); for everyone else it
    /// is their choice.
    public var secondFactorRequired = false

    public init() {}
}

/// The outcome of a sign-in attempt. Unknown user and wrong password are the same answer.
public enum SignInOutcome: Sendable, Equatable {
    case signedIn(AdminUser, session: String, csrfToken: String)
    case refused
    case locked(until: Date)
}

/// Users, sign-in with lock-out, and server-side sessions, in PostgreSQL. Passwords are bcrypt hashes computed on
/// NIO's thread pool (a cost-12 hash takes a quarter of a second: never on an event loop). Session tokens and CSRF
/// tokens are 256-bit random values; only the SHA-256 of a session token is stored.
public struct PostgresUserStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    public let policy: SessionPolicy

    public init(client: PostgresClient, logger: Logger, policy: SessionPolicy = SessionPolicy()) {
        self.client = client
        self.logger = logger
        self.policy = policy
    }

    /// Adds a user; `agencyCode` is required for every role but `admin`. Returns the new id.
    public func addUser(username: String, role: UserRole, agencyCode: String?, password: String, by actor: String) async throws -> Int64 {
        guard password.count >= 12 else { throw ValidationError(field: "password", reason: "must have at least 12 characters") }
        if role != .admin && agencyCode == nil {
            throw ValidationError(field: "agency", reason: "is required for the \(role.rawValue) role")
        }
        if role == .admin && agencyCode != nil {
            // The system role sees everything: a "scoped admin" would be one in name only. Use agency_admin.
            throw ValidationError(field: "agency", reason: "is not for the admin role, which is the whole system; use agency_admin")
        }
        let hash = try await Self.hash(password, cost: policy.bcryptCost)
        do {
            let rows = try await client.query(
                """
                WITH added AS (
                    INSERT INTO users (username, role, agency_id, password_hash)
                    SELECT \(username), \(role.rawValue), a.id, \(hash)
                    FROM (SELECT NULL::bigint AS none) AS x LEFT JOIN agencies a ON a.code = \(agencyCode)
                    WHERE \(agencyCode)::text IS NULL OR a.id IS NOT NULL
                    RETURNING id, agency_id
                ), audited AS (
                    INSERT INTO audit_log (actor, action, agency_id, subject, detail)
                    SELECT \(actor), 'user.add', agency_id, \(username), jsonb_build_object('role', \(role.rawValue)) FROM added
                )
                SELECT id FROM added
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
        } catch let error as PSQLError where StoreError.isUniqueViolation(error) {
            throw StoreError.duplicate(field: "username", value: username)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23514" {
            throw ValidationError(field: "username", reason: "may use letters, digits and . _ @ - only (at most 64)")
        }
        throw StoreError.notFound(field: "agency", value: agencyCode ?? "")
    }

    /// Checks a password; on success starts a session. Failures count towards the lock-out; every attempt is audited.
    ///
    /// An attempt is counted before its password is checked, in one UPDATE that never clears a lock still in force: of
    /// any number of concurrent guesses, at most `maxFailedAttempts` are tried before the lock holds.
    /// With a second factor enabled, `code` must be a current code from the user's authenticator, not used before; a
    /// missing or wrong code is a failed attempt like a wrong password, and answered the same.
    public func signIn(username: String, password: String, code: String? = nil, address: String) async throws -> SignInOutcome {
        let rows = try await client.query(
            """
            SELECT id, role, agency_id, password_hash, totp_secret, must_change_password FROM users
            WHERE username = \(username) AND disabled_at IS NULL
            """, logger: logger)
        var found: (id: Int64, role: String, agencyID: Int64?, hash: String, totp: String?, mustChange: Bool)?
        for try await row in rows.decode((Int64, String, Int64?, String, String?, Bool).self) { found = row }
        guard let user = found, let role = UserRole(rawValue: user.role) else {
            // Spend the same time as a real check, so that timing does not tell which usernames exist.
            // (The decoy is made on first use, inside the pool too: a cost-12 hash must not run on an event loop.)
            let cost = policy.bcryptCost
            _ = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: Self.decoyHash(cost: cost)) }
            // What the client typed is kept short: 64 characters and the length, not 16 KiB of its text.
            let typed = String(username.prefix(64))
            try await audit(
                actor: typed, action: "sign_in.failed", agencyID: nil,
                detail: ["address": String(address.prefix(64)), "reason": "unknown", "username_length": String(username.count)])
            return .refused
        }
        let seconds = Int(policy.lockout.components.seconds)
        let counted = try await client.query(
            """
            UPDATE users SET
                failed_attempts = CASE WHEN locked_until <= now() THEN 1 ELSE failed_attempts + 1 END,
                locked_until = CASE WHEN (CASE WHEN locked_until <= now() THEN 1 ELSE failed_attempts + 1 END)
                                         >= \(policy.maxFailedAttempts)
                                    THEN now() + make_interval(secs => \(seconds)) END
            -- A row whose lock is in force is not updated: waiting on a concurrent attempt re-reads it.
            WHERE id = \(user.id) AND (locked_until IS NULL OR locked_until <= now())
            RETURNING locked_until
            """, logger: logger)
        var admitted = false
        var lockedNow: Date?
        for try await value in counted.decode(Date?.self) {
            admitted = true
            lockedNow = value
        }
        guard admitted else {
            let until = try await lockedUntil(user.id) ?? Date().addingTimeInterval(Double(seconds))
            try await audit(actor: username, action: "sign_in.locked", agencyID: user.agencyID, detail: ["address": address])
            return .locked(until: until)
        }
        guard try await Self.verify(password, hash: user.hash) else {
            try await audit(
                actor: username, action: "sign_in.failed", agencyID: user.agencyID,
                detail: ["address": address, "reason": lockedNow == nil ? "password" : "password; locked"])
            return lockedNow.map { .locked(until: $0) } ?? .refused
        }
        if let secret = user.totp, try await !acceptCode(code, secret: secret, userID: user.id) {
            try await audit(
                actor: username, action: "sign_in.failed", agencyID: user.agencyID,
                detail: ["address": address, "reason": (code ?? "").isEmpty ? "code missing" : "code"])
            return lockedNow.map { .locked(until: $0) } ?? .refused
        }
        let session = Self.randomToken()
        let csrf = Self.randomToken()
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                WITH reset AS (
                    -- A lock set by another attempt stands; one this attempt set (its password was right after all) goes.
                    UPDATE users SET failed_attempts = 0, locked_until = NULL
                    WHERE id = \(user.id) AND (locked_until IS NULL OR \(lockedNow != nil))
                )
                INSERT INTO sessions (token_hash, user_id, csrf_token)
                VALUES (decode(\(SecretToken.hash(session)), 'hex'), \(user.id), \(csrf))
                """, logger: logger)
            try await connection.record(
                AuditRecord(actor: username, action: "sign_in", agencyID: user.agencyID, subject: username, detail: ["address": address]),
                logger: logger)
        }
        let signedIn = AdminUser(
            id: user.id, username: username, role: role, agencyID: user.agencyID, mustChangePassword: user.mustChange,
            hasSecondFactor: user.totp != nil)
        return .signedIn(signedIn, session: session, csrfToken: csrf)
    }

    /// When the user's lock-out ends, if one is in force.
    func lockedUntil(_ id: Int64) async throws -> Date? {
        let rows = try await client.query("SELECT locked_until FROM users WHERE id = \(id) AND locked_until > now()", logger: logger)
        for try await until in rows.decode(Date?.self) { return until }
        return nil
    }

    /// The user of a live session (and its CSRF token), touching it; `nil` once it ended, idled out or grew too old.
    public func session(_ token: String) async throws -> (user: AdminUser, csrfToken: String)? {
        let idle = Int(policy.idleTimeout.components.seconds)
        let absolute = Int(policy.absoluteTimeout.components.seconds)
        let rows = try await client.query(
            """
            WITH found AS (
                SELECT s.token_hash, s.last_seen_at, u.id, u.username, u.role, u.agency_id, s.csrf_token, u.must_change_password,
                    u.totp_secret IS NOT NULL AS has_second_factor
                FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = decode(\(SecretToken.hash(token)), 'hex')
                  AND s.ended_at IS NULL AND u.disabled_at IS NULL
                  AND s.last_seen_at > now() - make_interval(secs => \(idle))
                  AND s.created_at > now() - make_interval(secs => \(absolute))
            ), touched AS (
                -- At most twice a minute: a page view that changes no row commits without waiting for the disk.
                UPDATE sessions s SET last_seen_at = now() FROM found f
                WHERE s.token_hash = f.token_hash AND f.last_seen_at < now() - interval '30 seconds'
            )
            SELECT id, username, role, agency_id, csrf_token, must_change_password, has_second_factor FROM found
            """, logger: logger)
        for try await (id, username, role, agencyID, csrf, mustChange, secondFactor)
            in rows.decode((Int64, String, String, Int64?, String, Bool, Bool).self)
        {
            guard let role = UserRole(rawValue: role) else { return nil }
            let user = AdminUser(
                id: id, username: username, role: role, agencyID: agencyID, mustChangePassword: mustChange,
                hasSecondFactor: secondFactor)
            return (user, csrf)
        }
        return nil
    }

    /// Ends a session for good (sign-out).
    public func endSession(_ token: String, user: AdminUser) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE sessions SET ended_at = now() WHERE token_hash = decode(\(SecretToken.hash(token)), 'hex') AND ended_at IS NULL",
                logger: logger)
            try await connection.record(
                AuditRecord(actor: user.username, action: "sign_out", agencyID: user.agencyID, subject: user.username), logger: logger)
        }
    }

    /// Appends to the audit log: who did what, for which agency, on what (by default the actor's own account).
    public func audit(actor: String, action: String, agencyID: Int64?, subject: String? = nil, detail: [String: String]) async throws {
        let json = String(decoding: try JSONEncoder().encode(detail), as: UTF8.self)
        try await client.query(
            """
            INSERT INTO audit_log (actor, action, agency_id, subject, detail)
            VALUES (\(actor), \(action), \(agencyID), \(subject ?? actor), \(json)::jsonb)
            """, logger: logger)
    }

    static func hash(_ password: String, cost: UInt8) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A bcrypt hash of nothing anyone knows, checked for unknown usernames.
    /// A hash of nothing anyone knows, at the policy's cost, so that an unknown username takes as long as a real
    /// check. Made once per cost, on first use (on the thread pool, like every bcrypt call).
    static func decoyHash(cost: UInt8) -> String {
        decoys.withLock { decoys in
            if let hash = decoys[cost] { return hash }
            let hash = Bcrypt.hash(randomToken(), cost: cost)
            decoys[cost] = hash
            return hash
        }
    }

    private static let decoys = Mutex<[UInt8: String]>([:])

    /// 256 random bits, base64url.
    public static func randomToken() -> String {
        Base64URL.encode(Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }))
    }
}
