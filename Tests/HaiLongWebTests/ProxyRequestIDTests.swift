import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HaiLongWeb

/// nginx's `X-Request-Id` reaches the request's logger as `proxy_request_id`; anything that is not a short token does not.
@Suite struct ProxyRequestIDTests {
    @Test func theProxysRequestIDIsInTheRequestsLoggerOnlyWhenItIsAShortToken() async throws {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ProxyRequestIDMiddleware())
        router.get("id") { _, context in context.logger[metadataKey: "proxy_request_id"]?.description ?? "-" }
        try await Application(router: router).test(.router) { client in
            func id(_ value: String?) async throws -> String {
                let headers: HTTPFields = value.map { [HTTPField.Name("X-Request-Id")!: $0] } ?? [:]
                return String(buffer: try await client.execute(uri: "/id", method: .get, headers: headers).body)
            }
            let token = try await id("6f1c2e9ab0d34e5f8a7b6c5d4e3f2a1b")
            #expect(token == "6f1c2e9ab0d34e5f8a7b6c5d4e3f2a1b")
            for refused in [nil, "a b", String(repeating: "a", count: 65), "Sở"] {
                let logged = try await id(refused)
                #expect(logged == "-", "\(refused ?? "no header")")
            }
        }
    }
}
