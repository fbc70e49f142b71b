import HTTPTypes
import Hummingbird
import Logging

/// Puts the id the reverse proxy gave a request (`X-Request-Id`: nginx's `$request_id`, deploy/nginx/hailong.conf)
/// into the request's logger as `proxy_request_id`, beside Hummingbird's own `hb.request.id`, so that a line of the
/// service's log can be matched with the proxy's access log. Only a short token of letters, digits, `-`, `_` and `.`
/// is taken, anything else is ignored: it is a log field, never trusted for anything else.
struct ProxyRequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("X-Request-Id")! }
    static var maxLength: Int { 64 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let id = request.headers[Self.header], Self.isUsable(id) else { return try await next(request, context) }
        var context = context
        context.logger[metadataKey: "proxy_request_id"] = .string(id)
        return try await next(request, context)
    }

    static func isUsable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maxLength
            && id.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }
}
