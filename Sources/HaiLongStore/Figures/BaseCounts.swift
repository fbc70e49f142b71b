import HaiLongCore
import Synchronization

/// Figure counts read from the cubes that only compaction, a rebuild or the first fill of the rollups change (the daily
/// cube and its rollups), kept per cube generation (sql/0030), so that a read after an aggregation step reads only the
/// fresh cells the step added and adds them to what it kept. While ratings arrive every second the figures version
/// changes every second, and every answer was a first answer again: at 10M responses a province's figures took 0.8 s
/// each time. The fresh cells and the generation are read in one snapshot with the kept cells' generation, so a read
/// never adds fresh cells that a compaction has moved into the cubes it kept (`PostgresIndexStore.figureCounts`).
final class BaseCounts: Sendable {
    /// What a read asks for: the same key at the same generation reads the same cells.
    struct Key: Hashable, Sendable {
        var members: [Int64: [Int64]]
        var period: String
        var grouping: Grouping
        var questionnaire: String
        var versions: [Int32]
        var excludedMask: Int
        var reasons: Bool
        var pooledAs: Int64?
    }

    struct Entry: Sendable {
        var generation: Int64
        var counts: [CountKey: FigureCounts]
        var rows: Int
        var used: UInt64
    }

    struct State: Sendable {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
        var hits = 0
    }

    /// At most this many cells kept in all (a province's 10,000 officers for a year are about 400,000).
    let rowBudget: Int
    private let state = Mutex(State())

    init(rowBudget: Int = 1_000_000) {
        self.rowBudget = rowBudget
    }

    /// How many reads found their cells kept.
    var hits: Int { state.withLock { $0.hits } }

    func counts(_ key: Key, generation: Int64) -> [CountKey: FigureCounts]? {
        state.withLock { state in
            guard var entry = state.entries[key], entry.generation == generation else { return nil }
            state.clock += 1
            state.hits += 1
            entry.used = state.clock
            state.entries[key] = entry
            return entry.counts
        }
    }

    /// Keeps `counts` (read from `rows` cells) for `key` at `generation`; what an older generation kept goes, and the
    /// least recently used entries while the budget is exceeded.
    func keep(_ counts: [CountKey: FigureCounts], rows: Int, for key: Key, generation: Int64) {
        guard rows <= rowBudget else { return }
        state.withLock { state in
            state.entries = state.entries.filter { $0.value.generation >= generation && $0.key != key }
            state.clock += 1
            state.entries[key] = Entry(generation: generation, counts: counts, rows: rows, used: state.clock)
            var total = state.entries.values.reduce(0) { $0 + $1.rows }
            while total > rowBudget, let oldest = state.entries.min(by: { $0.value.used < $1.value.used }) {
                state.entries[oldest.key] = nil
                total -= oldest.value.rows
            }
        }
    }
}
