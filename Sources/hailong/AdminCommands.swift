import ArgumentParser
import Foundation
import HaiLongAggregator
import HaiLongCore
import HaiLongStore

/// `hailong migrate`: apply pending migrations and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    func run() async throws {
        let runtime = try Runtime.load()
        try await runtime.withDatabase { _, migrator in
            print("schema current: \(migrator.migrations.count) migrations")
        }
    }
}

/// `hailong agency add`.
struct AgencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agency", abstract: "Manage agencies.", subcommands: [Add.self, Hours.self, Merge.self])

    /// `hailong agency merge`: the 2025 reform merged provinces and communes; history rolls up to the successor.
    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that an agency was merged into another: periods after its last day count its responses for the successor.")
        @Option(help: "Code of the agency that was merged away.") var code: String
        @Option(help: "Code of its successor.") var into: String
        @Option(help: "Its last day as a separate agency (YYYY-MM-DD).") var lastDay: String

        func validate() throws {
            guard LocalDate(lastDay) != nil else { throw ValidationError("--last-day must be a date YYYY-MM-DD") }
            guard code != into else { throw ValidationError("an agency cannot be merged into itself") }
        }

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let (code, into, lastDay) = (code, into, LocalDate(lastDay)!)
            try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger).merge(code: code, into: into, lastDay: lastDay)
            }
            print("agency \(code) merged into \(into) after \(lastDay)")
        }
    }

    /// `hailong agency hours`: the opening hours behind the outside_hours flag.
    struct Hours: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set an agency's opening hours (agencies below it inherit them); taps outside are flagged outside_hours.")
        @Option(help: "Agency code.") var code: String
        @Option(help: "Weekdays and hours in local time, e.g. \"mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30\".")
        var set: String?
        @ArgumentParser.Flag(help: "Remove the agency's own hours (it inherits its parent's again).") var clear = false

        func validate() throws {
            guard (set == nil) != !clear else { throw ValidationError("give exactly one of --set or --clear") }
            if let set {
                do {
                    _ = try OpeningHours(parsing: set)
                } catch let error as HaiLongCore.ValidationError {
                    throw ValidationError("--set: \(error.reason)")
                }
            }
        }

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let code = code
            let hours = try set.map { try OpeningHours(parsing: $0) }
            try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger).setOpeningHours(agencyCode: code, hours: hours)
            }
            print("agency \(code) opening hours: \(hours?.text ?? "inherited from its parent")")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an agency.")
        @Option(help: "Stable unique code, e.g. 000.00.17.H31.") var code: String
        @Option(help: "Name, e.g. Sở Tư pháp.") var name: String
        @Option(help: "Code of the parent agency.") var parent: String?
        @Option(help: "province, department, center, commune, ward, special_zone or other.") var kind = "department"

        func validate() throws {
            let kinds = ["province", "department", "center", "commune", "ward", "special_zone", "district", "other"]
            guard kinds.contains(kind) else { throw ValidationError("--kind must be one of \(kinds.joined(separator: ", "))") }
        }

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let (code, name, parent, kind) = (code, name, parent, kind)
            let id = try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger)
                    .addAgency(code: code, name: name, parentCode: parent, kind: kind)
            }
            print("agency \(code) added (id \(id))")
        }
    }
}

/// `hailong counter add`.
struct CounterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counter", abstract: "Manage counters (quầy).", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a counter to an agency.")
        @Option(help: "Agency code.") var agency: String
        @Option(help: "Counter code, unique in the agency.") var code: String
        @Option(help: "Name, e.g. Quầy số 1.") var name: String

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let (agency, code, name) = (agency, code, name)
            let id = try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger)
                    .addCounter(agencyCode: agency, code: code, name: name)
            }
            print("counter \(agency)/\(code) added (id \(id))")
        }
    }
}

/// `hailong officer add`.
struct OfficerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "officer", abstract: "Manage officers (cán bộ).", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an officer to an agency.")
        @Option(help: "Agency code.") var agency: String
        @Option(help: "Badge code, unique in the agency.") var badge: String
        @Option(help: "Full name.") var name: String
        @Option(help: "Counter code.") var counter: String?
        @Option(help: "Title, e.g. Chuyên viên.") var title: String?

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let (agency, badge, name, counter, title) = (agency, badge, name, counter, title)
            let id = try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger)
                    .addOfficer(agencyCode: agency, badge: badge, name: name, counterCode: counter, title: title)
            }
            print("officer \(agency)/\(badge) added (id \(id))")
        }
    }
}

/// `hailong kiosk add`: prints the device token and a pairing code once.
struct KioskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk", abstract: "Manage kiosk devices.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a kiosk; print its device token and a pairing code (shown once, valid 15 minutes by default).")
        @Option(help: "Agency code.") var agency: String
        @Option(help: "Counter code.") var counter: String?
        @Option(help: "Label, e.g. Kiosk quầy 1.") var label = ""
        @Option(help: "How many minutes the pairing code works (1 to 1440).") var pairingMinutes = 15

        func validate() throws {
            guard (1...1_440).contains(pairingMinutes) else { throw ValidationError("--pairing-minutes must be 1 to 1440") }
        }

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let (agency, counter, label, minutes) = (agency, counter, label, pairingMinutes)
            let kiosk = try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger)
                    .addKiosk(agencyCode: agency, counterCode: counter, label: label, pairingValidity: .seconds(minutes * 60))
            }
            print(kiosk.token)
            print("pairing code: \(kiosk.pairingCode) (valid \(minutes) min, single use)")
        }
    }
}

/// `hailong token add | list | revoke`: API tokens (the token itself is printed once, at `add`).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token and print it (shown once).")
        @Option(help: "What the token is for.") var name: String
        @Option(help: "par (read figures), admin, or integration (post responses and dossiers).") var role: String
        @Option(help: "Limit the token to this agency's subtree.") var agency: String?
        @Option(help: "Days until the token stops working (1 to 3650); without it, until revoked.") var expiresDays: Int?

        func validate() throws {
            guard TokenRole(rawValue: role) != nil else { throw ValidationError("--role must be par, admin or integration") }
            if role == "integration" && agency == nil { throw ValidationError("an integration token needs --agency") }
            if let days = expiresDays, !(1...3_650).contains(days) { throw ValidationError("--expires-days must be 1 to 3650") }
        }

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let (name, role, agency) = (name, TokenRole(rawValue: role)!, agency)
            let expiry = expiresDays.map { Duration.seconds($0 * 86_400) }
            let token = try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger)
                    .addToken(name: name, role: role, agencyCode: agency, expiresIn: expiry)
            }
            print(token.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List API tokens: id, name, role, agency, created, expires, revoked, last used (never the token).")

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let tokens = try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger).tokens()
            }
            let formatter = ISO8601DateFormatter()
            func time(_ date: Date?) -> String { date.map { formatter.string(from: $0) } ?? "-" }
            print(["id", "name", "role", "agency", "created", "expires", "revoked", "last_used"].joined(separator: "\t"))
            for token in tokens {
                print(
                    [
                        String(token.id), token.name, token.role, token.agencyCode ?? "-", time(token.createdAt), time(token.expiresAt),
                        time(token.revokedAt), time(token.lastUsedAt),
                    ].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke every live API token with this name; prints how many were revoked.")
        @Option(help: "The token's name, as given to `token add`.") var name: String

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let name = name
            let count = try await runtime.withDatabase { client, _ in
                try await PostgresDirectoryStore(client: client, logger: logger).revokeTokens(named: name, by: "cli")
            }
            guard count > 0 else { throw ValidationError("no live token is named '\(name)'") }
            print("revoked \(count)")
        }
    }
}

/// `hailong user add`: an account for the administrators' pages.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage administrators' accounts.", subcommands: [Add.self, ResetPassword.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account. The password is read from standard input (first line), or generated and printed once.")
        @Option(help: "Sign-in name: letters, digits and . _ @ - (at most 64).") var username: String
        @Option(help: "admin (everything), agency_admin, viewer (read-only) or par (API only).") var role: String
        @Option(help: "The agency whose subtree the account may see (required except for admin).") var agency: String?
        @ArgumentParser.Flag(help: "Read the password from standard input instead of generating one.") var passwordStdin = false

        func validate() throws {
            guard UserRole(rawValue: role) != nil else {
                throw ValidationError("--role must be admin, agency_admin, viewer or par")
            }
        }

        func run() async throws {
            let runtime = try Runtime.load()
            let logger = runtime.logger
            let generated = !passwordStdin
            let password = generated ? PostgresUserStore.randomToken() : (readLine(strippingNewline: true) ?? "")
            let (username, role, agency) = (username, UserRole(rawValue: role)!, agency)
            _ = try await runtime.withDatabase { client, _ in
                try await PostgresUserStore(client: client, logger: logger)
                    .addUser(username: username, role: role, agencyCode: agency, password: password, by: "cli")
            }
            print("user \(username) (\(role.rawValue)) added")
            if generated { print("password: \(password) (shown once)") }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Give an account a new password, printed once, that must be changed at the next sign-in; ends its sessions.")
        @Option(help: "The account's sign-in name.") var username: String

        func run() async throws {
            let runtime = try Runtime.load()
            let (logger, username) = (runtime.logger, username)
            let password = try await runtime.withDatabase { client, _ in
                try await PostgresUserStore(client: client, logger: logger).resetPassword(username: username, by: "cli")
            }
            print("password: \(password) (shown once; to be changed at the next sign-in)")
        }
    }
}

/// `hailong aggregate`: bring the counts up to date once, or recount everything.
struct Aggregate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending responses to the counts (or recount all).")
    @ArgumentParser.Flag(help: "Apply what is pending and exit (the default; the service aggregates continuously).") var once = false
    @ArgumentParser.Flag(help: "Recount everything from the raw responses.") var rebuild = false
    @ArgumentParser.Flag(help: "Merge the counts' fragments into one row per cell (the service does it every minute).")
    var compact = false

    func run() async throws {
        let runtime = try Runtime.load()
        let logger = runtime.logger
        let (rebuild, compact) = (rebuild, compact)
        let zone = runtime.configuration.timeZone
        let applied = try await runtime.withDatabase { client, _ in
            let aggregator = Aggregator(client: client, logger: logger, timeZone: zone)
            if compact { return try await aggregator.compactAll() }
            return rebuild ? try await aggregator.rebuild() : try await aggregator.runUntilIdle()
        }
        print(compact ? "\(applied) agency days compacted" : "\(applied) responses applied")
    }
}
