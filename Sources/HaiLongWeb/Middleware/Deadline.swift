import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs `body` but gives up after `limit`: a request that waits that long is waiting on an unreachable database
/// (PostgresNIO keeps a lease request queued while it retries connecting), and the caller is better served by a quick
/// 503 with `Retry-After`. A write that committed just before the deadline is safe to retry: ingest is idempotent.
///
/// `expired` is what is thrown when the limit passes first (by default that 503).
///
/// `body` runs in a task of its own that is cancelled and then abandoned at the deadline, not awaited: a query caught
/// by PostgreSQL shutting down can ignore cancellation until the server is back (the reliability bench saw requests
/// answered after 11 s with the database down for 6), and a task group would wait for it.
func withDeadline<T: Sendable>(
    _ limit: Duration, expired: Problem? = nil, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let work = Task {
                do {
                    race.finish(.success(try await body()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            race.setWork(work)
            // A timer on an event loop rather than `Task.sleep`, whose dispatch timer cost ~5 % of the ingest path's
            // CPU (one per request).
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {
                let problem =
                    expired ?? Problem.unavailable("the database did not answer within \(limit.components.seconds) s; retry shortly")
                if race.finish(.failure(problem)) { work.cancel() }
            }
            race.onFinish { timer.cancel() }
        }
    } onCancel: {
        race.cancelWork()
    }
}

/// The first of the body and the timer to finish resumes the continuation; the other is ignored.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var finished = false
        var cleanup: (@Sendable () -> Void)?
        var work: Task<Void, Never>?
        var cancelled = false
    }
    private let state = NIOLockedValueBox(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLockedValue { $0.continuation = continuation }
    }

    func setWork(_ work: Task<Void, Never>) {
        let cancelled = state.withLockedValue { state in
            state.work = work
            return state.cancelled
        }
        if cancelled { work.cancel() }
    }

    func cancelWork() {
        let work = state.withLockedValue { state in
            state.cancelled = true
            return state.work
        }
        work?.cancel()
    }

    /// Resumes the continuation with `result` unless it was resumed already; whether this call did.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, cleanup) = state.withLockedValue { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            defer { state.continuation = nil }
            return (state.continuation, state.cleanup)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        cleanup?()
        return true
    }

    /// Runs `body` once the race is decided (at once when it already is).
    func onFinish(_ body: @escaping @Sendable () -> Void) {
        let done = state.withLockedValue { state in
            if !state.finished { state.cleanup = body }
            return state.finished
        }
        if done { body() }
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
