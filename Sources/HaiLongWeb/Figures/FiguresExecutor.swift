import Dispatch

/// Where long figure computations run: a dispatch queue rather than the event loops. The `hailong` binary runs Swift
/// concurrency on NIO's event loops (`main.swift`: a third less CPU per stored response), so a province's year
/// computed there would hold up every connection and timer of its loop for seconds; with this preference the
/// computation's own code runs here and only its database I/O on the loops.
final class FiguresExecutor: TaskExecutor {
    static let shared = FiguresExecutor()

    private let queue = DispatchQueue(label: "hailong.figures", qos: .utility, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Runs `body` preferring the figures executor: for computations that read and sum much of the cube.
func onFiguresExecutor<T: Sendable>(_ body: () async throws -> T) async throws -> T {
    try await withTaskExecutorPreference(FiguresExecutor.shared) { try await body() }
}
