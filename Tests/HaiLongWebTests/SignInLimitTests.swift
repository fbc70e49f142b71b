import Foundation
import HTTPTypes
import HaiLongStore
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// `/admin/sign-in` limits attempts per client address (and from everyone together), before any password is checked:
/// guessing cannot be spread over accounts, nor used to burn the CPU on bcrypt.
@Suite struct SignInLimitTests {
    let auth = AdminAuthTests()

    @Test func attemptsFromOneAddressAreLimitedWithRetryAfter() async throws {
        try await AppHarness.run { app, client in
            // Guesses spread over many usernames, so that no account's own lock-out stops them. Each takes a bcrypt
            // check (about a quarter of a second), while the bucket refills one attempt every 3 s: it runs dry soon
            // after the first 20.
            var tried = 0
            var limited: TestResponse?
            for attempt in 1...40 {
                let response = try await auth.signIn(client, "nguoi-\(attempt)", "sai-mat-khau")
                if response.status == .tooManyRequests {
                    limited = response
                    break
                }
                #expect(response.status == .unauthorized)
                tried += 1
            }
            #expect(tried >= 20)
            let refused = try #require(limited, "40 attempts from one address were never limited")
            #expect((Int(refused.headers[.retryAfter] ?? "") ?? 0) >= 1)
            #expect(refused.text.contains("Quá nhiều lần đăng nhập"))
            // The refused attempt checked no password and wrote nothing: only the tried ones are audited.
            #expect(try await scalar(app.db, "SELECT count(*) FROM audit_log WHERE action = 'sign_in.failed'") == tried)
        }
    }
}
