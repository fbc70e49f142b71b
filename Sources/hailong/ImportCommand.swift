import ArgumentParser
import Foundation
import HaiLongStore

/// `hailong import …`: bulk data from files.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import data from files.", subcommands: [Dossiers.self])

    /// `hailong import dossiers FILE.csv`.
    struct Dossiers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record served dossiers from a CSV file (code,agency,counter,officer,received_at,returned_at).")
        @Argument(help: "The CSV file (UTF-8, a byte-order mark is fine).") var file: String

        func run() async throws {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read \(file) as UTF-8 text")
            }
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let report = try await runtime.withDatabase { client, _ in
                try await DossierImporter(
                    directory: PostgresDirectoryStore(client: client, logger: logger),
                    dossiers: PostgresDossierStore(client: client, logger: logger)
                ).run(csv: text)
            }
            print("\(report.created) dossiers added, \(report.updated) updated, \(report.errors.count) rows refused")
            for error in report.errors { print("  \(error)") }
            if !report.errors.isEmpty { throw ExitCode(2) }
        }
    }
}
