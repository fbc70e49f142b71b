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
        while gate.computations.withLock({ $0 }) == 0 { await Task.yield() }
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
}
