import Hummingbird
import NIOCore
import NIOPosix

/// Runs `body` but gives up after `limit`: a request that waits that long is waiting on an unreachable database
/// (PostgresNIO keeps a lease request queued while it retries connecting), and the caller is better served by a quick
/// 503 with `Retry-After`. A write that committed just before the deadline is safe to retry: ingest is idempotent.
///
/// `expired` is what is thrown when the limit passes first (by default that 503).
func withDeadline<T: Sendable>(
    _ limit: Duration, expired: @autoclosure () -> Problem? = nil, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            // A timer on an event loop rather than `Task.sleep`, whose dispatch timer cost ~5 % of the ingest path's
            // CPU (one per request); cancelling the group cancels it.
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {}
            try await withTaskCancellationHandler {
                try await timer.futureResult.get()
            } onCancel: {
                timer.cancel()
            }
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            if let problem = expired() { throw problem }
            throw Problem.unavailable("the database did not answer within \(limit.components.seconds) s; retry shortly")
        }
        return value
    }
}

extension RouterMethods {
    /// Registers a route whose handler runs under `withDeadline`.
    @discardableResult
    func post(
        _ path: RouterPath, deadline: Duration,
        use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) -> Self where Context: Sendable {
        post(path) { request, context in try await withDeadline(deadline) { try await handler(request, context) } }
    }

    @discardableResult
    func get(
        _ path: RouterPath, deadline: Duration,
        use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) -> Self where Context: Sendable {
        get(path) { request, context in try await withDeadline(deadline) { try await handler(request, context) } }
    }

    @discardableResult
    func put(
        _ path: RouterPath, deadline: Duration,
        use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) -> Self where Context: Sendable {
        put(path) { request, context in try await withDeadline(deadline) { try await handler(request, context) } }
    }
}
