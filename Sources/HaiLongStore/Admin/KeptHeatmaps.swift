import Synchronization

/// The heatmaps' hours as the hourly cubes under the fresh ratings held them, per cube generation (sql/0030, sql/0031):
/// only compaction, a rebuild and the rollups' fill change those cubes, so a heatmap read after an aggregation step
/// reads only the fresh ratings and adds them (`PostgresDashboardStore.heatmap`). A province's year read 140,000 rows
/// of the hourly rollup for every figures version, 0.3 s at 10M responses, while ratings arrived every second.
final class KeptHeatmaps: Sendable {
    struct Key: Hashable, Sendable {
        var agency: Int64
        var questionnaire: String
        var period: String
    }

    struct Hour: Hashable, Sendable {
        var weekday: Int
        var hour: Int
    }

    struct Entry: Sendable {
        var generation: Int64
        var cells: [Hour: HeatCell]
    }

    /// At most this many heatmaps (each at most 7 × 24 hours); the oldest generation's go first.
    let limit: Int
    private let entries = Mutex([Key: Entry]())
    private let found = Atomic(0)

    init(limit: Int = 512) {
        self.limit = limit
    }

    /// How many reads found their hours kept.
    var hits: Int { found.load(ordering: .relaxed) }

    func cells(_ key: Key, generation: Int64) -> [Hour: HeatCell]? {
        let cells = entries.withLock { entries in
            entries[key].flatMap { $0.generation == generation ? $0.cells : nil }
        }
        if cells != nil { found.add(1, ordering: .relaxed) }
        return cells
    }

    /// Keeps `cells` for `key` at `generation`; what an older generation kept goes, and any entry while over `limit`.
    func keep(_ cells: [Hour: HeatCell], for key: Key, generation: Int64) {
        entries.withLock { entries in
            entries = entries.filter { $0.value.generation >= generation }
            if entries.count >= limit, let any = entries.keys.first { entries[any] = nil }
            entries[key] = Entry(generation: generation, cells: cells)
        }
    }
}
