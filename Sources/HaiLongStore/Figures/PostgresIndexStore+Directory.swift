import HaiLongCore
import Logging
import PostgresNIO

/// What figures reads look up in the directory, each kept per directory version (sql/0033): officers' and counters'
/// names, a subtree's officers, and which agencies count for which.
extension PostgresIndexStore {
    /// Officers or counters by id (none for the other groupings). Looked up once per directory version (`members`): a
    /// province page's 10,000 officers took 25–35 ms to look up for every figures version.
    public func named(_ grouping: Grouping, ids: [Int64]) async throws -> [Int64: GroupMember] {
        let table: String
        switch grouping {
        case .officer: table = "officers"
        case .counter: table = "counters"
        default: return [:]
        }
        let members = self.members
        return try await read { client in
            // The version first: what is looked up after it is at least that new.
            let version = try await client.directoryVersion(logger: logger)
            var known = members.value(grouping, generation: version) ?? [:]
            let missing = ids.filter { known[$0] == nil }
            if !missing.isEmpty {
                let code = grouping == .officer ? "m.badge" : "m.code"
                let rows = try await client.query(
                    """
                    SELECT m.id, \(unescaped: code), m.name, a.code FROM \(unescaped: table) m JOIN agencies a ON a.id = m.agency_id
                    WHERE m.id = ANY(\(missing))
                    """, logger: logger)
                for try await (id, code, name, agency) in rows.decode((Int64, String, String, String).self) {
                    known[id] = GroupMember(id: id, code: code, name: name, agencyCode: agency)
                }
                members.keep(known, cost: known.count, for: grouping, generation: version)
            }
            var result: [Int64: GroupMember] = [:]
            result.reserveCapacity(ids.count)
            for id in ids { if let member = known[id] { result[id] = member } }
            return result
        }
    }

    /// The officers at `agency` and below, active or not (id, badge, name, agency code), by agency code and badge.
    /// Looked up once per directory version (`subtreeOfficers`): a province's 10,000 officers, sorted by text, took
    /// 25–35 ms of the database and more to decode in every recomputation of its evaluation while ratings arrived.
    /// Read on the primary, as the violations form that lists them: an officer just added is there at once.
    public func officers(under agency: Agency) async throws -> [SubtreeOfficer] {
        // The version first: what is looked up after it is at least that new.
        let version = try await client.directoryVersion(logger: logger)
        if let found = subtreeOfficers.value(agency.id, generation: version) { return found }
        let rows = try await client.query(
            """
            SELECT o.id, o.badge, o.name, a.code FROM officers o JOIN agencies a ON a.id = o.agency_id
            WHERE o.agency_id IN (SELECT id FROM agency_subtree(\(agency.id))) ORDER BY a.code, o.badge
            """, logger: logger)
        var found: [SubtreeOfficer] = []
        for try await row in rows.decode((Int64, String, String, String).self) { found.append(row) }
        subtreeOfficers.keep(found, cost: max(1, found.count), for: agency.id, generation: version)
        return found
    }

    /// Which agencies count for which of `roots` in `period` (`lineage`): each agency's roots. Looked up once per
    /// directory version (`lineages`).
    static func membership(
        of roots: [Int64], period: Period, client: PostgresClient, kept: KeptLineages, logger: Logger
    ) async throws -> [Int64: [Int64]] {
        let version = try await client.directoryVersion(logger: logger)
        let key = LineageKey(roots: roots, from: period.first)
        if let found = kept.value(key, generation: version) { return found }
        var found: [Int64: [Int64]] = [:]
        let rows = try await client.query(lineage(roots: roots, period: period), logger: logger)
        for try await (root, id) in rows.decode((Int64, Int64).self) { found[id, default: []].append(root) }
        kept.keep(found, cost: found.count, for: key, generation: version)
        return found
    }
}
