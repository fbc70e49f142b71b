import HaiLongCore
import HaiLongStore
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// Turns every error into a problem document: what the caller can fix becomes a 4xx naming the field, an
/// unreachable database a 503 with `Retry-After`, and anything else a logged 500 with a problem body —
/// never the empty 500 of Hummingbird's default responder.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.problem(for: error, request: request, context: context)
        }
    }

    static func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as ValidationError:
            return Problem(.unprocessableContent, field: error.field, detail: "\(error.field) \(error.reason)")
        case is NIOTooManyBytesError:
            return Problem(.contentTooLarge, field: "body", detail: "the body is larger than \(context.maxUploadSize) bytes")
        case let error as StoreError:
            switch error {
            case .duplicate(let field, _): return Problem(.conflict, field: field, detail: error.description)
            case .notFound(let field, _): return Problem(.notFound, field: field, detail: error.description)
            case .revoked: return .invalidToken
            }
        case let error as HTTPError:
            return Problem(error.status, detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
        case let error as any HTTPResponseError:
            return Problem(error.status, detail: error.status.reasonPhrase)
        case let error as PSQLError where error.isConnectionFailure:
            context.logger.warning("database unavailable", metadata: ["error": "\(error.code)"])
            return .unavailable()
        case let error where String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError"):
            // PostgresNIO's pool gives up connecting (its error type lives in an underscored module).
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return .unavailable()
        default:
            context.logger.error(
                "unexpected error", metadata: ["error": "\(String(reflecting: error))", "request": "\(context.id)"])
            return Problem(.internalServerError, detail: "an unexpected error occurred (request \(context.id)); it has been logged")
        }
    }
}
