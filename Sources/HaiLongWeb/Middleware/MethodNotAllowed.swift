import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

/// The methods each registered path answers, filled in once the router holds every route (`buildRouter`).
final class RouteMethods: Sendable {
    private let routes = NIOLockedValueBox<[(path: RouterPath, methods: Set<HTTPRequest.Method>)]>([])

    /// Records the router's routes, grouped by path.
    func record(_ descriptions: [(path: RouterPath, method: HTTPRequest.Method)]) {
        var grouped: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in descriptions {
            grouped[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        routes.withLockedValue { $0 = grouped.values.sorted { $0.path.description < $1.path.description } }
    }

    /// The methods of the first registered path that matches `path`, or an empty set when none does.
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.withLockedValue { routes in
            routes.first { Self.matches($0.path, segments) }?.methods ?? []
        }
    }

    static func matches(_ path: RouterPath, _ segments: [Substring]) -> Bool {
        var index = 0
        for component in path.components {
            if component.description == "**" { return index < segments.count }
            guard index < segments.count, component ~= segments[index] else { return false }
            index += 1
        }
        return index == segments.count
    }
}

/// A request for a known path with a method it does not answer gets 405 with `Allow` listing the methods it does
/// answer (RFC 9110 §15.5.6), instead of the router's 404; unknown paths stay 404.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = routes.methods(for: request.uri.path)
            guard !methods.isEmpty, !methods.contains(request.method) else { throw error }
            let allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
            throw Problem(
                .methodNotAllowed, field: "method",
                detail: "\(request.uri.path) does not answer \(request.method.rawValue); it answers \(allow)",
                headers: [.allow: allow])
        }
    }
}
