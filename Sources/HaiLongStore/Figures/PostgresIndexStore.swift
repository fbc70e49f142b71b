import Crypto
import Foundation
import HaiLongCore
import Logging
import PostgresNIO

/// Reads the count cubes that the aggregator maintains, and the publications made from them.
///
/// The figures' reads go to a streaming replica when `reads` routes them there (`DATABASE_READ_URL`); the writes
/// (methodologies, publications) and what must see them at once (a publication read back) stay on the primary.
public struct PostgresIndexStore: Sendable {
    /// The primary.
    let client: PostgresClient
    let reads: ReadRouting?
    let logger: Logger

    /// What the cubes under the fresh cells held at a generation, for the reads that come back to it.
    let baseCounts = BaseCounts(budget: 1_000_000)

    /// What figures reads looked up in the directory, for the reads that come back to it at the same directory version
    /// (sql/0033): while ratings arrive the figures version changes every second, the directory hardly ever.
    let lineages = KeptLineages(budget: 1_000_000)
    let members = KeptMembers(budget: 1_000_000)
    let subtreeOfficers = KeptSubtreeOfficers(budget: 1_000_000)

    /// The fewest agencies whose kept cells are read in two halves at once (`keptInHalves`): a province's 1,001 are.
    var halvesFrom = 256

    public init(client: PostgresClient, reads: ReadRouting? = nil, logger: Logger) {
        self.client = client
        self.reads = reads
        self.logger = logger
    }

    /// The same store reading from the primary only: what is frozen (a publication) is what the primary holds.
    public var onPrimary: PostgresIndexStore { PostgresIndexStore(client: client, logger: logger) }

    /// Runs a read on the client `reads` routes it to (the primary without a replica).
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        guard let reads else { return try await body(client) }
        return try await reads.read(body)
    }

    /// The default methodology.
    public func defaultMethodology() async throws -> Methodology {
        try await read { client in
            let rows = try await client.query(
                "SELECT params::text FROM methodologies WHERE is_default", logger: logger)
            for try await params in rows.decode(String.self) {
                return try JSONDecoder().decode(Methodology.self, from: Data(params.utf8))
            }
            return .standard
        }
    }

    /// The newest version of a questionnaire, or `nil` when there is none with this code.
    public func questionnaire(code: String) async throws -> Questionnaire? {
        try await read { client in
            let rows = try await client.query(
                "SELECT definition::text FROM questionnaires WHERE code = \(code) ORDER BY version DESC LIMIT 1", logger: logger)
            for try await definition in rows.decode(String.self) {
                return try JSONDecoder().decode(Questionnaire.self, from: Data(definition.utf8))
            }
            return nil
        }
    }

    /// A methodology by code, its newest version or the given one.
    public func methodology(code: String, version: Int?) async throws -> Methodology? {
        try await read { client in
            let rows = try await client.query(
                """
                SELECT params::text FROM methodologies WHERE code = \(code) AND (\(version)::integer IS NULL OR version = \(version))
                ORDER BY version DESC LIMIT 1
                """, logger: logger)
            for try await params in rows.decode(String.self) {
                return try JSONDecoder().decode(Methodology.self, from: Data(params.utf8))
            }
            return nil
        }
    }

    /// Adds a methodology version (refused when that code and version exist: published figures name it).
    public func addMethodology(_ methodology: Methodology, makeDefault: Bool) async throws {
        let params = String(decoding: try JSONEncoder().encode(methodology), as: UTF8.self)
        do {
            try await client.withTransaction(logger: logger) { connection in
                if makeDefault {
                    try await connection.query("UPDATE methodologies SET is_default = false WHERE is_default", logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO methodologies (code, version, params, is_default)
                    VALUES (\(methodology.code), \(methodology.version), \(params)::jsonb, \(makeDefault))
                    """, logger: logger)
                try await connection.query(
                    """
                    INSERT INTO audit_log (actor, action, subject)
                    VALUES ('cli', 'methodology.add', \("\(methodology.code) v\(methodology.version)\(makeDefault ? " (default)" : "")"))
                    """, logger: logger)
            }
        } catch let error as PostgresTransactionError {
            let cause = error.closureError ?? error.commitError ?? error
            if StoreError.isUniqueViolation(cause) {
                throw StoreError.duplicate(field: "methodology", value: "\(methodology.code) v\(methodology.version)")
            }
            throw cause
        }
    }

    /// One line per methodology version: code, version, default mark, parameters.
    public func methodologies() async throws -> [String] {
        let rows = try await client.query(
            "SELECT code, version, is_default, params::text FROM methodologies ORDER BY code, version", logger: logger)
        var lines: [String] = []
        for try await (code, version, isDefault, params) in rows.decode((String, Int, Bool, String).self) {
            lines.append("\(code) v\(version)\(isDefault ? " (default)" : "")  \(params)")
        }
        return lines
    }

    /// The agency and the agencies `depth` asks for, in display order (the agency first); agencies merged away
    /// before `period` starts are left out (their responses count for their successors).
    public func agencies(under agency: Agency, depth: Depth, period: Period) async throws -> [Agency] {
        try await read { client in
            let maxDepth =
                switch depth {
                case .own: 0
                case .children: 1
                case .all: 64
                }
            let rows = try await client.query(
                """
                WITH RECURSIVE tree AS (
                    SELECT id, code, name, kind, parent_id, 0 AS depth, ARRAY[code] AS path FROM agencies WHERE id = \(agency.id)
                    UNION ALL
                    SELECT a.id, a.code, a.name, a.kind, a.parent_id, t.depth + 1, t.path || a.code
                    FROM agencies a JOIN tree t ON a.parent_id = t.id
                    WHERE t.depth < \(maxDepth)
                      AND NOT (a.merged_into IS NOT NULL AND a.valid_to < \(SQLDate(period.first)))
                )
                SELECT id, code, name, kind, parent_id FROM tree ORDER BY path
                """, logger: logger)
            return try await Agency.decode(rows)
        }
    }

    /// The agencies whose responses count for each root: its subtree, plus agencies merged into any of them before
    /// the period starts (and their subtrees), each once.
    /// The edges are one equi-joinable list (child → parent, predecessor → successor), so the walk hash-joins: joined
    /// on `parent_id = id OR merged_into = id` it was a nested loop over every agency for every node (800 ms for a
    /// province's 1,001 roots under row-level security; 6 ms now).
    static func lineage(roots: [Int64], period: Period) -> PostgresQuery {
        """
        WITH RECURSIVE edges AS (
            SELECT id, parent_id AS up FROM agencies WHERE parent_id IS NOT NULL
            UNION ALL
            SELECT id, merged_into FROM agencies WHERE merged_into IS NOT NULL AND valid_to < \(SQLDate(period.first))
        ), sub AS (
            SELECT id, id AS root, 0 AS depth FROM agencies WHERE id = ANY(\(roots))
            UNION
            SELECT e.id, sub.root, sub.depth + 1 FROM sub JOIN edges e ON e.up = sub.id
            WHERE sub.depth < 64
        )
        SELECT DISTINCT root, id FROM sub
        """
    }

    /// The cells of `agencies` in `period` for one questionnaire, summed by agency, group and cell key (sql/0014, 0022,
    /// 0029, 0035): the period's whole years, quarters, months and weeks from the rollups that keep what `grouping` needs (by
    /// agency, or with the officer and counter) when they are filled (from the daily cube otherwise), its other days
    /// from the daily cube, and every day's fresh cells. One statement, so one snapshot: compaction moves cells between the tables,
    /// never both in and out of what a statement sees.
    /// Only what a figure uses is sent: the flag mask cut to the methodology's excluding flags (`excludedMask`), and of
    /// the excluded cells only those that count respondents, all at level 0 (`add` ignores the others and their
    /// levels), so that a province's 10,000 officers are not sent a row per mask and level their ratings carried.
    /// The cells are summed by the group's own value (an officer's id, a day) and only then labelled, and joined to
    /// their questionnaire version only then: sorting a province's officers by their ids as text took most of the time.
    /// With `pooledAs`, every agency's cells are summed as that one agency's (a single root, which all of them count
    /// for): a province's own figures or its trend come back as cells of one agency, not of each.
    /// Each agency and group is one row, its cells in arrays (question, level, mask, respondent or not, count; `addCells`):
    /// a province's 10,000 officers are 140,000 cells at 10M responses, and decoding them as rows (a message, a row and
    /// seven cells each) was most of the service's share of that read.
    /// `versions` are the ids of the questionnaire's versions (`versions(of:)`), bound as constants so that the planner
    /// filters the cube by them inside its scan (or its key) rather than joining every questionnaire's cells to find them.
    static func cells(
        of agencies: [Int64], period: Period, grouping: Grouping, questionnaire: String, versions: [Int32],
        excludedMask: Int = 0, reasons: Bool = true, pooledAs root: Int64? = nil, parts: CellParts = .all
    ) -> PostgresQuery {
        let (group, label) =
            switch grouping {
            case .none: ("0", "''")
            case .officer: ("c.officer_id", "s.grp::text")
            case .counter: ("c.counter_id", "s.grp::text")
            case .channel: ("c.channel", "s.grp")
            case .day: ("c.day", "s.grp::text")
            case .month: ("date_trunc('month', c.day)::date", "to_char(s.grp, 'YYYY-MM')")
            }
        var binds = PostgresBindings()
        binds.append(agencies)
        binds.append(questionnaire)
        binds.append(SQLDate(period.first))
        binds.append(SQLDate(period.last))
        let columns = "day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n"
        let mine = "agency_id = ANY($1) AND questionnaire_id = ANY($6)"
        binds.append(excludedMask)
        binds.append(versions)
        var branches: [String] = []
        var segments = period.segments(Self.spans(for: grouping))
        switch parts {
        case .all: branches = ["SELECT \(columns) FROM fresh_counts WHERE \(mine) AND day BETWEEN $3 AND $4"]
        case .kept: break
        case .fresh: (branches, segments) = (["SELECT \(columns) FROM fresh_counts WHERE \(mine) AND day BETWEEN $3 AND $4"], [])
        case .compacted(let froms):
            binds.append(froms)
            branches = [
                """
                SELECT \(columns) FROM compacted_counts WHERE from_generation = ANY($\(binds.count)) AND \(mine)
                AND day BETWEEN $3 AND $4
                """
            ]
            segments = []
        }
        for segment in segments {
            binds.append(SQLDate(segment.first))
            binds.append(SQLDate(segment.last))
            let (from, to) = ("$\(binds.count - 1)", "$\(binds.count)")
            let daily = "SELECT \(columns) FROM response_counts WHERE \(mine) AND day BETWEEN \(from) AND \(to)"
            guard let rollup = Self.rollup(segment.span, grouping: grouping) else {
                branches.append(daily)
                continue
            }
            let ready = "coalesce((SELECT \(rollup.ready) FROM aggregator_state WHERE id = 1), false)"
            // The rollup's periods by equality, not as a range of days: a range of the time column leaves the columns
            // after it in a key out of the scan's bounds, so one department's officers read the whole questionnaire-year
            // of the officers' totals (331 rows from 3,992 buffers at 10M responses).
            binds.append(Self.starts(from: segment.first, to: segment.last, every: rollup.time).map(SQLDate.init))
            branches += [
                """
                SELECT \(rollup.time), agency_id, questionnaire_id, question, level, flag_mask, \(rollup.members), n
                FROM \(rollup.table) WHERE \(ready) AND \(mine) AND \(rollup.time) = ANY($\(binds.count))
                """,
                "\(daily) AND NOT \(ready)",
            ]
        }
        let sql = """
            SELECT s.agency_id, \(label), array_agg(s.question), array_agg(s.level::integer), array_agg(s.mask),
                   array_agg(coalesce(s.question = q.respondent_question, false)), array_agg(s.n)
            FROM (
                SELECT \(root.map { "\($0)::bigint" } ?? "c.agency_id") AS agency_id, \(group) AS grp, c.questionnaire_id, c.question,
                       CASE WHEN c.flag_mask & $5::integer = 0 THEN c.level ELSE 0 END AS level, c.flag_mask & $5::integer AS mask,
                       sum(c.n)::bigint AS n
                FROM (\(branches.joined(separator: "\nUNION ALL\n"))) AS c (\(columns))
                WHERE (c.flag_mask & $5::integer = 0 OR c.question = '_response'
                       OR c.question IN (SELECT respondent_question FROM questionnaires WHERE code = $2))
                  \(reasons ? "" : "AND c.question NOT LIKE 'reason.%'")
                GROUP BY 1, 2, 3, 4, 5, 6
            ) AS s JOIN questionnaires q ON q.id = s.questionnaire_id
            GROUP BY s.agency_id, s.grp
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The first days of the weeks, months, quarters or years (`unit`, a rollup's time column) from `first`, one of
    /// them, to `last`.
    static func starts(from first: LocalDate, to last: LocalDate, every unit: String) -> [LocalDate] {
        // Months to the next start; a week's is seven days on.
        let months = ["month": 1, "quarter": 3, "year": 12][unit]
        var starts: [LocalDate] = []
        var cursor = first
        while cursor <= last {
            starts.append(cursor)
            if let months {
                let next = cursor.month - 1 + months
                cursor = LocalDate(year: cursor.year + next / 12, month: next % 12 + 1, day: 1)!
            } else {
                cursor = cursor.adding(days: 7)
            }
        }
        return starts
    }

    /// The ids of a questionnaire's versions.
    static func versions(of questionnaire: String, client: PostgresClient, logger: Logger) async throws -> [Int32] {
        let rows = try await client.query("SELECT id FROM questionnaires WHERE code = \(questionnaire)", logger: logger)
        var ids: [Int32] = []
        for try await id in rows.decode(Int32.self) { ids.append(id) }
        return ids
    }

    /// Which cells `cells` reads: the fresh cells the aggregation steps add, the cubes under them (which only
    /// compaction, a rebuild and the rollups' first fill change: kept per generation), or both; or the cells that the
    /// compactions starting at the given generations moved into the cubes (sql/0034).
    enum CellParts: Sendable, Equatable {
        case all, kept, fresh
        case compacted([Int64])
    }

    /// The spans a grouping can be read in: by day only per day; by month in whole months at most; by officer or counter
    /// in whole months and years; the others in whole weeks (sql/0035), quarters (sql/0029) and years too.
    static func spans(for grouping: Grouping) -> Set<Period.Span> {
        switch grouping {
        case .day: [.day]
        case .month: [.day, .month]
        case .none, .channel: [.day, .week, .month, .quarter, .year]
        case .officer, .counter: [.day, .month, .year]
        }
    }

    /// The rollup that keeps `span`'s cells for `grouping` (none for a day: the daily cube), its time column, the SQL of
    /// its officer, counter and channel columns (zero or empty where it does not keep them and `grouping` does not ask
    /// for them), and the column of `aggregator_state` that says it is filled. A year by officer reads the officers'
    /// totals by questionnaire (sql/0027), which have no counter or channel: a province's officers are one range of it
    /// rather than every officer's cells of every questionnaire.
    static func rollup(
        _ span: Period.Span, grouping: Grouping
    ) -> (table: String, time: String, members: String, ready: String)? {
        let members = "officer_id, counter_id, channel"
        let noMembers = "0::bigint, 0::bigint, channel"
        switch (span, grouping) {
        case (.day, _): return nil
        // Weeks of officers or counters are read as their days (`spans`): the weekly cube has neither.
        case (.week, .officer), (.week, .counter): return nil
        // Kept by the database and filled on its own (sql/0035).
        case (.week, _): return ("weekly_counts", "week", noMembers, "weekly_ready")
        case (.month, .officer), (.month, .counter): return ("officer_monthly_counts", "month", members, "rollups_ready")
        case (.month, _): return ("monthly_counts", "month", noMembers, "rollups_ready")
        // Quarters of officers or counters are read as their months (`spans`): there is no such rollup.
        case (.quarter, .officer), (.quarter, .counter): return ("officer_monthly_counts", "month", members, "rollups_ready")
        case (.quarter, _): return ("quarterly_counts", "quarter", noMembers, "rollups_ready")
        case (.year, .officer): return ("officer_yearly_totals", "year", "officer_id, 0::bigint, ''::text", "rollups_ready")
        case (.year, .counter): return ("officer_yearly_counts", "year", members, "rollups_ready")
        case (.year, _): return ("yearly_counts", "year", noMembers, "rollups_ready")
        }
    }

    /// Adds one cell to `counts`. Respondents are counted by `_response` cells and by the cells of the questionnaire's
    /// required question (`respondent`), which every response answers (sql/0008); the latter are answers as well.
    /// A cell of none adds nothing, not even a zero: the rollups keep the cells a flag review emptied (the daily cube
    /// drops them), and counts must not depend on which cube they were read from.
    static func add(
        question: String, level: Int, mask: Int, count: Int, valid: Bool, respondent: Bool = false, methodology: Methodology,
        to counts: inout FigureCounts
    ) {
        guard count != 0 else { return }
        if question == "_response" || respondent {
            if valid {
                counts.respondents += count
            } else {
                counts.excluded += count
                for flag in methodology.excludedFlags where mask & flag.bit != 0 { counts.excludedByFlag[flag, default: 0] += count }
            }
        }
        if question == "_response" {
            return
        } else if question.hasPrefix("reason.") {
            if valid { counts.reasons[String(question.dropFirst("reason.".count)), default: 0] += count }
        } else if valid {
            counts.validByQuestion[question, default: [:]][level, default: 0] += count
        }
    }

    /// Dossiers served (returned, else received) in the period, pooled like the figures.
    public func dossiersServed(for agencies: [Agency], period: Period, timeZone: TimeZone) async throws -> [Int64: Int] {
        try await read { client in
            var query = Self.lineage(roots: agencies.map(\.id), period: period)
            let from = period.first.start(in: timeZone)
            let until = period.last.adding(days: 1).start(in: timeZone)
            query.sql = "WITH members AS (" + query.sql + ")\n"
            query.sql += """
                SELECT m.root, count(*)::bigint FROM members m JOIN dossiers d ON d.agency_id = m.id
                WHERE coalesce(d.returned_at, d.received_at) >= $\(query.binds.count + 1)
                  AND coalesce(d.returned_at, d.received_at) < $\(query.binds.count + 2)
                GROUP BY 1
                """
            query.binds.append(from)
            query.binds.append(until)
            let rows = try await client.query(query, logger: logger)
            var result: [Int64: Int] = [:]
            for try await (root, count) in rows.decode((Int64, Int64).self) { result[root] = Int(count) }
            return result
        }
    }

    /// When the aggregator last applied responses to the counts.
    public func asOf() async throws -> Date? {
        try await read { client in
            let rows = try await client.query("SELECT last_applied_at FROM aggregator_state WHERE id = 1", logger: logger)
            for try await date in rows.decode(Date?.self) { return date }
            return nil
        }
    }

    /// A number that changes whenever anything the live figures are computed from changes (sql/0007).
    public func figuresVersion() async throws -> Int64 {
        try await read { client in
            let rows = try await client.query("SELECT version FROM figures_version WHERE id = 1", logger: logger)
            for try await version in rows.decode(Int64.self) { return version }
            return 0
        }
    }

    /// How many stored responses the aggregator has yet to count (`/metrics`).
    public func aggregationBacklog() async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM pending_aggregation", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Freezes a document as the next version for its agency, period and questionnaire; `document` is given the
    /// version number and returns the JSON to store.
    public func publish(
        agencyID: Int64, period: String, questionnaire: String, methodology: Methodology, asOf: Date?, publishedBy: String,
        document: @Sendable (_ version: Int) throws -> String
    ) async throws -> Publication {
        // The next version under a lock on the agency row, so two publishers cannot both take the same number.
        let id = try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT id FROM agencies WHERE id = \(agencyID) FOR UPDATE", logger: logger)
            let versions = try await connection.query(
                """
                SELECT coalesce(max(version), 0) + 1 FROM publications
                WHERE agency_id = \(agencyID) AND period = \(period) AND questionnaire = \(questionnaire)
                """, logger: logger)
            var version = 1
            for try await next in versions.decode(Int.self) { version = next }
            let text = try document(version)
            let hash = Hex.encode(SHA256.hash(data: Data(text.utf8)))
            let rows = try await connection.query(
                """
                INSERT INTO publications (agency_id, period, questionnaire, version, methodology_code, methodology_version,
                    as_of, published_by, document, content_hash)
                VALUES (\(agencyID), \(period), \(questionnaire), \(version), \(methodology.code), \(methodology.version),
                    \(asOf), \(publishedBy), \(text), \(hash))
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) {
                let subject = "publication \(id): \(questionnaire) \(period) sha256 \(hash)"
                try await connection.record(
                    AuditRecord(actor: publishedBy, action: "figures.publish", agencyID: agencyID, subject: subject), logger: logger)
                return id
            }
            throw StoreError.notFound(field: "publication", value: period)
        }
        guard let publication = try await publication(id: id) else { throw StoreError.notFound(field: "publication", value: "\(id)") }
        return publication
    }

    /// A publication: the given version, or the newest when `version` is nil.
    public func publication(agencyID: Int64, period: String, questionnaire: String, version: Int?) async throws -> Publication? {
        let rows = try await client.query(
            """
            SELECT id FROM publications
            WHERE agency_id = \(agencyID) AND period = \(period) AND questionnaire = \(questionnaire)
              AND (\(version)::integer IS NULL OR version = \(version))
            ORDER BY version DESC LIMIT 1
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return try await publication(id: id) }
        return nil
    }

    func publication(id: Int64) async throws -> Publication? {
        let rows = try await client.query(
            """
            SELECT p.id, a.code, p.period, p.questionnaire, p.version, p.methodology_code, p.methodology_version, p.as_of,
                p.published_at, p.published_by, p.document, p.content_hash
            FROM publications p JOIN agencies a ON a.id = p.agency_id WHERE p.id = \(id)
            """, logger: logger)
        for try await row in rows.decode((Int64, String, String, String, Int, String, Int, Date?, Date, String, String, String).self) {
            return Publication(
                id: row.0, agencyCode: row.1, period: row.2, questionnaire: row.3, version: row.4, methodologyCode: row.5,
                methodologyVersion: row.6, asOf: row.7, publishedAt: row.8, publishedBy: row.9, document: row.10, contentHash: row.11)
        }
        return nil
    }
}
