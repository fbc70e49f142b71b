import ArgumentParser
import Foundation
import HaiLongStore

/// `hailong purge [--dry-run]`: clears comments and contact data older than `HAILONG_RETENTION_DAYS` (the service
/// also does it daily) and prints what it cleared.
struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Clear comments and contact data older than HAILONG_RETENTION_DAYS (default 365); print how many.")
    @ArgumentParser.Flag(help: "Only count what would be cleared.") var dryRun = false

    func run() async throws {
        let runtime = try Runtime.load()
        let logger = runtime.logger
        let (days, dry) = (runtime.configuration.retentionDays, dryRun)
        let purged = try await runtime.withDatabase { client, _ in
            try await PersonalDataStore(client: client, logger: logger).purge(retentionDays: days, dryRun: dry, by: "cli")
        }
        print("\(dry ? "would clear" : "cleared"): \(purged.comments) comments, \(purged.contacts) contacts (older than \(days) days)")
    }
}

/// `hailong erase --phone NUMBER`: erases a person's contact data from every response, on their request.
struct Erase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase a phone number's contact data from every response (needs HAILONG_DATA_KEY); print how many.")
    @Option(help: "The phone number, as the person gives it (spaces, dots and +84 are fine).") var phone: String

    func run() async throws {
        let runtime = try Runtime.load()
        guard let cipher = runtime.configuration.contactCipher else {
            throw ValidationError("HAILONG_DATA_KEY is not set: without it no phone number can be found")
        }
        let logger = runtime.logger
        let phone = phone
        let erased = try await runtime.withDatabase { client, _ in
            try await PersonalDataStore(client: client, logger: logger).erase(phone: phone, cipher: cipher, by: "cli")
        }
        print("erased the contact data of \(erased) responses")
    }
}
