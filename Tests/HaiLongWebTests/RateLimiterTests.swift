import Foundation
import Testing

@testable import HaiLongWeb

/// The per-client token buckets that guard pairing codes, the web survey and sign-in.
@Suite struct RateLimiterTests {
    @Test func anIPv6AddressCountsForItsWhole64() {
        #expect(RateLimiter.bucketKey("2001:db8:0:1::5") == "2001:db8:0:1::/64")
        #expect(RateLimiter.bucketKey("2001:0db8:0000:0001:ffff:1:2:3") == "2001:db8:0:1::/64")
        #expect(RateLimiter.bucketKey("fe80::1%eth0") == "fe80:0:0:0::/64")
        #expect(RateLimiter.bucketKey("::ffff:203.0.113.9") == "203.0.113.9")
        #expect(RateLimiter.bucketKey("203.0.113.9") == "203.0.113.9")
        #expect(RateLimiter.bucketKey("unknown") == "unknown")
        // Every address of a /64 drains the same bucket.
        let limiter = RateLimiter(burst: 3, interval: .seconds(60))
        let now = ContinuousClock.now
        for host in 1...3 { #expect(limiter.take("2001:db8:0:1::\(host)", now: now) == nil) }
        #expect(limiter.take("2001:db8:0:1:abcd::9", now: now) != nil)
        #expect(limiter.take("2001:db8:0:2::1", now: now) == nil)
    }

    /// Flooding the limiter with new addresses must not reset the bucket of the address that is guessing.
    @Test func aFloodOfAddressesDoesNotResetADrainedBucket() {
        let limiter = RateLimiter(burst: 2, interval: .seconds(3600))
        let now = ContinuousClock.now
        #expect(limiter.take("198.51.100.7", now: now) == nil)
        #expect(limiter.take("198.51.100.7", now: now) == nil)
        #expect(limiter.take("198.51.100.7", now: now) != nil)
        for index in 0..<(RateLimiter.capacity + 1_000) {
            _ = limiter.take("10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)", now: now)
        }
        #expect(limiter.take("198.51.100.7", now: now) != nil)
    }

    @Test func waitTellsWithoutTaking() {
        let limiter = RateLimiter(burst: 1, interval: .seconds(10))
        let now = ContinuousClock.now
        #expect(limiter.wait("*", now: now) == nil)
        #expect(limiter.wait("*", now: now) == nil)
        #expect(limiter.take("*", now: now) == nil)
        let wait = limiter.wait("*", now: now)
        #expect(wait != nil && wait! > .seconds(9))
        #expect(limiter.wait("*", now: now.advanced(by: .seconds(11))) == nil)
    }
}
