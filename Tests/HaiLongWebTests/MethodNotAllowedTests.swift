import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A known path asked with a method it does not answer gets 405 with `Allow` (RFC 9110), as a problem document;
/// an unknown path stays 404.
@Suite struct MethodNotAllowedTests {
    @Test(arguments: [
        ("/api/v1/responses", HTTPRequest.Method.delete, "POST"),
        ("/api/v1/responses", .get, "POST"),
        ("/api/v1/indices", .post, "GET"),
        ("/api/v1/kiosk/on-duty", .post, "PUT"),
        ("/api/v1/kiosk/officers/B-1/photo", .patch, "GET"),
        ("/api/v1/questionnaires/kiosk-3", .delete, "GET"),
        ("/healthz", .post, "GET"),
        ("/openapi.yaml", .put, "GET"),
    ])
    func aKnownPathWithAnotherMethodIs405(_ path: String, _ method: HTTPRequest.Method, _ allow: String) async throws {
        try await AppHarness.run { app, client in
            let response = try await client.execute(
                uri: path, method: method, headers: [.authorization: "Bearer \(app.parToken)"], body: ByteBuffer(string: "{}"))
            #expect(response.status == .methodNotAllowed, "\(method) \(path)")
            #expect(response.headers[.allow] == allow)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.json["status"] as? Int == 405)
            #expect(response.json["field"] as? String == "method")
        }
    }

    @Test func anUnknownPathIsStill404AndKnownMethodsStillWork() async throws {
        try await AppHarness.run { app, client in
            let unknown = try await client.execute(uri: "/api/v1/nothing-here", method: .delete)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.allow] == nil)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            // A route's own 404 (an agency outside the scope) is not turned into 405.
            let missing = try await client.execute(
                uri: "/api/v1/questionnaires/no-such", method: .get, headers: [.authorization: "Bearer \(app.parToken)"])
            #expect(missing.status == .notFound)
        }
    }
}
