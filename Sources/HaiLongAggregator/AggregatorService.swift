import Logging
import ServiceLifecycle

/// Runs the aggregator in `hailong serve`: a step every `interval` (1 s by default, so a response is in the
/// figures within about 2 s). It logs failures and carries on; it stops at graceful shutdown.
public struct AggregatorService: Service {
    let aggregator: Aggregator
    let interval: Duration
    /// How often the marked (agency, day) pairs are compacted when none are waiting (sql/0008).
    let compactionInterval: Duration
    /// How long one pass (the steps until idle, or a compaction) may take before it is abandoned (`withStepDeadline`).
    let stepDeadline: Duration
    let logger: Logger

    public init(
        aggregator: Aggregator, interval: Duration = .seconds(1), compactionInterval: Duration = .seconds(15),
        stepDeadline: Duration = .seconds(30), logger: Logger
    ) {
        self.aggregator = aggregator
        self.interval = interval
        self.compactionInterval = compactionInterval
        self.stepDeadline = stepDeadline
        self.logger = logger
    }

    /// The (agency, day) pairs one compaction takes at most.
    static let compactionBatch = 1_000

    /// `Aggregator.runUntilIdle`, each step under the step deadline.
    func runUntilIdle() async throws -> Int {
        let aggregator = self.aggregator
        var total = 0
        while case .applied(let count) = try await withStepDeadline(stepDeadline, { try await aggregator.step() }), count > 0 {
            total += count
            if count < aggregator.batchSize { break }
        }
        return total
    }

    public func run() async throws {
        var failing = false
        var nextCompaction = ContinuousClock.now + compactionInterval
        while !Task.isCancelledOrShuttingDown {
            do {
                let applied = try await runUntilIdle()
                if applied > 0 { logger.debug("aggregated", metadata: ["responses": "\(applied)"]) }
                if ContinuousClock.now >= nextCompaction {
                    // Fragments cost readers a little; merging them is deferred work, done every quarter of a minute —
                    // again at once only while a backlog is left. Readers add what a compaction moved to what they kept
                    // (sql/0034), so it does not make their next read a first read; but every read reads all the fresh
                    // cells, which grow until the next compaction (a minute of a province's ratings was 80 ms more of
                    // each recomputation of its evaluation by its end).
                    let limit = Self.compactionBatch
                    let compacted = try await withStepDeadline(stepDeadline) { try await aggregator.compact(limit: limit) }
                    if compacted > 0 { logger.debug("compacted", metadata: ["agency_days": "\(compacted)"]) }
                    nextCompaction = ContinuousClock.now + (compacted >= limit ? interval : compactionInterval)
                }
                if failing { logger.info("aggregator recovered") }
                failing = false
            } catch let error as StepDeadlineExceeded {
                // Not only the first: each abandoned step is worth a line.
                logger.error("aggregation step abandoned; retrying", metadata: ["error": "\(error)"])
                failing = true
            } catch {
                if !failing { logger.error("aggregation failed; retrying", metadata: ["error": "\(String(reflecting: error))"]) }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task is cancelled or the service group is shutting down.
    static var isCancelledOrShuttingDown: Bool { isCancelled || isShuttingDownGracefully }
}
