/// Group commit: concurrent callers' items are written together, one transaction per batch, and each caller is
/// answered when its batch has committed.
///
/// There is no timer. A batch starts at once when fewer than `maxInFlight` batches are being written; while they
/// are, new items wait and go together into the next batch (at most `maxBatch` items). A lone request therefore
/// waits for nothing, and under load the batches grow by themselves to what the database can take.
public actor GroupCommitter<Item: Sendable, Outcome: Sendable> {
    public typealias Flush = @Sendable ([Item]) async -> [Result<Outcome, any Error>]

    let maxBatch: Int
    let maxInFlight: Int
    let flush: Flush
    let onBatch: @Sendable (_ size: Int, _ duration: Duration) -> Void
    var waiting: [(item: Item, continuation: CheckedContinuation<Outcome, any Error>)] = []
    var inFlight = 0

    /// - Parameters:
    ///   - flush: writes a batch in one transaction and returns one result per item, in order.
    ///   - onBatch: told each batch's size and how long it took (for metrics).
    public init(
        maxBatch: Int = 256, maxInFlight: Int = 4, flush: @escaping Flush,
        onBatch: @escaping @Sendable (_ size: Int, _ duration: Duration) -> Void = { _, _ in }
    ) {
        precondition(maxBatch >= 1 && maxInFlight >= 1)
        self.maxBatch = maxBatch
        self.maxInFlight = maxInFlight
        self.flush = flush
        self.onBatch = onBatch
    }

    /// Writes `item` with whatever else is waiting; returns its outcome after its batch committed.
    public func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((item, continuation))
            startBatches()
        }
    }

    private func startBatches() {
        while inFlight < maxInFlight && !waiting.isEmpty {
            let batch = Array(waiting.prefix(maxBatch))
            waiting.removeFirst(batch.count)
            inFlight += 1
            Task { await run(batch) }
        }
    }

    private func run(_ batch: [(item: Item, continuation: CheckedContinuation<Outcome, any Error>)]) async {
        let started = ContinuousClock.now
        let results = await flush(batch.map(\.item))
        onBatch(batch.count, started.duration(to: .now))
        for (index, entry) in batch.enumerated() {
            if index < results.count {
                entry.continuation.resume(with: results[index])
            } else {
                entry.continuation.resume(throwing: GroupCommitError.missingResult)
            }
        }
        inFlight -= 1
        startBatches()
    }
}

/// A flush returned fewer results than items (a programming error, answered as a failure, never as success).
public enum GroupCommitError: Error {
    case missingResult
}
