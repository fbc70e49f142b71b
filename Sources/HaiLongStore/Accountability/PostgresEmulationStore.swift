import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// An emulation block (khối/cụm thi đua) of a year and its member agencies.
public struct EmulationBlock: Sendable, Equatable {
    public var code: String
    public var name: String
    public var year: Int
    public var members: [Agency]
}

/// Emulation blocks (sql/0021): made by the command line or a system admin; an agency is in one block per year.
public struct PostgresEmulationStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Adds a block with its members (agency codes); audited.
    public func addBlock(code: String, name: String, year: Int, members: [String], by actor: String) async throws {
        guard !members.isEmpty else { throw ValidationError(field: "agency", reason: "a block needs at least one member agency") }
        guard (2000...2100).contains(year) else { throw ValidationError(field: "year", reason: "must be 2000–2100") }
        do {
            try await client.withTransaction(logger: logger) { connection in
                let made = try await connection.query(
                    "INSERT INTO emulation_blocks (code, name, year, created_by) VALUES (\(code), \(name), \(year), \(actor)) RETURNING id",
                    logger: logger)
                var blockID: Int64 = 0
                for try await id in made.decode(Int64.self) { blockID = id }
                let added = try await connection.query(
                    """
                    INSERT INTO emulation_block_members (block_id, agency_id, year)
                    SELECT \(blockID), a.id, \(year) FROM agencies a WHERE a.code = ANY(\(members)::text[])
                    RETURNING agency_id
                    """, logger: logger)
                var count = 0
                for try await _ in added.decode(Int64.self) { count += 1 }
                guard count == Set(members).count else {
                    throw ValidationError(field: "agency", reason: "unknown agency among \(members.joined(separator: ", "))")
                }
                try await connection.record(
                    AuditRecord(
                        actor: actor, action: "block.add", agencyID: nil, subject: "\(code) \(year)",
                        detail: ["members": members.joined(separator: ",")]),
                    logger: logger)
            }
        } catch let error as PostgresTransactionError {
            let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
            if let psql = cause as? PSQLError, StoreError.isUniqueViolation(psql) {
                let constraint = psql.serverInfo?[.constraintName] ?? ""
                throw constraint.contains("members")
                    ? ValidationError(field: "agency", reason: "an agency may be in one block per year")
                    : ValidationError(field: "code", reason: "block '\(code)' already exists for \(year)")
            }
            if let psql = cause as? PSQLError, psql.serverInfo?[.sqlState] == "23514" {
                throw ValidationError(field: "code", reason: "letters, digits and . _ - (at most 40); a name of 1–200 characters")
            }
            throw cause
        }
    }

    /// The blocks of `year` (every year when nil) with their members, by year and code.
    public func blocks(year: Int?) async throws -> [EmulationBlock] {
        let rows = try await client.query(
            """
            SELECT b.code, b.name, b.year, a.id, a.code, a.name, a.kind, a.parent_id
            FROM emulation_blocks b JOIN emulation_block_members m ON m.block_id = b.id JOIN agencies a ON a.id = m.agency_id
            WHERE \(year)::integer IS NULL OR b.year = \(year)
            ORDER BY b.year DESC, b.code, a.code
            """, logger: logger)
        var blocks: [EmulationBlock] = []
        for try await (code, name, year, id, agencyCode, agencyName, kind, parent) in rows.decode(
            (String, String, Int, Int64, String, String, String, Int64?).self)
        {
            let member = Agency(id: id, code: agencyCode, name: agencyName, kind: kind, parentID: parent)
            if let last = blocks.last, last.code == code, last.year == year {
                blocks[blocks.count - 1].members.append(member)
            } else {
                blocks.append(EmulationBlock(code: code, name: name, year: year, members: [member]))
            }
        }
        return blocks
    }

    public func block(code: String, year: Int) async throws -> EmulationBlock? {
        try await blocks(year: year).first { $0.code == code }
    }
}
