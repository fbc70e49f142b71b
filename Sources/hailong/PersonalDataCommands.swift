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
        let ciphers = [cipher] + runtime.configuration.previousContactCiphers
        let erased = try await runtime.withDatabase { client, _ in
            try await PersonalDataStore(client: client, logger: logger).erase(phone: phone, ciphers: ciphers, by: "cli")
        }
        print("erased the contact data of \(erased) responses")
    }
}

/// `hailong rotate-data-key`: re-seals every stored contact under `HAILONG_DATA_KEY`, opening the older ones with the
/// keys in `HAILONG_OLD_DATA_KEYS` (docs/SECURITY.md, "Rotating keys").
struct RotateDataKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-data-key",
        abstract: "Re-seal every stored phone number under HAILONG_DATA_KEY, opening older ones with HAILONG_OLD_DATA_KEYS.")

    func run() async throws {
        let runtime = try Runtime.load()
        guard let current = runtime.configuration.contactCipher else {
            throw ValidationError("HAILONG_DATA_KEY is not set: it is the key to re-seal under")
        }
        let previous = runtime.configuration.previousContactCiphers
        let logger = runtime.logger
        let result = try await runtime.withDatabase { client, _ in
            try await PersonalDataStore(client: client, logger: logger).rotateDataKey(to: current, from: previous, by: "cli")
        }
        print("re-sealed \(result.resealed) contacts under key \(current.keyID.map { String(format: "%02x", $0) }.joined())")
        if result.unreadable > 0 {
            print("\(result.unreadable) contacts open with none of the given keys: add their key to HAILONG_OLD_DATA_KEYS and run again")
            throw ExitCode(3)
        }
    }
}
