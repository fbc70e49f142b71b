import Foundation
import HaiLongCore
import Logging
import PostgresNIO
import Synchronization

/// What a read took from the cubes under the fresh cells, kept per cube generation (sql/0030, sql/0031). Only
/// compaction, a rebuild and the rollups' first fill change those cubes, each moving the generation on; an aggregation
/// step only adds fresh cells. So a read at the same generation can take what was kept and read only the fresh cells,
/// in the snapshot that showed it the generation (`PostgresIndexStore.figureCounts`, `PostgresDashboardStore.heatmap`).
/// While ratings arrive the figures version changes every second, and without this every answer was a first answer.
/// A value of an older generation stays until it is replaced or the budget needs its place, so that a reader can carry
/// it across compactions by the cells they moved (`older`, sql/0034).
final class KeptByGeneration<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var generation: Int64
        var value: Value
        var cost: Int
        var used: UInt64
    }

    struct State: Sendable {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
        var hits = 0
        var carried = 0
    }

    /// At most this much kept in all (in the unit of `keep`'s cost); the least recently used go first.
    let budget: Int
    private let state = Mutex(State())

    init(budget: Int) {
        self.budget = budget
    }

    /// How many reads found their value kept.
    var hits: Int { state.withLock { $0.hits } }

    /// How many values were carried to a newer generation (`keep(_:cost:for:generation:carried:)`).
    var carried: Int { state.withLock { $0.carried } }

    func value(_ key: Key, generation: Int64) -> Value? {
        state.withLock { state in
            guard var entry = state.entries[key], entry.generation == generation else { return nil }
            state.clock += 1
            state.hits += 1
            entry.used = state.clock
            state.entries[key] = entry
            return entry.value
        }
    }

    /// The value kept for `key` at an older generation than `generation`, and its generation and cost: a reader that
    /// can tell what changed since (`compactions`, sql/0034) carries it to the new generation instead of reading again.
    func older(_ key: Key, than generation: Int64) -> (value: Value, generation: Int64, cost: Int)? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.generation < generation else { return nil }
            return (entry.value, entry.generation, entry.cost)
        }
    }

    /// Keeps `value` (costing `cost`) for `key` at `generation`, unless a newer generation's is kept (a read in an older
    /// snapshot that finished last); the least recently used entries go while the budget is exceeded. Older
    /// generations' values stay until then, to be carried forward (`older`); `carried` counts those that were.
    func keep(_ value: Value, cost: Int, for key: Key, generation: Int64, carried: Bool = false) {
        guard cost <= budget else { return }
        state.withLock { state in
            if let kept = state.entries[key], kept.generation > generation { return }
            if carried { state.carried += 1 }
            state.clock += 1
            state.entries[key] = Entry(generation: generation, value: value, cost: cost, used: state.clock)
            var total = state.entries.values.reduce(0) { $0 + $1.cost }
            while total > budget, let oldest = state.entries.min(by: { $0.value.used < $1.value.used }) {
                state.entries[oldest.key] = nil
                total -= oldest.value.cost
            }
        }
    }
}

/// Figure counts, by what a read asks for: the same key at the same generation reads the same cells. Their cost is
/// the cells read; a million in all (a province's 10,000 officers for a year are about 400,000).
typealias BaseCounts = KeptByGeneration<BaseCountsKey, [CountKey: FigureCounts]>

struct BaseCountsKey: Hashable, Sendable {
    var members: [Int64: [Int64]]
    var period: String
    var grouping: Grouping
    var questionnaire: String
    var versions: [Int32]
    var excludedMask: Int
    var reasons: Bool
    var pooledAs: Int64?
}

/// Heatmaps' hours (each at most 7 × 24), by agency, questionnaire and period; at most 512 heatmaps. A province's year
/// read 140,000 rows of the hourly rollup for every figures version, 0.3 s at 10M responses.
typealias KeptHeatmaps = KeptByGeneration<HeatmapKey, [HeatHour: HeatCell]>

struct HeatmapKey: Hashable, Sendable {
    var agency: Int64
    var questionnaire: String
    var period: String
}

struct HeatHour: Hashable, Sendable {
    var weekday: Int
    var hour: Int
}

/// Which agencies count for which roots (`PostgresIndexStore.membership`), by the roots and the period's first day, kept
/// per directory version (sql/0033); their cost is the pairs, at most a million in all.
typealias KeptLineages = KeptByGeneration<LineageKey, [Int64: [Int64]]>

struct LineageKey: Hashable, Sendable {
    var roots: [Int64]
    var from: LocalDate
}

/// Officers' or counters' names by id, kept per directory version (sql/0033), each grouping's growing as they are
/// asked for (`PostgresIndexStore.named`).
typealias KeptMembers = KeptByGeneration<Grouping, [Int64: GroupMember]>

/// An officer of a subtree, as the evaluation lists them: id, badge, name, agency code.
public typealias SubtreeOfficer = (id: Int64, badge: String, name: String, agency: String)

/// The officers of subtrees by their agency's id (`PostgresIndexStore.officers(under:)`), kept per directory version
/// (sql/0033); their cost is the officers.
typealias KeptSubtreeOfficers = KeptByGeneration<Int64, [SubtreeOfficer]>

/// Complaints inboxes (`PostgresDashboardStore.complaints`), kept at generation 0: what they depend on is in the key.
typealias KeptComplaints = KeptByGeneration<ComplaintsKey, [Complaint]>

struct ComplaintsKey: Hashable, Sendable {
    var agency: Int64
    var from: Date
    var to: Date
    var counter: String?
    var officer: String?
    var status: ComplaintStatus?
    var after: UUID?
    var limit: Int
    /// The last response number and complaint update number handed out, and the figures version (sql/0007). A new
    /// complaint takes a response number before it is stored; one stored after a later number was read moves the
    /// figures version on when the aggregator counts it, about a second later.
    var seen: [Int64]
}

extension PostgresClient {
    /// The current directory version (sql/0033).
    func directoryVersion(logger: Logger) async throws -> Int64 {
        for try await value in try await query("SELECT version FROM directory_version WHERE id = 1", logger: logger).decode(Int64.self) {
            return value
        }
        return 0
    }
}

extension PostgresConnection {
    /// The current cube generation (sql/0030), in the transaction's snapshot.
    func cubeGeneration(logger: Logger) async throws -> Int64 {
        for try await value in try await query("SELECT generation FROM cube_generation WHERE id = 1", logger: logger).decode(Int64.self) {
            return value
        }
        return 0
    }

    /// The compactions that moved the cubes from generation `since` to `until`, in order, by the generation each started
    /// from (sql/0034); nil unless they alone did: a rebuild, the rollups' fill or a compaction too old to be recorded
    /// leaves a gap in the chain.
    func compactions(since: Int64, until: Int64, logger: Logger) async throws -> [Int64]? {
        let rows = try await query(
            """
            SELECT from_generation, to_generation FROM compactions
            WHERE from_generation >= \(since) AND to_generation <= \(until) ORDER BY from_generation
            """, logger: logger)
        var (reached, froms) = (since, [Int64]())
        for try await (from, to) in rows.decode((Int64, Int64).self) {
            guard from == reached else { return nil }
            froms.append(from)
            reached = to
        }
        return reached == until ? froms : nil
    }
}

/// How many of something are under way, up to `limit`: `enter` says whether one more may start (and counts it), `leave`
/// counts it out; `entered` is how many ever started.
final class Occupancy: Sendable {
    let limit: Int
    private let count = Mutex((now: 0, ever: 0))

    init(limit: Int) {
        self.limit = limit
    }

    var entered: Int { count.withLock { $0.ever } }

    func enter() -> Bool {
        count.withLock { count in
            guard count.now < limit else { return false }
            count.now += 1
            count.ever += 1
            return true
        }
    }

    func leave() {
        count.withLock { $0.now -= 1 }
    }
}
