import Hummingbird
import Synchronization

/// A complete answer kept as bytes: sent again as it is.
struct FixedResponse: Sendable {
    var headers: HTTPFields
    var body: ByteBuffer

    var response: Response { Response(status: .ok, headers: headers, body: .init(byteBuffer: body)) }
}

/// Computed answers of `GET /api/v1/indices` (and the figures of the administrators' pages), each kept under the
/// `figures_version` it was computed at (sql/0007) and served again while that version is current: a dashboard or the
/// PAR office polling a province's year gets the same figures without the server recomputing 1,000 agencies each time. Any change to the inputs (a step of the
/// aggregator, an agency merged, a dossier fed) bumps the version, and the next request computes afresh.
///
/// Concurrent requests for an answer being computed wait for that one computation. A failed computation is not kept.
final class AnswerCache<Value: Sendable>: Sendable {
    struct Entry {
        var version: Int64
        var task: Task<Value, any Error>
        var lastUsed: UInt64
    }

    struct State {
        var entries: [String: Entry] = [:]
        var tick: UInt64 = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// The answer for `key` at `version`: the kept one, or `compute`'s (kept for the next request).
    func answer(
        key: String, version: Int64, compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let task = state.withLock { state -> Task<Value, any Error> in
            state.tick += 1
            if let entry = state.entries[key], entry.version == version {
                state.entries[key]?.lastUsed = state.tick
                return entry.task
            }
            if state.entries[key] == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key
            {
                state.entries[oldest] = nil
            }
            // Unstructured on purpose: the computation is shared by every request that asks for it meanwhile, so it
            // must outlive the first one (whose deadline may answer 503 first) and fill the cache for the next.
            let task = Task(executorPreference: FiguresExecutor.shared) { try await compute() }
            state.entries[key] = Entry(version: version, task: task, lastUsed: state.tick)
            return task
        }
        do {
            return try await Self.value(of: task)
        } catch is CancellationError {
            // This request gave up (its deadline); the computation goes on for the next one.
            throw CancellationError()
        } catch {
            state.withLock { state in
                if state.entries[key]?.task == task { state.entries[key] = nil }
            }
            throw error
        }
    }

    /// `task`'s value, or `CancellationError` as soon as the waiting task is cancelled: `Task.value` itself waits
    /// regardless, so a request's deadline could not cut short a request that waits for a long shared computation.
    static func value(of task: Task<Value, any Error>) async throws -> Value {
        let waiter = Waiter()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard waiter.install(continuation) else { return }
                Task { waiter.resume(with: await task.result) }
            }
        } onCancel: {
            waiter.resume(with: .failure(CancellationError()))
        }
    }

    /// One wait for a kept answer, resumed exactly once: by the answer, or by cancellation, whichever comes first.
    final class Waiter: Sendable {
        struct State {
            var continuation: CheckedContinuation<Value, any Error>?
            var done = false
        }

        private let state = Mutex(State())

        /// Starts the wait; `false` (and the continuation resumed with `CancellationError`) when it was cancelled first.
        func install(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
            let cancelled = state.withLock { state -> Bool in
                if state.done { return true }
                state.continuation = continuation
                return false
            }
            if cancelled { continuation.resume(throwing: CancellationError()) }
            return !cancelled
        }

        func resume(with result: Result<Value, any Error>) {
            let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
                guard !state.done else { return nil }
                state.done = true
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(with: result)
        }
    }

    /// How many answers are kept (for tests).
    var count: Int { state.withLock { $0.entries.count } }
}
