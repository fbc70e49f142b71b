import Foundation

/// An aggregation step (or compaction) that did not finish within its deadline.
public struct StepDeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "the aggregation step did not finish within \(limit); it was abandoned" }
}

/// Runs `operation` but stops waiting for it after `limit`, throwing `StepDeadlineExceeded` (and cancelling it).
///
/// Why: when PostgreSQL terminates the aggregator's connection at the wrong moment of a step
/// (`pg_terminate_backend`, a crashed backend), the step's `withTransaction` can wait forever for an answer that will
/// never come — the reliability bench saw the aggregator stop for good after it. A task group would wait for the stuck
/// child too, so the operation runs in a task of its own and is abandoned (its transaction is gone with its connection,
/// so nothing was applied and the aggregation lock is free); the service carries on with the next step.
public func withStepDeadline<T: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withCheckedThrowingContinuation { continuation in
        race.start(continuation)
        let work = Task {
            do {
                let value = try await operation()
                race.finish(.success(value))
            } catch {
                race.finish(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            if !Task.isCancelled, race.finish(.failure(StepDeadlineExceeded(limit: limit))) { work.cancel() }
        }
        race.onFinish { timer.cancel() }
    }
}

/// The first of the operation and the timer to finish resumes the continuation; the other is ignored.
private final class DeadlineRace<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var finished = false
    private var cleanup: (@Sendable () -> Void)?

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    /// Resumes the continuation with `result` unless it was resumed already; whether this call did.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, cleanup): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) = lock.withLock {
            guard !finished else { return (nil, nil) }
            finished = true
            defer { self.continuation = nil }
            return (self.continuation, self.cleanup)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        cleanup?()
        return true
    }

    /// Runs `body` once the race is decided (at once when it already is).
    func onFinish(_ body: @escaping @Sendable () -> Void) {
        let done = lock.withLock {
            if !finished { cleanup = body }
            return finished
        }
        if done { body() }
    }
}
