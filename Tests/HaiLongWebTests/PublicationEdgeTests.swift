import Foundation
import HTTPTypes
import HaiLongTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Edges of the publications found by the schema fuzzing: a version number too large for the database was a 500
/// ("out of range for type integer"), and a publication without `agency` from a province-wide token answered 400
/// although the document calls the body valid.
@Suite struct PublicationEdgeTests {
    @Test func aVersionBeyondTheDatabasesIntegersIs404() async throws {
        try await AppHarness.run { app, client in
            for version in ["82880500065718", "2147483648", "99999999999999999999999"] {
                let response = try await client.execute(
                    uri: "/api/v1/indices?period=2026&agency=P&published=\(version)", method: .get,
                    headers: [.authorization: "Bearer \(app.parToken)"])
                #expect(response.status == .notFound, "published=\(version): \(response.text)")
                #expect(response.json["field"] as? String == "published")
            }
            for malformed in ["01", "1.5", "-1", "first"] {
                let response = try await client.execute(
                    uri: "/api/v1/indices?period=2026&agency=P&published=\(malformed)", method: .get,
                    headers: [.authorization: "Bearer \(app.parToken)"])
                #expect(response.status == .badRequest, "published=\(malformed): \(response.text)")
                #expect(response.json["field"] as? String == "published")
            }
        }
    }

    @Test func aProvinceWidePublicationWithoutAgencyIs422() async throws {
        try await AppHarness.run { app, client in
            let admin = try await app.fixture.directory.addToken(name: "admin", role: .admin, agencyCode: nil)
            let response = try await client.execute(
                uri: "/api/v1/publications", method: .post,
                headers: [.authorization: "Bearer \(admin.token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"period":"2026"}"#))
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.json["field"] as? String == "agency")
            #expect(try await scalar(app.db, "SELECT count(*) FROM publications") == 0)
        }
    }
}
