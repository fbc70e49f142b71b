import HaiLongCore
import Synchronization

/// Recently resolved bearer tokens, for the ingest route only: a kiosk sends every tap with the same token, and a
/// database round trip per request to look it up again cost about as much as storing the response (docs/BENCHMARKS.md).
///
/// A cached caller is never trusted for longer than the write: the batch that stores the response checks in the same
/// statement that the kiosk or token is still active, and a revoked one is refused with 401 (`StoreError.revoked`) and
/// forgotten here. Unknown tokens are never cached, so guessing fills nothing.
final class CallerCache: Sendable {
    struct Entry {
        var caller: Caller
        var expires: ContinuousClock.Instant
    }

    let lifetime: Duration
    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(lifetime: Duration = .seconds(60), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func caller(forToken token: String) -> Caller? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now else {
                entries[token] = nil
                return nil
            }
            return entry.caller
        }
    }

    func remember(_ caller: Caller, forToken token: String) {
        let expires = ContinuousClock.now + lifetime
        entries.withLock { entries in
            // Far more tokens than a province has kiosks: start over rather than grow without bound.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(caller: caller, expires: expires)
        }
    }

    func forget(token: String) {
        _ = entries.withLock { $0.removeValue(forKey: token) }
    }
}
