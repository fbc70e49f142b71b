import HaiLongStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@testable import HaiLongWeb

/// `HAILONG_STALE_ANSWERS_S`: how long slow figures may be served from their previous version;
/// `HAILONG_IDLE_TIMEOUT_S`: how long the server keeps a connection that sends nothing.
@Suite struct ServerConfigurationTests {
    @Test func staleAnswersDefaultToFiveMinutesAndZeroTurnsThemOff() throws {
        let standard = try #require(try ServerConfiguration(environment: [:]).staleAnswers)
        #expect(standard.maxAge == .seconds(300) && standard.slowerThan == .milliseconds(200))
        #expect(try ServerConfiguration(environment: ["HAILONG_STALE_ANSWERS_S": "0"]).staleAnswers == nil)
        #expect(try ServerConfiguration(environment: ["HAILONG_STALE_ANSWERS_S": "15"]).staleAnswers?.maxAge == .seconds(15))
        for bad in ["-1", "soon", "3601"] {
            let error = #expect(throws: ConfigurationError.self) {
                try ServerConfiguration(environment: ["HAILONG_STALE_ANSWERS_S": bad])
            }
            #expect(error?.variable == "HAILONG_STALE_ANSWERS_S")
        }
    }

    @Test func idleTimeoutDefaultsToAMinute() throws {
        #expect(try ServerConfiguration(environment: [:]).idleTimeout == .seconds(60))
        #expect(try ServerConfiguration(environment: ["HAILONG_IDLE_TIMEOUT_S": "5"]).idleTimeout == .seconds(5))
        for bad in ["0", "later", "3601"] {
            let error = #expect(throws: ConfigurationError.self) {
                try ServerConfiguration(environment: ["HAILONG_IDLE_TIMEOUT_S": bad])
            }
            #expect(error?.variable == "HAILONG_IDLE_TIMEOUT_S")
        }
    }

    /// A client that connects and sends nothing is disconnected by the server the service runs.
    @Test func theServerClosesAnIdleConnection() async throws {
        let router = Router()
        router.get("ok") { _, _ in "ok" }
        let app = Application(
            router: router, server: httpServer(idleTimeout: .seconds(1)),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            // Polled rather than awaited: a server that never closes it must fail the test, not hang it.
            let started = ContinuousClock.now
            // The bound is generous: with the whole suite running in parallel on two cores the close has been seen to
            // come more than 10 s late, while a server without the timeout never closes it at all.
            while channel.isActive, started.duration(to: .now) < .seconds(60) { try await Task.sleep(for: .milliseconds(50)) }
            let stillOpen = channel.isActive
            if stillOpen { try? await channel.close() }
            #expect(!stillOpen, "the idle connection was still open after \(started.duration(to: .now))")
        }
    }
}
