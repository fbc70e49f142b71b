import ArgumentParser
import Foundation
import HaiLongCore
import HaiLongStore

/// `hailong import …`: bulk data from files.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import data from files.", subcommands: [Dossiers.self, Responses.self])

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

    /// `hailong import responses FILE.csv [--partial]`: paper surveys typed in later (docs/CONTRACT.md).
    struct Responses: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store paper surveys from a CSV file (questionnaire,agency,officer,dossier,submitted_at,answers,comment).",
            discussion: """
                Channel "paper"; any past submitted_at (ISO 8601 with offset); answers as a JSON object. The file is \
                stored whole or not at all unless --partial; refused rows are listed as "row N, column: reason" and \
                make the exit status 2. Importing the same file again stores nothing twice.
                """)
        @Argument(help: "The CSV file (UTF-8, a byte-order mark is fine).") var file: String
        @ArgumentParser.Flag(help: "Store the good rows even when some are refused.") var partial = false

        func run() async throws {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read \(file) as UTF-8 text")
            }
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let rules = FlagRules(timeZone: TimeZone(identifier: runtime.configuration.timeZone)!)
            let report = try await runtime.withDatabase { client, _ in
                try await PaperImporter(client: client, logger: logger, rules: rules).run(csv: text, partial: partial)
            }
            func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
            print(
                "\(count(report.stored, "response")) stored, \(report.alreadyStored) already imported, "
                    + "\(count(report.errors.count, "row")) refused")
            if let range = report.tapRange, report.stored > 0 {
                let day = ISO8601DateFormatter()
                day.formatOptions = [.withFullDate]
                day.timeZone = rules.timeZone
                print("  submitted from \(day.string(from: range.lowerBound)) to \(day.string(from: range.upperBound))")
            }
            if !report.flags.isEmpty {
                let counts = report.flags.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
                print("  flags on the new responses: \(counts.joined(separator: ", "))")
            }
            for error in report.errors { print("  \(error)") }
            if report.heldBack {
                print(
                    "nothing stored: \(count(report.accepted, "good row")) \(report.accepted == 1 ? "is" : "are") kept back, as a file "
                        + "is stored whole or not at all; fix the rows above and import again, or add --partial to store the good rows now")
            }
            if !report.errors.isEmpty { throw ExitCode(2) }
        }
    }
}
