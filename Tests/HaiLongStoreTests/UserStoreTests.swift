import Foundation
import HaiLongCore
import HaiLongStore
import HaiLongTestSupport
import PostgresNIO
import Testing

/// Sign-in lock-out under concurrent guessing, and what an unknown username may write to the audit log.
@Suite struct UserStoreTests {
    static let password = "mật-khẩu-đủ-dài-12"

    func users(_ client: PostgresClient) -> PostgresUserStore {
        var policy = SessionPolicy()
        policy.bcryptCost = 4
        return PostgresUserStore(client: client, logger: TestDatabase.logger, policy: policy)
    }

    /// 25 wrong passwords at once (not a multiple of the limit, so a lock set by the 10th and cleared by the 11th
    /// would show), then the right one: the account must be locked, and no more than 10 guesses may have been tried.
    @Test func concurrentGuessesCannotClearTheLock() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            _ = try await Fixture.make(db)
            let users = users(db)
            _ = try await users.addUser(username: "khoa", role: .viewer, agencyCode: "P.A", password: Self.password, by: "test")
            let outcomes = try await withThrowingTaskGroup(of: SignInOutcome.self) { group in
                for attempt in 1...25 {
                    group.addTask { try await users.signIn(username: "khoa", password: "sai-\(attempt)", address: "203.0.113.9") }
                }
                return try await group.reduce(into: [SignInOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.count == 25)
            #expect(outcomes.filter { $0 == .refused }.count == 9, "\(outcomes)")
            let right = try await users.signIn(username: "khoa", password: Self.password, address: "203.0.113.9")
            guard case .locked(let until) = right else {
                Issue.record("the right password signed in during the lock-out: \(right)")
                return
            }
            #expect(until > Date().addingTimeInterval(800))
            // Every attempt is audited: 10 tried (the 10th locking), the other 15 and the right one refused as locked.
            #expect(try await scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'sign_in.failed'") == 10)
            #expect(try await scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'sign_in.locked'") == 16)
        }
    }

    /// The right password on the 10th attempt signs in and leaves no lock behind (the attempt counted before the check
    /// had set it).
    @Test func theRightPasswordOnTheLastAllowedAttemptLeavesNoLock() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            _ = try await Fixture.make(db)
            let users = users(db)
            _ = try await users.addUser(username: "lan", role: .viewer, agencyCode: "P.A", password: Self.password, by: "test")
            for attempt in 1...9 {
                #expect(try await users.signIn(username: "lan", password: "sai-\(attempt)", address: "203.0.113.9") == .refused)
            }
            guard case .signedIn = try await users.signIn(username: "lan", password: Self.password, address: "203.0.113.9") else {
                Issue.record("the right password on the 10th attempt was refused")
                return
            }
            #expect(
                try await scalar(db, "SELECT count(*) FROM users WHERE username = 'lan' AND locked_until IS NULL AND failed_attempts = 0")
                    == 1)
        }
    }

    /// The system role is the whole system: an "admin" limited to an agency would be one in name only.
    @Test func theAdminRoleCannotBeScoped() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            _ = try await Fixture.make(db)
            await #expect(throws: ValidationError.self) {
                try await users(db).addUser(username: "sai", role: .admin, agencyCode: "P.A", password: Self.password, by: "test")
            }
        }
    }

    /// An unknown username is audited, but at most 64 of its characters: a client cannot fill the log with its text.
    @Test func anUnknownUsernameWritesLittleToTheAuditLog() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            _ = try await Fixture.make(db)
            let long = String(repeating: "ă", count: 16 * 1024)
            #expect(try await users(db).signIn(username: long, password: "x", address: "203.0.113.9") == .refused)
            let written = try await scalar(
                db,
                "SELECT max(length(actor) + coalesce(length(subject), 0) + length(detail::text)) FROM audit_log WHERE action = 'sign_in.failed'"
            )
            #expect(written > 0 && written < 400, "\(written) characters audited for one unknown username")
        }
    }
}
