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

    /// `DATABASE_READ_URL` needs the primary it replicates; `HAILONG_READ_MAX_LAG_S` bounds how far it may lag.
    @Test func aReadReplicaNeedsItsPrimaryAndABoundedLag() throws {
        let primary = "postgres://hailong_app@db.internal/hailong"
        let replica = "postgres://hailong_app@replica.internal/hailong"
        let configured = try ServerConfiguration(environment: ["DATABASE_URL": primary, "DATABASE_READ_URL": replica])
        #expect(configured.databaseReadURL?.host == "replica.internal")
        #expect(configured.readMaxLag == .seconds(10))
        #expect(try ServerConfiguration(environment: [:]).databaseReadURL == nil)
        let alone = #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["DATABASE_READ_URL": replica]) }
        #expect(alone?.variable == "DATABASE_READ_URL")
        let lag = ["DATABASE_URL": primary, "DATABASE_READ_URL": replica, "HAILONG_READ_MAX_LAG_S": "3"]
        #expect(try ServerConfiguration(environment: lag).readMaxLag == .seconds(3))
        for bad in ["0", "a while", "3601"] {
            let error = #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["HAILONG_READ_MAX_LAG_S": bad]) }
            #expect(error?.variable == "HAILONG_READ_MAX_LAG_S")
        }
        let malformed = #expect(throws: ConfigurationError.self) {
            try ServerConfiguration(environment: ["DATABASE_URL": primary, "DATABASE_READ_URL": "mysql://nope"])
        }
        #expect(malformed?.variable == "DATABASE_READ_URL")
    }

    /// `HAILONG_TRUSTED_PROXIES` takes addresses and ranges (an ingress controller's pods change address); the
    /// forwarding header is believed only from a peer inside one of them.
    @Test func trustedProxiesAreAddressesOrRanges() throws {
        let configured = try ServerConfiguration(environment: ["HAILONG_TRUSTED_PROXIES": "127.0.0.1, 10.42.0.0/16 ,fd00:ab::/32"])
        let client = configured.clientAddress
        #expect(client.trustedRanges.map(\.description) == ["127.0.0.1", "10.42.0.0/16", "fd00:ab::/32"])
        let forwarded = "198.51.100.7, 203.0.113.9"
        #expect(client.resolve(peer: "127.0.0.1", forwarded: forwarded) == "203.0.113.9")
        #expect(client.resolve(peer: "10.42.3.17", forwarded: forwarded) == "203.0.113.9")
        #expect(client.resolve(peer: "::ffff:10.42.255.1", forwarded: forwarded) == "203.0.113.9")
        #expect(client.resolve(peer: "fd00:ab:1::5", forwarded: forwarded) == "203.0.113.9")
        // Outside every range, or the range's neighbours: the header is a client's claim, ignored.
        for outsider in ["10.43.0.1", "127.0.0.2", "fd00:ac::1", "192.0.2.1"] {
            #expect(client.resolve(peer: outsider, forwarded: forwarded) == outsider)
        }
        #expect(client.resolve(peer: "10.42.0.1", forwarded: nil) == "10.42.0.1")
        #expect(try ServerConfiguration(environment: ["HAILONG_TRUSTED_PROXIES": "0.0.0.0/0"]).clientAddress.trusts("192.0.2.1"))
        for bad in ["proxy.internal", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "fd00::/129", "10.0.0.0/8/1", "10.0.0.256"] {
            let error = #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["HAILONG_TRUSTED_PROXIES": bad]) }
            #expect(error?.variable == "HAILONG_TRUSTED_PROXIES", "\(bad)")
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
            // Up to three connections, each given 10 s: with the whole suite running in parallel one connection has
            // been seen to stay open (a race at start-up the server's handler does not cover), while a server without
            // the timeout closes none of them.
            var closedAfter: [Duration] = []
            for _ in 1...3 where closedAfter.isEmpty {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get()
                let started = ContinuousClock.now
                while channel.isActive, started.duration(to: .now) < .seconds(10) { try await Task.sleep(for: .milliseconds(50)) }
                if channel.isActive { try? await channel.close() } else { closedAfter.append(started.duration(to: .now)) }
            }
            #expect(!closedAfter.isEmpty, "no idle connection was closed within 10 s")
        }
    }
}
