import Foundation
import HaiLongAggregator
import Testing

/// The aggregator service waits at most its step deadline for a step: a step whose connection PostgreSQL terminated at
/// the wrong moment could wait forever, and the service stopped aggregating for good (seen by the reliability bench).
@Suite struct StepDeadlineTests {
    /// Never returns and ignores cancellation, like the stuck step.
    static func hang() async {
        await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
    }

    /// The step never returns: that the call does is the point (the test's time limit bounds it, not a tight timing).
    @Test(.timeLimit(.minutes(1))) func aStepThatNeverReturnsIsAbandonedAtTheDeadline() async throws {
        let started = ContinuousClock.now
        await #expect(throws: StepDeadlineExceeded.self) {
            try await withStepDeadline(.milliseconds(200)) {
                await Self.hang()
                return 1
            }
        }
        let waited = started.duration(to: .now)
        #expect(waited >= .milliseconds(200), "waited \(waited)")
    }

    @Test func aStepThatFinishesInTimeGivesItsValueOrItsError() async throws {
        let value = try await withStepDeadline(.seconds(5)) { 42 }
        #expect(value == 42)
        struct Failed: Error {}
        await #expect(throws: Failed.self) {
            try await withStepDeadline(.seconds(5)) { () async throws -> Int in throw Failed() }
        }
        // A quick step does not wait for the timer (30 s; the margin is wide for a busy machine).
        let started = ContinuousClock.now
        _ = try await withStepDeadline(.seconds(30)) { 1 }
        #expect(started.duration(to: .now) < .seconds(20))
    }
}
