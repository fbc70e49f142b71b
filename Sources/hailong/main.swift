import ArgumentParser
import NIOCore
import NIOPosix

// Swift concurrency's jobs run on NIO's event loops instead of a second thread pool: a request's handler, the
// group committer and the PostgreSQL channel then share threads instead of handing every step across (on the
// 2-core reference machine that hop was most of the ingest path's CPU; docs/BENCHMARKS.md). Must come first.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// What `@main` on an `AsyncParsableCommand` does: parse, then run the command found, asynchronously if it is.
func runCommand() async {
    do {
        var command = try await Hailong.asyncParseAsRoot(nil)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    } catch {
        Hailong.exit(withError: error)
    }
}
await runCommand()
