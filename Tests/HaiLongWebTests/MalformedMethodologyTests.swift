import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// An empty methodology code (`methodology=`, `":1"`) is a 400 naming `methodology`. It used to index an empty array
/// and trap: one request from any par or admin token stopped the whole process (found by the schema fuzzing).
@Suite struct MalformedMethodologyTests {
    @Test(arguments: ["", ":", ":1", "%3A2"])
    func anEmptyMethodologyCodeIs400(_ methodology: String) async throws {
        try await AppHarness.run { app, client in
            for path in ["/api/v1/indices", "/api/v1/indices/trend"] {
                let response = try await client.execute(
                    uri: "\(path)?period=2026&agency=P&methodology=\(methodology)", method: .get,
                    headers: [.authorization: "Bearer \(app.parToken)"])
                #expect(response.status == .badRequest, "\(path) methodology=\(methodology): \(response.text)")
                #expect(response.json["field"] as? String == "methodology")
            }
        }
    }

    @Test func anEmptyMethodologyInAPublicationIs400() async throws {
        try await AppHarness.run { app, client in
            let admin = try await app.fixture.directory.addToken(name: "admin", role: .admin, agencyCode: nil)
            let response = try await client.execute(
                uri: "/api/v1/publications", method: .post,
                headers: [.authorization: "Bearer \(admin.token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"period":"2026","agency":"P","methodology":""}"#))
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.json["field"] as? String == "methodology")
        }
    }

    /// With `published`, the stored publication's methodology is served, but a malformed `methodology` is still 400
    /// (the 500-example fuzzing found `methodology=` accepted there).
    @Test func anEmptyMethodologyWithPublishedIs400() async throws {
        try await AppHarness.run { app, client in
            let response = try await client.execute(
                uri: "/api/v1/indices?period=2026&agency=P&published=1&methodology=", method: .get,
                headers: [.authorization: "Bearer \(app.parToken)"])
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.json["field"] as? String == "methodology")
        }
    }

    /// Likewise `depth` and `group` with `published` (the fuzzing found `depth=` answered 200 there).
    @Test(arguments: ["depth=", "depth=2", "group=day", "group="])
    func aMalformedDepthOrGroupWithPublishedIs400(_ parameter: String) async throws {
        try await AppHarness.run { app, client in
            let response = try await client.execute(
                uri: "/api/v1/indices?period=2026&agency=P&published=1&\(parameter)", method: .get,
                headers: [.authorization: "Bearer \(app.parToken)"])
            #expect(response.status == .badRequest, "\(parameter): \(response.text)")
            #expect(response.json["field"] as? String == String(parameter.prefix { $0 != "=" }))
        }
    }
}
