import PostgresNIO

/// The rollups the aggregator and its triggers keep (sql/0014, 0022, 0027, 0029, 0035), each with the daily cube it sums, the `date_trunc` field of
/// its time column and its key besides the agency and the time.
public let rollupDefinitions: [(table: String, time: String, source: String, key: String, counts: [String])] = [
    ("monthly_counts", "month", "response_counts", "questionnaire_id, question, level, flag_mask, channel", ["n"]),
    // Kept by triggers on monthly_counts (sql/0029), and so equal to the daily cube summed by quarter.
    ("quarterly_counts", "quarter", "response_counts", "questionnaire_id, question, level, flag_mask, channel", ["n"]),
    ("yearly_counts", "year", "response_counts", "questionnaire_id, question, level, flag_mask, channel", ["n"]),
    // Kept by triggers on fresh_counts and response_counts (sql/0035): the daily cube summed by ISO week.
    ("weekly_counts", "week", "response_counts", "questionnaire_id, question, level, flag_mask, channel", ["n"]),
    (
        "officer_monthly_counts", "month", "response_counts",
        "officer_id, counter_id, questionnaire_id, question, level, flag_mask, channel", ["n"]
    ),
    (
        "officer_yearly_counts", "year", "response_counts",
        "officer_id, counter_id, questionnaire_id, question, level, flag_mask, channel", ["n"]
    ),
    // Kept by triggers on officer_yearly_counts (sql/0027), and so equal to the daily cube summed by its key too.
    ("officer_yearly_totals", "year", "response_counts", "officer_id, questionnaire_id, question, level, flag_mask", ["n"]),
    ("hourly_monthly_counts", "month", "hourly_counts", "questionnaire_id, weekday, hour", ["n", "not_satisfied"]),
    ("hourly_yearly_counts", "year", "hourly_counts", "questionnaire_id, weekday, hour", ["n", "not_satisfied"]),
]

/// Cells of the rollups that differ from their daily cube summed by month or year (cells that sum to zero on both sides
/// left out); 0 when every rollup agrees.
public func rollupMismatches(_ client: PostgresClient) async throws -> Int {
    var mismatches = 0
    for rollup in rollupDefinitions {
        let key = rollup.key.replacingOccurrences(of: "weekday", with: "(extract(isodow FROM day)::int - 1) AS weekday")
        let sums = rollup.counts.map { "sum(\($0)) AS \($0)" }.joined(separator: ", ")
        let nonZero = rollup.counts.map { "sum(\($0)) <> 0" }.joined(separator: " OR ")
        let compared = rollup.counts.map { "daily.\($0) IS DISTINCT FROM rolled.\($0)" }.joined(separator: " OR ")
        let rolledNonZero = rollup.counts.map { "\($0) <> 0" }.joined(separator: " OR ")
        mismatches += try await scalar(
            client,
            PostgresQuery(
                unsafeSQL: """
                    WITH daily AS (
                        SELECT date_trunc('\(rollup.time)', day)::date AS period, agency_id, \(key), \(sums)
                        FROM \(rollup.source) GROUP BY 1, 2, \(rollup.key) HAVING \(nonZero)
                    ), rolled AS (
                        SELECT \(rollup.time) AS period, agency_id, \(rollup.key), \(rollup.counts.joined(separator: ", "))
                        FROM \(rollup.table) WHERE \(rolledNonZero)
                    )
                    SELECT count(*) FROM daily FULL JOIN rolled USING (period, agency_id, \(rollup.key))
                    WHERE \(compared)
                    """))
    }
    return mismatches
}

/// Hours of the hourly cubes (fresh and compacted) that differ from the counted responses by local day, agency,
/// questionnaire and hour, in `zone`: what the heatmap reads against what it used to read.
public func hourlyMismatches(_ client: PostgresClient, zone: String = "Asia/Ho_Chi_Minh") async throws -> Int {
    try await scalar(
        client,
        """
        WITH raw AS (
            SELECT (r.submitted_at AT TIME ZONE \(zone))::date AS day, r.agency_id, r.questionnaire_id,
                extract(hour FROM r.submitted_at AT TIME ZONE \(zone))::int AS hour, count(*) AS n,
                count(*) FILTER (WHERE CASE WHEN r.answers ? q.respondent_question
                    THEN NOT (q.definition -> 'scale' -> 'satisfied') @> jsonb_build_array(r.answers -> q.respondent_question)
                    ELSE response_not_satisfied(r.answers, q.definition -> 'scale') END) AS not_satisfied
            FROM responses r JOIN questionnaires q ON q.id = r.questionnaire_id
            WHERE NOT EXISTS (SELECT 1 FROM pending_aggregation p WHERE p.seq = r.seq)
            GROUP BY 1, 2, 3, 4
        ), cube AS (
            SELECT day, agency_id, questionnaire_id, hour::int AS hour, sum(n) AS n, sum(not_satisfied) AS not_satisfied
            FROM (SELECT * FROM hourly_counts UNION ALL SELECT * FROM fresh_hourly) AS h GROUP BY 1, 2, 3, 4
        )
        SELECT count(*) FROM raw FULL JOIN cube USING (day, agency_id, questionnaire_id, hour)
        WHERE raw.n IS DISTINCT FROM cube.n OR raw.not_satisfied IS DISTINCT FROM cube.not_satisfied
        """)
}
