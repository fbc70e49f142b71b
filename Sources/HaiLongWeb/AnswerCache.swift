import Hummingbird
import Synchronization

/// A complete answer kept as bytes: sent again as it is.
struct FixedResponse: Sendable {
    var headers: HTTPFields
    var body: ByteBuffer

    var response: Response { Response(status: .ok, headers: headers, body: .init(byteBuffer: body)) }
}

/// When a slow answer's previous version may stand in while the new one is computed (`HAILONG_STALE_ANSWERS_S`).
public struct StaleAnswers: Sendable {
    /// Only answers whose computation took at least this long.
    public var slowerThan: Duration
    /// Only answers whose computation started at most this long ago.
    public var maxAge: Duration

    public init(slowerThan: Duration = .milliseconds(200), maxAge: Duration = .seconds(300)) {
        self.slowerThan = slowerThan
        self.maxAge = maxAge
    }
}

/// Computed answers of `GET /api/v1/indices` (and the figures of the administrators' pages), each kept under the
/// `figures_version` it was computed at (sql/0007) and served again while that version is current: a dashboard or the
/// PAR office polling a province's year gets the same figures without the server recomputing 1,000 agencies each time.
/// Any change to the inputs (a step of the aggregator, an agency merged, a dossier fed) bumps the version, and the next
/// request computes afresh.
///
/// Concurrent requests for an answer being computed wait for that one computation. A failed computation is not kept.
///
/// While ratings arrive, the aggregator bumps the version every few seconds, and a province's year takes seconds to
/// compute on a large cube. With a `StaleAnswers`, an answer that was slow to compute is served from its previous
/// version while the new one is computed (it carries its own `as_of`), as long as it is not older than the policy
/// allows; cheap answers are always computed afresh, so a small agency's page shows a review at once.
final class AnswerCache<Value: Sendable>: Sendable {
    /// A finished computation.
    struct Computed {
        var value: Value
        var started: ContinuousClock.Instant
        var took: Duration
    }

    struct Entry {
        var version: Int64
        var task: Task<Value, any Error>
        var lastUsed: UInt64
        /// This version's answer, once computed.
        var computed: Computed?
        /// The newest earlier version's answer, while this one is computed.
        var previous: Computed?
    }

    /// What a request found: an answer to send, or a computation to wait for.
    enum Found {
        case ready(Value)
        case computing(Task<Value, any Error>)
    }

    struct State {
        var entries: [String: Entry] = [:]
        var tick: UInt64 = 0
    }

    let capacity: Int
    let stale: StaleAnswers?
    private let state = Mutex(State())

    init(capacity: Int = 64, stale: StaleAnswers? = nil) {
        self.capacity = capacity
        self.stale = stale
    }

    /// The answer for `key` at `version`: the kept one, or `compute`'s (kept for the next request), or — under the
    /// stale policy, while `compute` runs — the previous version's.
    func answer(
        key: String, version: Int64, compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let now = ContinuousClock.now
        let found = state.withLock { state -> Found in
            state.tick += 1
            if let entry = state.entries[key], entry.version == version {
                state.entries[key]?.lastUsed = state.tick
                if entry.computed == nil, let previous = usable(entry.previous, now: now) { return .ready(previous) }
                return .computing(entry.task)
            }
            let replaced = state.entries[key]
            if replaced == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key
            {
                state.entries[oldest] = nil
            }
            // Unstructured on purpose: the computation is shared by every request that asks for it meanwhile, so it
            // must outlive the first one (whose deadline may answer 503 first) and fill the cache for the next.
            let task = Task(executorPreference: FiguresExecutor.shared) { [weak self] in
                do {
                    let value = try await compute()
                    self?.finished(key: key, version: version, with: Computed(value: value, started: now, took: .now - now))
                    return value
                } catch {
                    self?.finished(key: key, version: version, with: nil)
                    throw error
                }
            }
            // An older version's answer may stand in; a newer one (a request that read the version before a bump) not.
            let previous = replaced.flatMap { $0.version < version ? ($0.computed ?? $0.previous) : nil }
            state.entries[key] = Entry(version: version, task: task, lastUsed: state.tick, previous: previous)
            if let previous = usable(previous, now: now) { return .ready(previous) }
            return .computing(task)
        }
        switch found {
        case .ready(let value):
            return value
        case .computing(let task):
            return try await Self.value(of: task)
        }
    }

    /// `previous`'s value when the stale policy lets it stand in at `now`.
    private func usable(_ previous: Computed?, now: ContinuousClock.Instant) -> Value? {
        guard let stale, let previous, previous.took >= stale.slowerThan, now - previous.started <= stale.maxAge else { return nil }
        return previous.value
    }

    /// Records a finished computation of `key` at `version` (a failed one, `nil`, is dropped: the next request tries again).
    private func finished(key: String, version: Int64, with computed: Computed?) {
        state.withLock { state in
            guard state.entries[key]?.version == version else { return }
            if let computed {
                state.entries[key]?.computed = computed
                state.entries[key]?.previous = nil
            } else {
                state.entries[key] = nil
            }
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
