import HTTPTypes
import HaiLongStore
import HaiLongTestSupport
import HaiLongWeb
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// `HAILONG_METRICS_TOKEN`: with it, `/metrics` answers only requests bearing the token. The router is built on a
/// client that is never run: `/metrics` reads no database here (its backlog reader is a constant).
@Suite struct MetricsTokenTests {
    func router(token: String?) -> Router<AppRequestContext> {
        let logger = TestDatabase.logger
        let client = PostgresClient(
            configuration: .init(host: "127.0.0.1", username: "hailong", password: nil, database: "hailong", tls: .disable),
            backgroundLogger: logger)
        return buildRouter(
            AppDependencies(
                directory: PostgresDirectoryStore(client: client, logger: logger),
                responses: PostgresResponseStore(client: client, logger: logger),
                indices: PostgresIndexStore(client: client, logger: logger),
                dossiers: PostgresDossierStore(client: client, logger: logger), isReady: { false }, metricsToken: token))
    }

    @Test func aConfiguredTokenProtectsMetrics() async throws {
        let token = "metrics-token-0123456789"
        try await Application(router: router(token: token)).test(.router) { client in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .unauthorized)
            let wrong = try await client.execute(
                uri: "/metrics", method: .get, headers: [.authorization: "Bearer metrics-token-0123456780"])
            #expect(wrong.status == .unauthorized)
            let right = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(right.status == .ok && String(buffer: right.body).contains("hailong_aggregation_backlog"))
        }
        try await Application(router: router(token: nil)).test(.router) { client in
            let open = try await client.execute(uri: "/metrics", method: .get)
            #expect(open.status == .ok)
        }
    }

    @Test func theTokenMustBeLongEnough() throws {
        #expect(try ServerConfiguration(environment: ["HAILONG_METRICS_TOKEN": "0123456789abcdef"]).metricsToken == "0123456789abcdef")
        let error = #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["HAILONG_METRICS_TOKEN": "short"]) }
        #expect(error?.variable == "HAILONG_METRICS_TOKEN")
    }
}
