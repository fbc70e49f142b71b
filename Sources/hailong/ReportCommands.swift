import ArgumentParser
import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongStore
import HaiLongWeb
import Logging
import PostgresNIO

/// `hailong report`: writes an agency's yearly report (or, with `--consolidated`, the province's) as DOCX, PDF or
/// HTML. The newest version is written; when the year has no report yet, a draft is made first from the year's
/// published snapshot (published now if there is none), and the command says so. Audited with the actor `cli`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write the yearly report of an agency (or the province's consolidated report) to a file.")
    @Option(help: "The reporting year.") var year: Int
    @Option(help: "The agency's code (the province's with --consolidated).") var agency: String
    @Option(help: "docx, pdf or html.") var format: String
    @Option(help: "The file to write.") var out: String
    @Option(help: "A version other than the newest.") var version: Int?
    @ArgumentParser.Flag(help: "The province's consolidated report.") var consolidated = false

    func validate() throws {
        guard (2000...2100).contains(year) else { throw ValidationError("--year must be 2000–2100") }
        guard YearlyReports.Format(rawValue: format) != nil else { throw ValidationError("--format must be docx, pdf or html") }
        if let version, version < 1 { throw ValidationError("--version must be 1 or more") }
    }

    func run() async throws {
        let runtime = try Runtime.load()
        let logger = runtime.logger
        let zone = TimeZone(identifier: runtime.configuration.timeZone)!
        let (year, code, format, wanted, kind) = (
            year, agency, YearlyReports.Format(rawValue: format)!, version, consolidated ? ReportKind.consolidated : .agency
        )
        let (file, report, made) = try await runtime.withDatabase { client, _ in
            try await Aggregator(client: client, logger: logger, timeZone: runtime.configuration.timeZone).runUntilIdle()
            let directory = PostgresDirectoryStore(client: client, logger: logger)
            let reports = YearlyReports(
                indices: PostgresIndexStore(client: client, logger: logger), directory: directory,
                accountability: PostgresAccountabilityStore(client: client, logger: logger),
                emulation: PostgresEmulationStore(client: client, logger: logger),
                reports: PostgresReportStore(client: client, logger: logger), timeZone: zone)
            guard let agency = try await directory.agency(code: code) else { throw StoreError.notFound(field: "agency", value: code) }
            let versions = try await reports.store.versions(agency: agency, year: year, kind: kind, within: nil)
            var made = false
            let report: StoredReport
            if let wanted {
                guard let found = versions.first(where: { $0.version == wanted }) else {
                    throw StoreError.notFound(field: "version", value: "\(wanted) of the \(year) report of \(code)")
                }
                report = found
            } else if let newest = versions.first {
                report = newest
            } else {
                report = try await reports.makeDraft(agency: agency, year: year, kind: kind, by: "cli", within: nil)
                made = true
            }
            return (try await reports.render(report, format: format), report, made)
        }
        try Data(file.bytes).write(to: URL(fileURLWithPath: out))
        if made {
            print("made draft version 1 of the \(year) report of \(code)")
            if report.content.snapshot.publishedForReport {
                print(
                    "the year had no published snapshot: published \(report.content.snapshot.agency) \(year) version "
                        + "\(report.content.snapshot.version) for it")
            }
        }
        print(
            "wrote \(out): version \(report.version) (\(report.status.rawValue)), snapshot version \(report.content.snapshot.version) "
                + "sha256 \(report.content.snapshot.sha256)")
    }
}

extension ReportCommand {
    /// The demo province's reports of the current year (`hailong serve --demo`): its ratings are aggregated first, so
    /// that the year's snapshot the reports are made from has them.
    static func seedDemo(client: PostgresClient, logger: Logger, timeZone: String) async throws {
        let zone = TimeZone(identifier: timeZone)!
        try await Aggregator(client: client, logger: logger, timeZone: timeZone).runUntilIdle()
        let accountability = PostgresAccountabilityStore(client: client, logger: logger)
        let reports = YearlyReports(
            indices: PostgresIndexStore(client: client, logger: logger), directory: PostgresDirectoryStore(client: client, logger: logger),
            accountability: accountability, emulation: PostgresEmulationStore(client: client, logger: logger),
            reports: accountability.reports, timeZone: zone)
        let year = LocalDate(Date(), in: zone).year
        try await DemoData(client: client, logger: logger).seedReports(year: year) { agency, kind in
            _ = try await reports.makeDraft(agency: agency, year: year, kind: kind, by: "demo", within: nil)
        }
    }
}
