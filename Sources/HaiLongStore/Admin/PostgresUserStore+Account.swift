import Crypto
import Foundation
import HaiLongCore
import HummingbirdOTP
import PostgresNIO

/// What a user does to their own account: change the password, and enrol, confirm or remove an authenticator app
/// (TOTP, RFC 6238: six digits, 30-second steps, one step of clock drift either way, each code used once).
extension PostgresUserStore {
    /// Sets the user's own password after checking the current one; ends their other sessions. Refused (422, naming
    /// the field) when the current password is wrong or the new one is too short or the same.
    public func changePassword(_ user: AdminUser, current: String, new: String, keepingSession token: String) async throws {
        guard let hash = try await passwordHash(user.id), try await Self.verify(current, hash: hash) else {
            throw ValidationError(field: "current_password", reason: "is not the account's password")
        }
        guard new.count >= 12 else { throw ValidationError(field: "new_password", reason: "must have at least 12 characters") }
        guard new != current else { throw ValidationError(field: "new_password", reason: "must differ from the current password") }
        let newHash = try await Self.hash(new, cost: policy.bcryptCost)
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                WITH changed AS (
                    UPDATE users SET password_hash = \(newHash), must_change_password = false, password_changed_at = now()
                    WHERE id = \(user.id) RETURNING id
                )
                UPDATE sessions SET ended_at = now()
                WHERE user_id IN (SELECT id FROM changed) AND ended_at IS NULL
                  AND token_hash <> decode(\(SecretToken.hash(token)), 'hex')
                """, logger: logger)
            try await connection.record(
                AuditRecord(actor: user.username, action: "password.change", agencyID: user.agencyID, subject: user.username),
                logger: logger)
        }
    }

    /// Starts enrolling an authenticator: a new secret, kept aside until `confirmSecondFactor` sees a code made from
    /// it. Returns the secret and the `otpauth://` address an authenticator app reads.
    public func startSecondFactor(_ user: AdminUser, issuer: String = "HaiLong") async throws -> (secret: String, url: String) {
        let secret = Self.totpSecret()
        try await client.query("UPDATE users SET totp_pending = \(secret) WHERE id = \(user.id)", logger: logger)
        return (secret, TOTP(secret: secret).createAuthenticatorURL(label: user.username, issuer: issuer))
    }

    /// The secret being enrolled, if any (shown again until confirmed).
    public func pendingSecondFactor(_ user: AdminUser, issuer: String = "HaiLong") async throws -> (secret: String, url: String)? {
        let rows = try await client.query("SELECT totp_pending FROM users WHERE id = \(user.id)", logger: logger)
        for try await pending in rows.decode(String?.self) {
            guard let secret = pending else { return nil }
            return (secret, TOTP(secret: secret).createAuthenticatorURL(label: user.username, issuer: issuer))
        }
        return nil
    }

    /// Turns the second factor on when `code` comes from the secret being enrolled.
    public func confirmSecondFactor(_ user: AdminUser, code: String) async throws {
        let rows = try await client.query("SELECT totp_pending FROM users WHERE id = \(user.id)", logger: logger)
        var pending: String?
        for try await secret in rows.decode(String?.self) { pending = secret }
        guard let secret = pending else {
            throw ValidationError(field: "code", reason: "start again: no authenticator is being set up")
        }
        guard let step = Self.matchingStep(code, secret: secret) else {
            throw ValidationError(field: "code", reason: "is not the current code of the authenticator app")
        }
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = \(step)
                WHERE id = \(user.id) AND totp_pending = \(secret)
                """, logger: logger)
            try await connection.record(
                AuditRecord(actor: user.username, action: "second_factor.enable", agencyID: user.agencyID, subject: user.username),
                logger: logger)
        }
    }

    /// Turns the second factor off, after checking the password and a current code.
    public func removeSecondFactor(_ user: AdminUser, password: String, code: String) async throws {
        let rows = try await client.query("SELECT password_hash, totp_secret FROM users WHERE id = \(user.id)", logger: logger)
        var found: (hash: String, secret: String?)?
        for try await row in rows.decode((String, String?).self) { found = row }
        guard let found, try await Self.verify(password, hash: found.hash) else {
            throw ValidationError(field: "password", reason: "is not the account's password")
        }
        guard let secret = found.secret, try await acceptCode(code, secret: secret, userID: user.id) else {
            throw ValidationError(field: "code", reason: "is not the current code of the authenticator app")
        }
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = \(user.id)", logger: logger)
            try await connection.record(
                AuditRecord(actor: user.username, action: "second_factor.disable", agencyID: user.agencyID, subject: user.username),
                logger: logger)
        }
    }

    /// Whether `code` is current for `secret` and newer than the last code this user used; records its step if so, in
    /// one UPDATE, so that the same code cannot sign in twice even at the same moment.
    func acceptCode(_ code: String?, secret: String, userID: Int64) async throws -> Bool {
        guard let code, let step = Self.matchingStep(code, secret: secret) else { return false }
        let rows = try await client.query(
            """
            UPDATE users SET totp_last_step = \(step)
            WHERE id = \(userID) AND (totp_last_step IS NULL OR totp_last_step < \(step)) RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// The time step (30 s since 1970) whose code `code` is, within one step of now.
    static func matchingStep(_ code: String, secret: String, now: Date = Date()) -> Int64? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, let value = Int(digits) else { return nil }
        let totp = TOTP(secret: secret)
        let step = Int64(now.timeIntervalSince1970 / 30)
        for candidate in [step, step - 1, step + 1] where totp.compute(date: Date(timeIntervalSince1970: Double(candidate) * 30)) == value {
            return candidate
        }
        return nil
    }

    /// 32 characters of the base32 alphabet (160 bits): the shared secret's text, whose bytes key the codes.
    static func totpSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        return String(SymmetricKey(size: .bits256).withUnsafeBytes { bytes in bytes.prefix(32).map { alphabet[Int($0) % 32] } })
    }

    func passwordHash(_ id: Int64) async throws -> String? {
        let rows = try await client.query("SELECT password_hash FROM users WHERE id = \(id) AND disabled_at IS NULL", logger: logger)
        for try await hash in rows.decode(String.self) { return hash }
        return nil
    }
}

extension PostgresUserStore {
    /// Gives an account a new random password that must be changed at the next sign-in, lifts its lock-out and ends its
    /// sessions (the operator's command; any account, system admins too). Returns the password, shown once.
    public func resetPassword(username: String, by actor: String) async throws -> String {
        let password = Self.temporaryPassword()
        let hash = try await Self.hash(password, cost: policy.bcryptCost)
        let reset = try await client.withTransaction(logger: logger) { connection in
            var agency: Int64??
            for try await row in try await connection.query(Self.resetQuery(username: username, hash: hash, within: nil), logger: logger)
                .decode(Int64?.self)
            {
                agency = .some(row)
            }
            guard let agency else { return false }
            try await connection.record(
                AuditRecord(actor: actor, action: "password.reset", agencyID: agency, subject: username), logger: logger)
            return true
        }
        guard reset else { throw StoreError.notFound(field: "username", value: username) }
        return password
    }

    /// Sixteen characters of a random token: typed once by hand, then replaced.
    static func temporaryPassword() -> String { String(randomToken().prefix(16)) }

    /// The reset as one statement returning the account's agency: the password, the lock-out and the sessions
    /// together. `within` an agency's subtree, system admins are out of reach.
    static func resetQuery(username: String, hash: String, within agency: Int64?) -> PostgresQuery {
        """
        WITH reset AS (
            UPDATE users SET password_hash = \(hash), must_change_password = true, failed_attempts = 0, locked_until = NULL
            WHERE username = \(username) AND disabled_at IS NULL
              AND (\(agency)::bigint IS NULL OR (role <> 'admin' AND agency_id IN (SELECT id FROM agency_subtree(\(agency)))))
            RETURNING id, agency_id
        ), ended AS (
            UPDATE sessions SET ended_at = now() WHERE user_id IN (SELECT id FROM reset) AND ended_at IS NULL
        )
        SELECT agency_id FROM reset
        """
    }
}

extension PostgresManagementStore {
    /// Resets the password of an account of the agency's subtree (never a system admin); returns the new password,
    /// shown once to the caller.
    public func resetPassword(_ agency: Agency, username: String, by actor: String, bcryptCost: UInt8) async throws -> String {
        let password = PostgresUserStore.temporaryPassword()
        let hash = try await PostgresUserStore.hash(password, cost: bcryptCost)
        try await change(
            agency.id, actor: actor, action: "password.reset", subject: username, notFound: ("username", username),
            PostgresUserStore.resetQuery(username: username, hash: hash, within: agency.id))
        return password
    }
}
