import ArgumentParser
import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongStore
import HaiLongWeb

/// `hailong publish`: freeze the figures of a period into a new snapshot version.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish the figures of a period: an immutable, versioned snapshot of the agency's whole subtree.")
    @Option(help: "Period: YYYY, YYYY-Qn, YYYY-MM, YYYY-Www, YYYY-MM-DD or FROM..TO.") var period: String
    @Option(help: "Agency code (default: every province, i.e. every agency without a parent).") var agency: String?
    @Option(help: "Questionnaire code.") var questionnaire = "kiosk-3"
    @Option(help: "Methodology CODE or CODE:VERSION (default: the default methodology).") var methodology: String?
    @Option(help: "Who publishes, for the audit log.") var by = "cli"

    func validate() throws {
        do {
            _ = try Period.parse(period)
        } catch {
            throw ValidationError("--period: \(error.reason)")
        }
    }

    func run() async throws {
        let runtime = try Runtime.load()
        let logger = runtime.logger
        let zone = TimeZone(identifier: runtime.configuration.timeZone)!
        let (period, agencyCode, questionnaireCode, methodologyText, publisher) = (period, agency, questionnaire, methodology, by)
        let publications = try await runtime.withDatabase { client, _ in
            // Publish what has been acknowledged: apply anything still queued first.
            try await Aggregator(client: client, logger: logger, timeZone: runtime.configuration.timeZone).runUntilIdle()
            let indices = PostgresIndexStore(client: client, logger: logger)
            let directory = PostgresDirectoryStore(client: client, logger: logger)
            guard let questionnaire = try await indices.questionnaire(code: questionnaireCode) else {
                throw StoreError.notFound(field: "questionnaire", value: questionnaireCode)
            }
            let methodology = try await Self.methodology(methodologyText, indices: indices)
            var roots: [Agency] = []
            if let agencyCode {
                guard let agency = try await directory.agency(code: agencyCode) else {
                    throw StoreError.notFound(field: "agency", value: agencyCode)
                }
                roots = [agency]
            } else {
                roots = try await directory.roots()
            }
            var made: [Publication] = []
            for root in roots {
                let query = IndicesQuery(
                    period: try Period.parse(period), agency: root, depth: .all, questionnaire: questionnaire, methodology: methodology)
                made.append(try await IndicesReport(indices: indices, timeZone: zone).publish(query, by: publisher))
            }
            return made
        }
        for publication in publications {
            print(
                "published \(publication.questionnaire) \(publication.period) for \(publication.agencyCode): version \(publication.version), "
                    + "sha256 \(publication.contentHash)")
        }
    }

    static func methodology(_ text: String?, indices: PostgresIndexStore) async throws -> Methodology {
        guard let text else { return try await indices.defaultMethodology() }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let found = try await indices.methodology(code: parts[0], version: parts.count == 2 ? Int(parts[1]) : nil) else {
            throw StoreError.notFound(field: "methodology", value: text)
        }
        return found
    }
}

/// `hailong methodology add|list`: methodologies are versioned data.
struct MethodologyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methodology", abstract: "Versioned index methodologies.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a methodology version from JSON parameters "
                + "(code, version, excluded_flags, min_n, par_max, full_at, weights, candidate_share).")
        @Option(help: "A JSON file with the parameters, or - for standard input.") var file: String
        @ArgumentParser.Flag(help: "Make it the default for figures that do not name a methodology.") var makeDefault = false

        func run() async throws {
            let data =
                file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            let methodology: Methodology
            do {
                methodology = try JSONDecoder().decode(Methodology.self, from: data)
                try methodology.validate()
            } catch let error as HaiLongCore.ValidationError {
                throw ValidationError("\(error.field) \(error.reason)")
            } catch {
                throw ValidationError("not methodology parameters: \(error)")
            }
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let makeDefault = makeDefault
            try await runtime.withDatabase { client, _ in
                try await PostgresIndexStore(client: client, logger: logger).addMethodology(methodology, makeDefault: makeDefault)
            }
            print("methodology \(methodology.code) version \(methodology.version) added\(makeDefault ? " (default)" : "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the methodologies.")

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let lines = try await runtime.withDatabase { client, _ in
                try await PostgresIndexStore(client: client, logger: logger).methodologies()
            }
            for line in lines { print(line) }
        }
    }
}

/// `hailong review`: clear (or restore) an ingest flag of one response; the counts follow.
struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Clear or restore a flag set at ingest on one response (audited); the aggregator corrects the figures.")
    @Option(help: "The response id (its Idempotency-Key).") var response: String
    @Option(help: "Flag to clear, e.g. rapid_repeat.") var clear: String?
    @Option(help: "Flag to restore.") var restore: String?
    @Option(help: "Why (kept with the review).") var note: String?
    @Option(help: "Who reviews, for the audit log.") var by = "cli"

    func validate() throws {
        guard UUID(uuidString: response) != nil else { throw ValidationError("--response must be a UUID") }
        guard (clear == nil) != (restore == nil) else { throw ValidationError("give exactly one of --clear or --restore") }
        guard HaiLongCore.Flag(rawValue: clear ?? restore ?? "") != nil else {
            throw ValidationError("unknown flag; one of: \(HaiLongCore.Flag.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let runtime = try Runtime.load()
        let logger = runtime.logger
        let (id, flag, action, note, by) = (
            UUID(uuidString: response)!, HaiLongCore.Flag(rawValue: clear ?? restore!)!, clear != nil ? ReviewAction.clear : .restore,
            note, by
        )
        let flags = try await runtime.withDatabase { client, _ in
            try await PostgresResponseStore(client: client, logger: logger)
                .review(responseID: id, flag: flag, action: action, note: note, reviewedBy: by)
        }
        print(
            "response \(id.uuidString.lowercased()): \(action.rawValue) \(flag.rawValue); flags now [\(flags.map(\.rawValue).joined(separator: ", "))]"
        )
    }
}
