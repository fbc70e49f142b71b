import ArgumentParser
import Foundation
import HaiLongCore
import HaiLongStore

/// `hailong violation …`: violations of public-service culture, for integrations and tests (the admin pages do the
/// same). Each step is audited with the actor `cli`.
struct ViolationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "violation", abstract: "Report, confirm, dismiss and list violations; list the norms.",
        subcommands: [Add.self, Confirm.self, Dismiss.self, List.self, Norms.self, NormAdd.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report a violation; prints its id alone on the first line.")
        @Option(help: "The officer's agency code.") var agency: String
        @Option(help: "The officer's badge.") var officer: String
        @Option(help: "When it happened (YYYY-MM-DD).") var date: String
        @Option(help: "The norm's code (hailong violation norms).") var norm: String
        @Option(help: "What happened.") var note: String
        @Option(help: "inspection, complaint, supervisor, camera or other.") var source = "supervisor"
        @Option(help: "The inspection it was found in (with --source inspection).") var inspection: Int64?
        @Option(help: "The complaint (rating id) it came from (with --source complaint).") var complaint: String?

        func run() async throws {
            guard let day = LocalDate(date) else { throw ValidationError("--date must be YYYY-MM-DD") }
            guard let source = ViolationSource(rawValue: source) else {
                throw ValidationError("--source must be inspection, complaint, supervisor, camera or other")
            }
            let responseID = try complaint.map { text in
                guard let id = UUID(uuidString: text) else { throw ValidationError("--complaint must be a rating id (UUID)") }
                return id
            }
            let report = ViolationReport(
                badge: officer, occurredOn: day, norm: norm, source: source, inspectionID: inspection, responseID: responseID,
                description: note)
            let code = agency
            let id = try await Runtime.load().withStores { directory, store, _ in
                guard let agency = try await directory.agency(code: code) else { throw StoreError.notFound(field: "agency", value: code) }
                return try await store.report(report, agency: agency, by: "cli", within: nil)
            }
            print(id)
            print("violation \(id) reported: \(officer) at \(agency), \(norm), \(day)")
        }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm a reported violation, with the reason.")
        @OptionGroup var decision: Decision

        func run() async throws { try await decision.decide(.confirmed) }
    }

    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dismiss a reported violation, with the reason.")
        @OptionGroup var decision: Decision

        func run() async throws { try await decision.decide(.dismissed) }
    }

    /// What `confirm` and `dismiss` both take: the violation and the reason.
    struct Decision: ParsableArguments {
        @Option(help: "The violation's id.") var id: Int64
        @Option(help: "Why it is decided so.") var reason: String

        func decide(_ status: ViolationStatus) async throws {
            let (id, reason) = (id, reason)
            try await Runtime.load().withStores { _, store, _ in
                try await store.decide(id, status: status, reason: reason, by: "cli", within: nil)
            }
            print("violation \(id) \(status.rawValue)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List violations (tab-separated), newest first.")
        @Option(help: "Only this agency and those below it (default: every province).") var agency: String?
        @Option(help: "Only those that occurred in this year.") var year: Int?

        func run() async throws {
            let (code, year) = (agency, year)
            let found = try await Runtime.load().withStores { directory, store, _ in
                var roots = try await directory.roots()
                if let code {
                    guard let agency = try await directory.agency(code: code) else {
                        throw StoreError.notFound(field: "agency", value: code)
                    }
                    roots = [agency]
                }
                var found: [Violation] = []
                for root in roots { found += try await store.violations(under: root, year: year, within: nil) }
                return found
            }
            print(["id", "date", "agency", "officer", "norm", "source", "status", "reason"].joined(separator: "\t"))
            for violation in found {
                print(
                    [
                        String(violation.id), violation.occurredOn.description, violation.agencyCode, violation.badge, violation.norm,
                        violation.source.rawValue, violation.status.rawValue, violation.reason ?? "",
                    ].joined(separator: "\t"))
            }
        }
    }

    struct Norms: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the norms a violation can name (code, group, name).")

        func run() async throws {
            let norms = try await Runtime.load().withStores { _, store, _ in try await store.norms() }
            for norm in norms { print([norm.code, norm.group, norm.nameVi].joined(separator: "\t")) }
        }
    }

    struct NormAdd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "norm-add", abstract: "Add a province's own norm under a group.")
        @Option(help: "a-z, 0-9 and _ (at most 40).") var code: String
        @Option(help: "tinh_than_thai_do, giao_tiep_ung_xu, dao_duc_loi_song or trang_phuc.") var group: String
        @Option(help: "The name in Vietnamese.") var name: String
        @Option(help: "The name in English (default: the Vietnamese).") var nameEn: String?

        func run() async throws {
            let norm = ViolationNorm(code: code, group: group, nameVi: name, nameEn: nameEn ?? name)
            try await Runtime.load().withStores { _, store, _ in try await store.addNorm(norm, by: "cli") }
            print("norm \(code) added")
        }
    }
}

/// `hailong inspection add`: an inspection of public-service culture; prints its id alone on the first line.
struct InspectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspection", abstract: "Record inspections of public-service culture.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an inspection; prints its id alone on the first line.")
        @Option(help: "The inspected agency's code.") var agency: String
        @Option(help: "The day it was held (YYYY-MM-DD).") var date: String
        @Option(help: "planned or unannounced.") var kind = "unannounced"
        @Option(help: "Who inspected.") var team: String
        @Option(help: "What was found.") var findings: String?

        func run() async throws {
            guard let day = LocalDate(date) else { throw ValidationError("--date must be YYYY-MM-DD") }
            let (code, kind, team, findings) = (agency, kind, team, findings)
            let id = try await Runtime.load().withStores { directory, store, _ in
                guard let agency = try await directory.agency(code: code) else { throw StoreError.notFound(field: "agency", value: code) }
                return try await store.addInspection(
                    agency: agency, heldOn: day, kind: kind, team: team, findings: findings, by: "cli", within: nil)
            }
            print(id)
            print("inspection \(id) recorded at \(code) on \(day)")
        }
    }
}

/// `hailong block …`: emulation blocks (khối/cụm thi đua) of a year.
struct BlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block", abstract: "Emulation blocks: add one with its members, list them.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a block of a year with its member agencies.")
        @Option(help: "The block's code.") var code: String
        @Option(help: "The block's name.") var name: String
        @Option(help: "The year.") var year: Int
        @Option(help: "A member agency's code (repeat for each).") var agency: [String]

        func run() async throws {
            let (code, name, year, members) = (code, name, year, agency)
            try await Runtime.load().withStores { _, _, blocks in
                try await blocks.addBlock(code: code, name: name, year: year, members: members, by: "cli")
            }
            print("block \(code) (\(year)) added with \(members.count) members")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List blocks and their members (tab-separated).")
        @Option(help: "Only this year.") var year: Int?

        func run() async throws {
            let year = year
            let blocks = try await Runtime.load().withStores { _, _, blocks in try await blocks.blocks(year: year) }
            for block in blocks {
                print(
                    [String(block.year), block.code, block.name, block.members.map(\.code).joined(separator: ",")].joined(separator: "\t"))
            }
        }
    }
}

extension Runtime {
    /// `body` with the directory, accountability and emulation stores on the owner's connection.
    func withStores<T: Sendable>(
        _ body: @Sendable (PostgresDirectoryStore, PostgresAccountabilityStore, PostgresEmulationStore) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await withDatabase { client, _ in
            try await body(
                PostgresDirectoryStore(client: client, logger: logger), PostgresAccountabilityStore(client: client, logger: logger),
                PostgresEmulationStore(client: client, logger: logger))
        }
    }
}
