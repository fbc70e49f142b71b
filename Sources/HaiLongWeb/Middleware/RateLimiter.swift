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

    /// The most clients remembered; past it, the buckets with the most tokens left go first.
    static let capacity = 50_000

    /// Takes one token for `client` (an IPv6 address counts for its whole /64, which one subscriber usually holds);
    /// `nil` when allowed, else how long until the next one.
    public func take(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let perToken = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let key = Self.bucketKey(client)
        return buckets.withLock { buckets in
            if buckets.count >= Self.capacity, buckets[key] == nil {
                // A flood of addresses: forget the buckets that are fullest by now (a full bucket is the same as none),
                // never the drained ones, so that flooding cannot reset the limit of the address that is guessing.
                let fullness = buckets.mapValues { refilled($0, at: now, perToken: perToken) }
                for (forgotten, _) in fullness.sorted(by: { $0.value > $1.value }).prefix(Self.capacity / 10) {
                    buckets[forgotten] = nil
                }
            }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, refilled(bucket, at: now, perToken: perToken))
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return .seconds((1 - bucket.tokens) * perToken) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// How long until `client` may make a request, without taking a token; `nil` when it may now.
    public func wait(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let perToken = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        return buckets.withLock { buckets in
            guard let bucket = buckets[Self.bucketKey(client)] else { return nil }
            let tokens = refilled(bucket, at: now, perToken: perToken)
            return tokens >= 1 ? nil : .seconds((1 - tokens) * perToken)
        }
    }

    /// The tokens `bucket` holds at `now`, counting what has dripped in since it was last touched (uncapped).
    func refilled(_ bucket: Bucket, at now: ContinuousClock.Instant, perToken: Double) -> Double {
        let elapsed = bucket.updated.duration(to: now)
        return bucket.tokens + (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / perToken
    }

    /// The bucket an address counts for: an IPv6 address's /64 (`2001:db8:1:2::/64`), any other text as it is.
    static func bucketKey(_ address: String) -> String {
        var text = Substring(address)
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        guard text.contains(":") else { return address }
        if text.lowercased().hasPrefix("::ffff:"), text.contains(".") { return String(text.dropFirst(7)) }  // IPv4-mapped
        let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
        let head = halves[0].split(separator: ":").map(String.init)
        let tail = halves.count == 2 ? halves[1].split(separator: ":").map(String.init) : []
        let groups = head + Array(repeating: "0", count: max(0, 8 - head.count - tail.count)) + tail
        guard groups.count == 8, groups.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }) else {
            return address
        }
        return groups.prefix(4).map { String(UInt16($0, radix: 16)!, radix: 16) }.joined(separator: ":") + "::/64"
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
