import ArgumentParser
import Foundation
import HaiLongStore
import HaiLongWeb

/// `hailong survey link`: a signed, single-use survey link for a receipt or an SMS.
struct SurveyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey", abstract: "Web survey links.", subcommands: [Link.self])

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a signed survey link bound to an agency (and a dossier and officer), valid for some days.")
        @Option(help: "Agency code.") var agency: String
        @Option(help: "Dossier code: the link then works once for that dossier.") var dossier: String?
        @Option(help: "Badge of the officer who served the dossier.") var officer: String?
        @Option(help: "Days the link stays valid (1–365).") var days = 30
        @Option(help: "Public address of this service, e.g. https://hailong.example.gov.vn.") var baseURL = "http://127.0.0.1:8080"

        func validate() throws {
            guard (1...365).contains(days) else { throw ValidationError("--days must be from 1 to 365") }
        }

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let link = SurveyLink(
                agency: agency, dossier: dossier, officer: officer, expires: Date().addingTimeInterval(Double(days) * 86_400))
            let path = try await runtime.withDatabase { client, _ in
                let directory = PostgresDirectoryStore(client: client, logger: logger)
                guard try await directory.agency(code: link.agency) != nil else {
                    throw StoreError.notFound(field: "agency", value: link.agency)
                }
                return SurveyPath.make(link, signer: SurveySigner(secret: try await directory.serverSecret(named: "survey_links")))
            }
            print(baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        }
    }
}
