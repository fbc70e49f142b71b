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
    /// A slow answer is computed again at most once per this many times its own computing time (and at least once per
    /// half `maxAge`): while ratings arrive the version changes every second, and recomputing a province's year at
    /// every change would keep the machine busy with nothing but that.
    public var refreshFactor: Double

    public init(slowerThan: Duration = .milliseconds(200), maxAge: Duration = .seconds(300), refreshFactor: Double = 4) {
        self.slowerThan = slowerThan
        self.maxAge = maxAge
        self.refreshFactor = refreshFactor
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
/// While ratings arrive, the aggregator bumps the version every second, and a province's year takes seconds to compute
/// on a large cube. With `StaleAnswers`, an answer that was slow to compute is served from the newest version computed
/// (it carries its own `as_of`) while a newer one is computed, as long as it is not older than the policy allows, and
/// is computed again only every few times its own computing time, one computation at a time. Cheap answers are always
/// computed afresh, so a small agency's page shows a review at once.
final class AnswerCache<Value: Sendable>: Sendable {
    /// A finished computation.
    struct Computed {
        var version: Int64
        var value: Value
        var started: ContinuousClock.Instant
        var took: Duration
    }

    struct Entry {
        /// The newest answer computed.
        var latest: Computed?
        /// The computation under way, and the version it is for.
        var running: (version: Int64, task: Task<Value, any Error>)?
        var lastUsed: UInt64
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
    /// stale policy — the newest one computed.
    func answer(
        key: String, version: Int64, compute: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let now = ContinuousClock.now
        let found = state.withLock { state -> Found in
            state.tick += 1
            if state.entries[key] == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key
            {
                state.entries[oldest] = nil
            }
            var entry = state.entries[key] ?? Entry(lastUsed: state.tick)
            entry.lastUsed = state.tick
            defer { state.entries[key] = entry }
            // Kept for this version, or a newer one (a request that read the version just before a bump).
            if let latest = entry.latest, latest.version >= version { return .ready(latest.value) }
            let standIn = usable(entry.latest, now: now)
            if let running = entry.running, running.version >= version || standIn != nil {
                // One computation at a time: this version's (or, while a stand-in is served, any newer one).
                return standIn.map(Found.ready) ?? .computing(running.task)
            }
            if let standIn, let latest = entry.latest, let stale, now - latest.started < refreshInterval(latest, stale) {
                return .ready(standIn)
            }
            // Unstructured on purpose: the computation is shared by every request that asks for it meanwhile, so it
            // must outlive the first one (whose deadline may answer 503 first) and fill the cache for the next.
            let task = Task(executorPreference: FiguresExecutor.shared) { [weak self] in
                do {
                    let value = try await compute()
                    self?.finished(
                        key: key, version: version, with: Computed(version: version, value: value, started: now, took: .now - now))
                    return value
                } catch {
                    self?.finished(key: key, version: version, with: nil)
                    throw error
                }
            }
            entry.running = (version, task)
            return standIn.map(Found.ready) ?? .computing(task)
        }
        switch found {
        case .ready(let value):
            return value
        case .computing(let task):
            return try await Self.value(of: task)
        }
    }

    /// `computed`'s value when the stale policy lets it stand in for a newer version at `now`.
    private func usable(_ computed: Computed?, now: ContinuousClock.Instant) -> Value? {
        guard let stale, let computed, computed.took >= stale.slowerThan, now - computed.started <= stale.maxAge else { return nil }
        return computed.value
    }

    /// How long after its computation started a stand-in is served without computing a newer answer.
    private func refreshInterval(_ computed: Computed, _ stale: StaleAnswers) -> Duration {
        min(computed.took * stale.refreshFactor, stale.maxAge / 2)
    }

    /// Records the end of the computation of `key` at `version`: its answer is kept unless a newer one is (a failed
    /// computation, `nil`, keeps what was there; the next request tries again).
    private func finished(key: String, version: Int64, with computed: Computed?) {
        state.withLock { state in
            guard var entry = state.entries[key] else { return }
            if let computed, entry.latest.map({ $0.version <= version }) ?? true { entry.latest = computed }
            if entry.running?.version == version { entry.running = nil }
            state.entries[key] = entry
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
