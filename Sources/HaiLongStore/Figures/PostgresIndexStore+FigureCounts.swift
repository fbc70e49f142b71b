import HaiLongCore
import PostgresNIO

extension PostgresIndexStore {
    /// Counts per agency (pooled over its subtree, and its predecessors merged before the period) and group.
    /// Without `reasons` the "4 xin, 4 luôn" reasons are left out (a trend or sparkline shows only the index).
    /// The cells of the cubes that only compaction changes are kept per cube generation (`BaseCounts`), and carried to
    /// the next generation when only compactions made it (by the cells they moved); the fresh cells are read every
    /// time, in the same snapshot as the generation they are added to.
    public func figureCounts(
        for agencies: [Agency], period: Period, questionnaire: String, methodology: Methodology, grouping: Grouping,
        reasons: Bool = true
    ) async throws -> [CountKey: FigureCounts] {
        let (baseCounts, halvesFrom, lineages) = (self.baseCounts, self.halvesFrom, self.lineages)
        return try await read { client in
            // Which agencies count for which root (small), then the cube read once per agency, not once per root: a
            // province and its 1,000 agencies would otherwise scan every cell twice. Pooling is a sum, done here.
            async let versions = Self.versions(of: questionnaire, client: client, logger: logger)
            let roots = try await Self.membership(
                of: agencies.map(\.id), period: period, client: client, kept: lineages, logger: logger)
            // One root (a province's own figures, its trend, its officers): every member counts for it alone, so the
            // database sums them.
            let single = agencies.count == 1 ? agencies[0].id : nil
            let key = BaseCountsKey(
                members: roots, period: period.label, grouping: grouping, questionnaire: questionnaire, versions: try await versions,
                excludedMask: methodology.excludedMask, reasons: reasons, pooledAs: single)
            @Sendable func cells(_ parts: CellParts, of members: [Int64] = Array(roots.keys)) -> PostgresQuery {
                Self.cells(
                    of: members, period: period, grouping: grouping, questionnaire: questionnaire, versions: key.versions,
                    excludedMask: key.excludedMask, reasons: reasons, pooledAs: single, parts: parts)
            }
            return try await client.withTransaction(logger: logger) { connection in
                // One snapshot for the generation, the kept cells it names and the fresh cells added to them.
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                let generation = try await connection.cubeGeneration(logger: logger)
                var result: [CountKey: FigureCounts]
                if let kept = baseCounts.value(key, generation: generation) {
                    result = kept
                } else if let older = baseCounts.older(key, than: generation),
                    let moved = try await connection.compactions(since: older.generation, until: generation, logger: logger)
                {
                    // Only compactions moved the cubes on since: what they moved, added to what was kept (sql/0034). A
                    // province's year was read again from the cubes after each, about a second at 10M responses.
                    result = older.value
                    let rows = try await connection.query(cells(.compacted(moved)), logger: logger)
                    let count = try await Self.addCells(rows, roots: roots, methodology: methodology, to: &result)
                    // What came to zero goes, as it went from the cubes.
                    result = result.compactMapValues { counts in
                        let left = counts.withoutZeros
                        return left == FigureCounts() ? nil : left
                    }
                    baseCounts.keep(result, cost: older.cost + count, for: key, generation: generation, carried: true)
                } else if grouping == .officer || grouping == .counter, roots.count >= halvesFrom, Self.halvedReads.enter() {
                    defer { Self.halvedReads.leave() }
                    let count: Int
                    (result, count) = try await Self.keptInHalves(
                        of: roots, on: connection, client: client, methodology: methodology, logger: logger
                    ) { members in cells(.kept, of: members) }
                    baseCounts.keep(result, cost: count, for: key, generation: generation)
                } else {
                    result = [:]
                    let rows = try await connection.query(cells(.kept), logger: logger)
                    let count = try await Self.addCells(rows, roots: roots, methodology: methodology, to: &result)
                    baseCounts.keep(result, cost: count, for: key, generation: generation)
                }
                let fresh = try await connection.query(cells(.fresh), logger: logger)
                _ = try await Self.addCells(fresh, roots: roots, methodology: methodology, to: &result)
                return result
            }
        }
    }

    /// Reads in halves under way in this process, at most two: each holds a second connection while it holds the
    /// first, so they are kept few enough that the pool can never be all held by reads waiting for a second one.
    static let halvedReads = Occupancy(limit: 2)

    /// The kept cells of `roots`' agencies read in two halves at once, one on `connection` (in its repeatable-read
    /// transaction) and one on a second connection of `client` in the same snapshot (exported by the first,
    /// `SET TRANSACTION SNAPSHOT`), so that the two cores share a province's year: its 10,000 officers' cells were one
    /// statement of 1.3 s at 10M responses, most of it aggregating and sending rows. The halves are summed as one read
    /// would have summed them (a root pooled over agencies of both halves adds its two parts). Returns the counts and
    /// how many rows there were.
    static func keptInHalves(
        of roots: [Int64: [Int64]], on connection: PostgresConnection, client: PostgresClient, methodology: Methodology,
        logger: Logger, statement: @escaping @Sendable ([Int64]) -> PostgresQuery
    ) async throws -> ([CountKey: FigureCounts], Int) {
        var snapshot = ""
        for try await id in try await connection.query("SELECT pg_export_snapshot()", logger: logger).decode(String.self) { snapshot = id }
        // Every other agency, so that each half has its share of every subtree.
        let members = roots.keys.sorted()
        let first = stride(from: 0, to: members.count, by: 2).map { members[$0] }
        let second = stride(from: 1, to: members.count, by: 2).map { members[$0] }
        async let other: ([CountKey: FigureCounts], Int) = client.withConnection { other in
            // An exported snapshot's name is hexadecimal digits and dashes: it is written into the statement.
            guard !snapshot.isEmpty, snapshot.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
                throw StoreError.notFound(field: "snapshot", value: snapshot)
            }
            try await other.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            do {
                try await other.query(PostgresQuery(unsafeSQL: "SET TRANSACTION SNAPSHOT '\(snapshot)'"), logger: logger)
                var counts: [CountKey: FigureCounts] = [:]
                let rows = try await other.query(statement(second), logger: logger)
                let count = try await addCells(rows, roots: roots, methodology: methodology, to: &counts)
                try await other.query("COMMIT", logger: logger)
                return (counts, count)
            } catch {
                _ = try? await other.query("ROLLBACK", logger: logger)
                throw error
            }
        }
        var result: [CountKey: FigureCounts] = [:]
        let rows = try await connection.query(statement(first), logger: logger)
        let count = try await addCells(rows, roots: roots, methodology: methodology, to: &result)
        var (theirs, theirCount): ([CountKey: FigureCounts], Int)
        do {
            (theirs, theirCount) = try await other
        } catch {
            guard !Task.isCancelled else { throw error }
            // No second connection in this snapshot (another server behind a pooler): the other half on this one, in its
            // snapshot, as an unhalved read would.
            logger.warning("figures read in halves: the second half on the first connection", metadata: ["error": "\(error)"])
            theirs = [:]
            theirCount = try await addCells(
                try await connection.query(statement(second), logger: logger), roots: roots, methodology: methodology, to: &theirs)
        }
        result.merge(theirs, uniquingKeysWith: +)
        return (result, count + theirCount)
    }

    /// Adds the rows of a `cells` statement to `result`, each agency's cells under every root it counts for; returns how
    /// many cells there were.
    static func addCells(
        _ rows: PostgresRowSequence, roots: [Int64: [Int64]], methodology: Methodology, to result: inout [CountKey: FigureCounts]
    ) async throws -> Int {
        let excludedMask = methodology.excludedMask
        var count = 0
        // Each column decoded as its own type: decoding the row as a tuple looked its type up at run time for every
        // row, a fifth of a province's evaluation.
        for try await row in rows {
            let columns = row.makeRandomAccess()
            let agency = try columns[0].decode(Int64.self)
            let group = try columns[1].decode(String.self)
            let questions = try columns[2].decode([String].self)
            let levels = try columns[3].decode([Int].self)
            let masks = try columns[4].decode([Int].self)
            let respondents = try columns[5].decode([Bool].self)
            let ns = try columns[6].decode([Int64].self)
            guard levels.count == questions.count, masks.count == questions.count, respondents.count == questions.count,
                ns.count == questions.count
            else { throw CellsShapeError(agency: agency) }
            count += questions.count
            for root in roots[agency] ?? [] {
                // Mutated in place, once per row: a copy per cell of a province's growing counts made big reads quadratic.
                Self.add(
                    questions: questions, levels: levels, masks: masks, respondents: respondents, ns: ns, excludedMask: excludedMask,
                    methodology: methodology, to: &result[CountKey(agencyID: root, group: group), default: FigureCounts()])
            }
        }
        return count
    }

    /// Adds one group's cells (the arrays of a `cells` row) to its counts.
    private static func add(
        questions: [String], levels: [Int], masks: [Int], respondents: [Bool], ns: [Int64], excludedMask: Int,
        methodology: Methodology, to counts: inout FigureCounts
    ) {
        for cell in questions.indices {
            let mask = masks[cell]
            add(
                question: questions[cell], level: levels[cell], mask: mask, count: Int(ns[cell]), valid: mask & excludedMask == 0,
                respondent: respondents[cell], methodology: methodology, to: &counts)
        }
    }
}

/// A `cells` row whose arrays are not of one length (which its statement cannot write).
struct CellsShapeError: Error {
    var agency: Int64
}
