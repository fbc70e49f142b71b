import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HaiLongWeb

/// Wrong pairing codes from every address share one budget: spreading guesses over many addresses (or the many
/// addresses of one IPv6 /64) does not multiply the guesses; once it is spent, even a right code waits.
@Suite struct PairingBudgetTests {
    @Test func wrongCodesFromEveryAddressShareOneBudget() async throws {
        try await withTestDatabase(asRuntimeRole: true) { db in
            let fixture = try await Fixture.make(db)
            let router = Router(context: AppRequestContext.self)
            router.add(middleware: ProblemMiddleware())
            // Trusting the test client as a proxy lets each request name its own address in X-Forwarded-For.
            let kiosk = KioskController(
                directory: fixture.directory, questionnaires: { [:] },
                pairingLimiter: RateLimiter(burst: 1_000, interval: .seconds(1)),
                pairingFailures: RateLimiter(burst: 3, interval: .seconds(3600)),
                clientAddress: ClientAddress(trustedProxies: ["unknown"]))
            kiosk.addPairingRoute(to: router.group("api/v1"))
            try await Application(router: router).test(.router) { client in
                func pair(_ code: String, from address: String) async throws -> TestResponse {
                    try await client.execute(
                        uri: "/api/v1/kiosk/pair", method: .post, headers: [HTTPField.Name("X-Forwarded-For")!: address],
                        body: ByteBuffer(string: #"{"code":"\#(code)"}"#))
                }
                for guess in 0..<3 {
                    let wrong = try await pair(String(format: "%08d", guess), from: "203.0.113.\(guess + 1)")
                    #expect(wrong.status == .unprocessableContent)
                }
                let spent = try await pair(fixture.kioskA.pairingCode, from: "198.51.100.1")
                #expect(spent.status == .tooManyRequests)
                #expect(Int(spent.headers[.retryAfter] ?? "") ?? 0 > 60)
            }
        }
    }
}
