import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// The lists provinces keep in Excel, imported into an agency's subtree from its management page: officers
/// (`badge,name,title,counter[,agency]`) or agencies (`code,name,parent,kind`). Vietnamese headers work too
/// ("số hiệu", "họ tên", "chức danh", "quầy", "mã cơ quan"; "mã", "tên", "cấp trên", "loại"). A file is first
/// planned — every row checked and marked new, changed or unchanged, with a reason per bad cell — and then applied
/// all at once, or not at all when any row is wrong.
public struct DirectoryImporter: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case officers
        case agencies
    }

    /// One data row as the preview shows it.
    public struct Row: Sendable, Hashable {
        public var row: Int
        public var values: [String]
        /// "new", "update" or "unchanged".
        public var action: String
    }

    public struct Plan: Sendable {
        public var kind: Kind
        public var columns: [String]
        public var rows: [Row]
        public var errors: [PaperImporter.RowError]
        public var canApply: Bool { errors.isEmpty && rows.contains { $0.action != "unchanged" } }
    }

    static let officerColumns = ["badge", "name", "title", "counter", "agency"]
    static let agencyColumns = ["code", "name", "parent", "kind"]
    static let aliases: [String: String] = [
        "số hiệu": "badge", "mã cán bộ": "badge", "họ tên": "name", "họ và tên": "name", "chức danh": "title", "chức vụ": "title",
        "quầy": "counter", "mã quầy": "counter", "mã cơ quan": "agency", "cơ quan": "agency", "mã": "code", "tên": "name",
        "tên cơ quan": "name", "cấp trên": "parent", "mã cấp trên": "parent", "loại": "kind",
    ]
    static let kinds = ["province", "department", "center", "commune", "ward", "special_zone", "district", "other"]
    /// Whether `text` is a code the directory accepts (agency, counter, badge): the tables' CHECK, sql/0001.
    public static func isCode(_ text: String) -> Bool { text.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9._-]{0,63}/) != nil }

    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Checks `text` against the subtree of `root`; nothing is written.
    public func plan(_ kind: Kind, text: String, into root: Agency) async throws -> Plan {
        try await client.withScope(root.id, logger: logger) { try await plan(kind, text: text, into: root, on: $0) }
    }

    /// Applies `text` in one transaction when its plan has no error; returns the plan (with its errors, and nothing
    /// written, otherwise).
    public func apply(_ kind: Kind, text: String, into root: Agency, by actor: String) async throws -> Plan {
        try await client.withScope(root.id, logger: logger) { connection in
            let plan = try await plan(kind, text: text, into: root, on: connection)
            guard plan.canApply else { return plan }
            for row in plan.rows where row.action != "unchanged" {
                let v = row.values
                switch kind {
                case .officers:
                    try await connection.query(
                        """
                        INSERT INTO officers (agency_id, badge, name, title, counter_id)
                        SELECT a.id, \(v[0]), \(v[1]), nullif(\(v[2]), ''),
                            (SELECT c.id FROM counters c WHERE c.agency_id = a.id AND c.code = nullif(\(v[3]), ''))
                        FROM agencies a WHERE a.code = \(v[4])
                        ON CONFLICT (agency_id, badge) DO UPDATE
                            SET name = EXCLUDED.name, title = EXCLUDED.title, counter_id = EXCLUDED.counter_id
                        """, logger: logger)
                case .agencies:
                    do {
                        try await connection.query(
                            """
                            INSERT INTO agencies (code, name, parent_id, kind)
                            SELECT \(v[0]), \(v[1]), p.id, \(v[3]) FROM agencies p WHERE p.code = \(v[2])
                            """, logger: logger)
                    } catch let error as PSQLError where StoreError.isUniqueViolation(error) {
                        // A code taken by an agency this account cannot see.
                        throw ValidationError(field: "code", reason: "row \(row.row): '\(v[0])' is already the code of another agency")
                    }
                }
            }
            let changed = plan.rows.filter { $0.action != "unchanged" }.count
            try await connection.query(
                """
                INSERT INTO audit_log (actor, action, agency_id, subject, detail)
                VALUES (\(actor), \("\(kind.rawValue).import"), \(root.id), \(root.code),
                    jsonb_build_object('rows', \(changed), 'new', \(plan.rows.filter { $0.action == "new" }.count)))
                """, logger: logger)
            return plan
        }
    }

    func plan(_ kind: Kind, text: String, into root: Agency, on connection: PostgresConnection) async throws -> Plan {
        let columns = kind == .officers ? Self.officerColumns : Self.agencyColumns
        let required = kind == .officers ? ["badge", "name"] : ["code", "name"]
        let (lines, readErrors) = PaperImporter.read(text, columns: columns, required: required, aliases: Self.aliases)
        var plan = Plan(kind: kind, columns: columns, rows: [], errors: readErrors)
        guard readErrors.isEmpty else { return plan }
        // The subtree's agencies, by code, and what is already there.
        var subtree: [String: Int64] = [:]
        for try await (code, id) in try await connection.query(
            "SELECT a.code, a.id FROM agencies a JOIN agency_subtree(\(root.id)) s ON s.id = a.id", logger: logger
        ).decode((String, Int64).self) {
            subtree[code] = id
        }
        switch kind {
        case .officers:
            var counters: Set<String> = []
            var existing: [String: [String]] = [:]  // agency/badge → name, title, counter
            for try await (agency, badge, name, title, counter, counterOnly) in try await connection.query(
                """
                SELECT a.code, o.badge, o.name, coalesce(o.title, ''), coalesce(c.code, ''), false
                FROM officers o JOIN agency_subtree(\(root.id)) s ON s.id = o.agency_id JOIN agencies a ON a.id = o.agency_id
                LEFT JOIN counters c ON c.id = o.counter_id
                UNION ALL
                SELECT a.code, '', '', '', c.code, true
                FROM counters c JOIN agency_subtree(\(root.id)) s ON s.id = c.agency_id JOIN agencies a ON a.id = c.agency_id
                """, logger: logger
            ).decode((String, String, String, String, String, Bool).self) {
                if counterOnly { counters.insert("\(agency)/\(counter)") } else { existing["\(agency)/\(badge)"] = [name, title, counter] }
            }
            var seen: Set<String> = []
            for line in lines {
                let f = line.fields
                let agency = (f["agency"] ?? "").isEmpty ? root.code : f["agency"]!
                let values = [f["badge"] ?? "", f["name"] ?? "", f["title"] ?? "", f["counter"] ?? "", agency]
                var rowErrors: [PaperImporter.RowError] = []
                func refuse(_ column: String, _ reason: String) { rowErrors.append(.init(row: line.row, column: column, reason: reason)) }
                if !Self.isCode(values[0]) {
                    refuse("badge", "must be 1–64 letters, digits or . _ - (got '\(values[0])')")
                }
                if values[1].isEmpty || values[1].count > 200 { refuse("name", "must be 1–200 characters") }
                if values[2].count > 200 { refuse("title", "must be at most 200 characters") }
                if subtree[agency] == nil { refuse("agency", "'\(agency)' is not \(root.code) or an agency below it") }
                if !values[3].isEmpty && !counters.contains("\(agency)/\(values[3])") {
                    refuse("counter", "'\(values[3])' is not a counter of \(agency)")
                }
                if !seen.insert("\(agency)/\(values[0])").inserted { refuse("badge", "'\(values[0])' appears twice in the file") }
                plan.errors += rowErrors
                let old = existing["\(agency)/\(values[0])"]
                let action = old == nil ? "new" : old! == Array(values[1...3]) ? "unchanged" : "update"
                plan.rows.append(Row(row: line.row, values: values, action: action))
            }
        case .agencies:
            var existing: [String: (name: String, parent: String)] = [:]
            for try await (code, name, parent) in try await connection.query(
                "SELECT a.code, a.name, coalesce(p.code, '') FROM agencies a LEFT JOIN agencies p ON p.id = a.parent_id", logger: logger
            ).decode((String, String, String).self) {
                existing[code] = (name, parent)
            }
            var known = Set(subtree.keys)
            for line in lines {
                let f = line.fields
                let parent = (f["parent"] ?? "").isEmpty ? root.code : f["parent"]!
                let values = [f["code"] ?? "", f["name"] ?? "", parent, (f["kind"] ?? "").isEmpty ? "commune" : f["kind"]!.lowercased()]
                var rowErrors: [PaperImporter.RowError] = []
                func refuse(_ column: String, _ reason: String) { rowErrors.append(.init(row: line.row, column: column, reason: reason)) }
                if !Self.isCode(values[0]) {
                    refuse("code", "must be 1–64 letters, digits or . _ - (got '\(values[0])')")
                }
                if values[1].isEmpty || values[1].count > 300 { refuse("name", "must be 1–300 characters") }
                if !known.contains(parent) {
                    refuse("parent", "'\(parent)' is not \(root.code), an agency below it, or an agency earlier in the file")
                }
                if !Self.kinds.contains(values[3]) { refuse("kind", "must be one of \(Self.kinds.joined(separator: ", "))") }
                var action = "new"
                if let old = existing[values[0]] {
                    if old.name == values[1] && old.parent == parent {
                        action = "unchanged"
                    } else {
                        refuse("code", "'\(values[0])' already exists (as '\(old.name)' under '\(old.parent)')")
                    }
                } else if known.contains(values[0]) {
                    refuse("code", "'\(values[0])' appears twice in the file")
                }
                known.insert(values[0])
                plan.errors += rowErrors
                plan.rows.append(Row(row: line.row, values: values, action: action))
            }
        }
        return plan
    }
}
