import Foundation
import HTTPTypes
import HaiLongAggregator
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// With the aggregator service running as in `hailong serve`, an acknowledged tap shows up in the figures
/// without anyone aggregating by hand. (The 3 s freshness target is measured in bench/, not asserted here.)
@Suite struct FreshnessTests {
    @Test func aNewTapReachesTheFiguresThroughTheRunningAggregator() async throws {
        try await AppHarness.run { app, client in
            let service = AggregatorService(
                aggregator: Aggregator(client: app.db, logger: TestDatabase.logger, timeZone: "Asia/Ho_Chi_Minh"),
                interval: .milliseconds(100), logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                defer { group.cancelAll() }
                let tap = tapTime()
                let day = String(tap.prefix(10))
                let posted = try await client.execute(
                    uri: "/api/v1/responses", method: .post,
                    headers: [
                        .authorization: "Bearer \(app.fixture.kioskA.token)", HTTPField.Name("Idempotency-Key")!: UUID().uuidString,
                    ],
                    body: ByteBuffer(string: #"{"questionnaire":"kiosk-3","answers":{"overall":2},"submitted_at":"\#(tap)"}"#))
                #expect(posted.status == .created)
                var n = 0
                for _ in 0..<100 where n == 0 {
                    let figures = try await client.execute(
                        uri: "/api/v1/indices?period=\(day)&agency=P.A", method: .get,
                        headers: [.authorization: "Bearer \(app.parToken)"])
                    n = ((figures.json["items"] as? [[String: Any]])?.first?["n"] as? Int) ?? 0
                    if n == 0 { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(n == 1)
            }
        }
    }
}
