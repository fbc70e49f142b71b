import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Per-client token buckets, kept in this process (each replica limits on its own; a proxy in front may add more).
/// A client may make `burst` requests at once and then one every `interval`.
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let burst: Double
    let interval: Duration
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(burst: Int, interval: Duration) {
        self.burst = Double(burst)
        self.interval = interval
    }

    /// Takes one token for `client`; `nil` when allowed, else how long until the next one.
    public func take(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let perToken = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        return buckets.withLock { buckets in
            if buckets.count > 50_000 { buckets.removeAll(keepingCapacity: true) }  // a flood of addresses: start afresh
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds / perToken)
            bucket.updated = now
            defer { buckets[client] = bucket }
            guard bucket.tokens >= 1 else { return .seconds((1 - bucket.tokens) * perToken) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Throws 429 with `Retry-After` when `client` is over its rate.
    func check(_ client: String) throws {
        guard let wait = take(client) else { return }
        let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
        throw Problem(
            .tooManyRequests, detail: "too many requests from this address; retry in \(seconds) s",
            headers: [.retryAfter: String(seconds)])
    }
}
