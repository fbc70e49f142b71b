import Foundation

/// A cube summed from a daily one by month or year, kept by compaction (sql/0014, sql/0022).
struct Rollup: Sendable {
    /// The rollup's table, its time column, and `date_trunc`'s field for it.
    let table: String
    let time: String
    let field: String
    /// Its key columns besides the time, in the order of its primary key after the agency and the time.
    let key: [String]
    /// Its counted columns.
    let counts: [String]
    /// Summed from the hourly cube rather than the count cube.
    let hourly: Bool

    static let cell = ["questionnaire_id", "question", "level", "flag_mask", "channel"]
    static let all = [
        Rollup(table: "monthly_counts", time: "month", field: "month", key: cell, counts: ["n"], hourly: false),
        Rollup(table: "yearly_counts", time: "year", field: "year", key: cell, counts: ["n"], hourly: false),
        Rollup(
            table: "officer_monthly_counts", time: "month", field: "month", key: ["officer_id", "counter_id"] + cell, counts: ["n"],
            hourly: false),
        Rollup(
            table: "officer_yearly_counts", time: "year", field: "year", key: ["officer_id", "counter_id"] + cell, counts: ["n"],
            hourly: false),
        Rollup(
            table: "hourly_monthly_counts", time: "month", field: "month", key: ["questionnaire_id", "weekday", "hour"],
            counts: ["n", "not_satisfied"], hourly: true),
        Rollup(
            table: "hourly_yearly_counts", time: "year", field: "year", key: ["questionnaire_id", "weekday", "hour"],
            counts: ["n", "not_satisfied"], hourly: true),
    ]

    /// The daily cube by ISO week, kept by the database's triggers as compaction moves fresh cells (sql/0035), so not
    /// one of `all`: only its fill after a rebuild or the migration is the aggregator's.
    static let weekly = Rollup(table: "weekly_counts", time: "week", field: "week", key: cell, counts: ["n"], hourly: false)

    /// The source columns: the weekday (0 = Monday) is the day's, the rest are copied.
    var sourceKey: [String] { key.map { $0 == "weekday" ? "(extract(isodow FROM day)::smallint - 1)" : $0 } }

    /// The SELECT that sums `source`'s rows into this rollup's cells.
    func sum(from source: String) -> String {
        let columns = sourceKey.joined(separator: ", ")
        let sums = counts.map { "sum(\($0))" }.joined(separator: ", ")
        let groups = (1...(key.count + 2)).map(String.init).joined(separator: ", ")
        return "SELECT date_trunc('\(field)', day)::date, agency_id, \(columns), \(sums) FROM \(source) GROUP BY \(groups)"
    }

    /// Fills the emptied rollup from its daily cube, written in the order it is read: by time, then questionnaire, then
    /// agency. A province's week or month is then a few thousand neighbouring pages; written in the aggregation's hash
    /// order, a week of one questionnaire's cells were 105,000 rows on 23,000 pages at 10M responses, and a first view
    /// that found them on disk spent 1.7 s reading them.
    var fill: String {
        "INSERT INTO \(table) (\(time), agency_id, \(key.joined(separator: ", ")), \(counts.joined(separator: ", ")))\n"
            + sum(from: hourly ? "hourly_counts" : "response_counts") + "\nORDER BY 1, questionnaire_id, agency_id"
    }

    /// Adds the rows of `source` (fresh cells being compacted) once the rollup is filled.
    func add(from source: String) -> String {
        let updates = counts.map { "\($0) = t.\($0) + EXCLUDED.\($0)" }.joined(separator: ", ")
        return """
            INSERT INTO \(table) AS t (\(time), agency_id, \(key.joined(separator: ", ")), \(counts.joined(separator: ", ")))
            \(sum(from: "\(source) WHERE (SELECT ready FROM ready)"))
            ON CONFLICT (agency_id, \(time), \(key.joined(separator: ", "))) DO UPDATE SET \(updates)
            """
    }
}
