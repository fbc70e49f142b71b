import ArgumentParser
import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongStore
import HaiLongWeb
import Hummingbird
import PostgresNIO
import ServiceLifecycle

/// `hailong serve`: the HTTP server and the aggregator in one service group.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server and the aggregator.")

    @Option(help: "Address to listen on (default HAILONG_HOST or 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default HAILONG_PORT or 8080).") var port: Int?
    @ArgumentParser.Flag(help: "Create the demo province with some thousands of ratings when it is missing, and print a token to read it.")
    var demo = false

    func run() async throws {
        let runtime = try Runtime.load()
        var configuration = runtime.configuration
        if let host { configuration.host = host }
        if let port {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1–65535") }
            configuration.port = port
        }
        let logger = runtime.logger
        if ProcessInfo.processInfo.environment["HAILONG_UNSAFE_ACK_BEFORE_COMMIT"] == "1" {
            configuration.unsafeAckBeforeCommit = true
            let warning =
                "HAILONG_UNSAFE_ACK_BEFORE_COMMIT=1: TEST ONLY: ratings are acknowledged BEFORE they are committed; "
                + "a crash LOSES acknowledged ratings. Never run a real service like this."
            logger.critical("\(warning)")
            FileHandle.standardError.write(Data("WARNING: \(warning)\n".utf8))
        }
        let demo = self.demo
        let settings = configuration
        try await runtime.withDatabase(asRuntimeRole: true) { client, migrator in
            if demo {
                let zone = TimeZone(identifier: settings.timeZone)!
                try await DemoData(client: client, logger: logger).seedIfMissing(timeZone: zone)
                try await ReportCommand.seedDemo(client: client, logger: logger, timeZone: settings.timeZone)
                let directory = PostgresDirectoryStore(client: client, logger: logger)
                let token = try await directory.addToken(name: "demo \(Date())", role: .par, agencyCode: DemoData.provinceCode)
                // A demo's reader may come back to it later than a real installer would.
                let kiosk = try await directory.addKiosk(
                    agencyCode: "DEMO.STP", counterCode: "Q1", label: "Kiosk demo", pairingValidity: .seconds(8 * 3600))
                // An administrator of the demo province for the dashboard: a fresh name and password at every start.
                let admin = "demo.\(PostgresUserStore.randomToken().prefix(6).lowercased())"
                let password = PostgresUserStore.randomToken()
                _ = try await PostgresUserStore(client: client, logger: logger).addUser(
                    username: admin, role: .agencyAdmin, agencyCode: DemoData.provinceCode, password: password, by: "demo")
                let base = "http://\(settings.host):\(settings.port)"
                print(
                    """
                    HaiLong demo — dữ liệu mẫu: tỉnh \(DemoData.provinceCode)
                      PAR token (shown once): \(token.token)
                      curl -H 'Authorization: Bearer \(token.token)' '\(base)/api/v1/indices?period=\(Self.recentPeriod(zone))&agency=DEMO&depth=1'
                      Kiosk (Sở Tư pháp, quầy 1): open \(base)/kiosk and enter the pairing code \(kiosk.pairingCode) (valid 8 h)
                      Web survey: \(base)/s/DEMO.STP
                      Dashboard: \(base)/admin/sign-in — \(admin) / \(password) (shown once)
                    """)
                fflush(nil)  // flushes every output stream; stdout is a file or pipe under systemd and CI
            }
            let aggregator = AggregatorService(
                aggregator: Aggregator(client: client, logger: logger, timeZone: settings.timeZone),
                interval: settings.aggregatorInterval, logger: logger)
            let housekeeping = HousekeepingService(
                store: PersonalDataStore(client: client, logger: logger), retentionDays: settings.retentionDays, logger: logger)
            var services: [any Service] = [aggregator, housekeeping]
            var reads: ReadRouting?
            if let url = settings.databaseReadURL {
                // The same runtime login on the replica; the routing sends reads there only while it keeps up.
                let replica = PostgresClient(configuration: try RuntimeRole.configuration(url), backgroundLogger: logger)
                let routing = ReadRouting(primary: client, replica: replica, maxLag: settings.readMaxLag, logger: logger)
                services += [replica, routing]
                reads = routing
            }
            let app = buildApplication(
                client: client, reads: reads, migrator: migrator, configuration: settings, services: services, logger: logger)
            logger.info("HaiLong listening", metadata: ["address": "http://\(settings.host):\(settings.port)"])
            try await app.runService()
        }
    }

    /// The last 120 days, where the demo ratings are.
    static func recentPeriod(_ zone: TimeZone) -> String {
        let today = Date()
        let first = today.addingTimeInterval(-120 * 86_400)
        return "\(LocalDate(first, in: zone))..\(LocalDate(today, in: zone))"
    }
}
