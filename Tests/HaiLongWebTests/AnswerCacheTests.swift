import Hummingbird
import Synchronization
import Testing

@testable import HaiLongWeb

/// The kept answers of `/api/v1/indices`: one computation per key and version, shared by concurrent requests, and a
/// request that gives up (its deadline) leaves the computation running for the next one.
@Suite struct AnswerCacheTests {
    final class Gate: Sendable {
        let computations = Mutex(0)
        let (opened, open) = AsyncStream.makeStream(of: Void.self)
    }

    func answer(_ text: String) -> FixedResponse { FixedResponse(headers: [:], body: ByteBuffer(string: text)) }

    @Test(.timeLimit(.minutes(1))) func aWaiterThatGivesUpDoesNotStopTheSharedComputation() async throws {
        let cache = AnswerCache<FixedResponse>()
        let gate = Gate()
        let compute: @Sendable () async throws -> FixedResponse = {
            gate.computations.withLock { $0 += 1 }
            for await _ in gate.opened { break }
            return answer("figures")
        }
        // The first request waits and is cancelled (as withDeadline does at the deadline) while the computation runs.
        let first = Task { try await cache.answer(key: "k", version: 1, compute: compute) }
        while gate.computations.withLock({ $0 }) == 0 { try Task.checkCancellation(); await Task.yield() }
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        // The computation was not stopped: opening the gate finishes it, and the next request gets it, computed once.
        gate.open.yield()
        let second = try await cache.answer(key: "k", version: 1, compute: compute)
        #expect(String(buffer: second.body) == "figures")
        #expect(gate.computations.withLock { $0 } == 1)
        // Another version computes afresh.
        gate.open.yield()
        _ = try await cache.answer(key: "k", version: 2, compute: compute)
        #expect(gate.computations.withLock { $0 } == 2)
    }

    /// A gated computation answering `text`: it waits for one `open` of `gate`.
    func gated(_ gate: Gate, _ text: String) -> @Sendable () async throws -> FixedResponse {
        {
            gate.computations.withLock { $0 += 1 }
            for await _ in gate.opened { break }
            return answer(text)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aSlowAnswerIsServedFromThePreviousVersionWhileTheNewOneIsComputed() async throws {
        let cache = AnswerCache<FixedResponse>(stale: .init(slowerThan: .zero, maxAge: .seconds(60), refreshFactor: 0))
        _ = try await cache.answer(key: "k", version: 1) { answer("one") }
        let gate = Gate()
        // Version 2 is being computed (the gate is shut): version 1's answer stands in, at once, and again.
        let during = try await cache.answer(key: "k", version: 2, compute: gated(gate, "two"))
        #expect(String(buffer: during.body) == "one")
        let again = try await cache.answer(key: "k", version: 2, compute: gated(gate, "two"))
        #expect(String(buffer: again.body) == "one")
        while gate.computations.withLock({ $0 }) == 0 { try Task.checkCancellation(); await Task.yield() }
        // Once computed, version 2's own answer is served.
        gate.open.yield()
        var latest = "one"
        for _ in 0..<1_000 where latest == "one" {
            latest = String(buffer: try await cache.answer(key: "k", version: 2, compute: gated(gate, "two")).body)
            await Task.yield()
        }
        #expect(latest == "two")
        #expect(gate.computations.withLock { $0 } == 1)
        // A request that read the version just before the bump gets the newer answer, not the old one again.
        let older = try await cache.answer(key: "k", version: 1) { answer("one again") }
        #expect(String(buffer: older.body) == "two")
    }

    @Test(.timeLimit(.minutes(1))) func aSlowAnswerIsComputedAgainOnlyAfterSomeTimesItsOwnCost() async throws {
        // Version 1 took at least 20 ms: with a factor of 1,000 it stands in for about 20 s (at most half of maxAge).
        let cache = AnswerCache<FixedResponse>(stale: .init(slowerThan: .milliseconds(10), maxAge: .seconds(120), refreshFactor: 1_000))
        _ = try await cache.answer(key: "k", version: 1) {
            try await Task.sleep(for: .milliseconds(20))
            return answer("one")
        }
        let gate = Gate()
        for version in 2...5 {
            let served = try await cache.answer(key: "k", version: Int64(version), compute: gated(gate, "newer"))
            #expect(String(buffer: served.body) == "one")
        }
        // Nothing newer was computed meanwhile: the versions changed faster than the answer is worth recomputing.
        #expect(gate.computations.withLock { $0 } == 0)
        // Without the policy each new version is computed.
        let fresh = AnswerCache<FixedResponse>()
        _ = try await fresh.answer(key: "k", version: 1) { answer("one") }
        let request = Task { try await fresh.answer(key: "k", version: 2, compute: gated(gate, "two")) }
        while gate.computations.withLock({ $0 }) == 0 { try Task.checkCancellation(); await Task.yield() }
        gate.open.yield()
        #expect(String(buffer: try await request.value.body) == "two")
    }

    @Test(
        .timeLimit(.minutes(1)),
        arguments: [
            ("no policy", nil),
            ("cheap answer", StaleAnswers(slowerThan: .seconds(3_600), maxAge: .seconds(60))),
            ("too old", StaleAnswers(slowerThan: .zero, maxAge: .zero)),
        ])
    func otherwiseTheNewVersionIsWaitedFor(_ name: String, _ policy: StaleAnswers?) async throws {
        let cache = AnswerCache<FixedResponse>(stale: policy)
        _ = try await cache.answer(key: "k", version: 1) { answer("one") }
        let gate = Gate()
        let request = Task { try await cache.answer(key: "k", version: 2, compute: gated(gate, "two")) }
        while gate.computations.withLock({ $0 }) == 0 { try Task.checkCancellation(); await Task.yield() }
        gate.open.yield()
        // Had the request been answered from version 1 it would say "one", whenever the gate opened.
        #expect(String(buffer: try await request.value.body) == "two", "\(name)")
    }
}
