import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct MetricsTests {
    @Test func ingestOutcomesAndTheBacklogAreExposed() async throws {
        try await AppHarness.run { app, client in
            func post(_ body: String, key: String = UUID().uuidString) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/responses", method: .post,
                    headers: [.authorization: "Bearer \(app.fixture.kioskA.token)", HTTPField.Name("Idempotency-Key")!: key],
                    body: ByteBuffer(string: body))
            }
            let good = #"{"questionnaire":"kiosk-3","answers":{"overall":3},"submitted_at":"\#(tapTime())"}"#
            let key = UUID().uuidString
            #expect(try await post(good, key: key).status == .created)
            #expect(try await post(good, key: key).status == .created)
            #expect(
                try await post(#"{"questionnaire":"kiosk-3","answers":{"overall":9},"submitted_at":"\#(tapTime())"}"#).status
                    == .unprocessableContent)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains(#"hailong_responses_accepted_total{channel="kiosk"} 1"#), "\(text)")
            #expect(text.contains("hailong_responses_replayed_total 1"))
            #expect(text.contains(#"hailong_responses_rejected_total{field="answers.overall"} 1"#))
            #expect(text.contains("hailong_aggregation_backlog 1"))
            #expect(text.contains("hailong_response_store_seconds_count 2"))
        }
    }
}
