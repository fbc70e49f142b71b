-- New cells wait in a small table of their own, and whole months are pre-summed (issue 4: 10k incremental, cold reads).
--
-- Before: a step appended its cells to the count cube itself and marked their (agency, day) pairs in
-- fragmented_counts. At 10M responses the cube's index has ~12M entries, and inserting ~13,500 cells into it cost
-- ~110 ms of a step, marking the pairs up to ~100 ms more. Now:
--   fresh_counts    a step's cells, appended (no index: it holds what arrived since the last compaction, which
--                   empties it about once a minute); its rows are also the marks of what to compact;
--   response_counts the compacted cube by local day, as before;
--   monthly_counts  the cube by month without the officer and counter (a province's year read: 12 months, not 365
--                   days × every officer), kept by compaction and filled again after a rebuild (monthly_ready).
-- Readers sum all three for a period (IndexStore: whole months from monthly_counts when it is ready, the other days from
-- response_counts, and fresh_counts for every day); compaction moves a pair's fresh cells into response_counts and
-- monthly_counts in one transaction, so every statement sees each cell exactly once.
CREATE TABLE fresh_counts (LIKE response_counts INCLUDING DEFAULTS);

CREATE TABLE monthly_counts (
    month            date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    channel          text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (agency_id, month, questionnaire_id, question, level, flag_mask, channel)
);
ALTER TABLE aggregator_state ADD COLUMN monthly_ready boolean NOT NULL DEFAULT false;

-- Both cubes, for tests and for looking at by hand (as the querying role: row-level security applies).
CREATE VIEW counted_cells WITH (security_invoker = true) AS
    SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n FROM response_counts
    UNION ALL
    SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n FROM fresh_counts;

-- The fragments marked so far are merged now; the marks go.
WITH picked AS (
    DELETE FROM fragmented_counts RETURNING agency_id, day
), old AS (
    DELETE FROM response_counts c USING picked p WHERE c.agency_id = p.agency_id AND c.day = p.day
    RETURNING c.day, c.agency_id, c.questionnaire_id, c.question, c.level, c.flag_mask, c.officer_id, c.counter_id, c.channel, c.n
)
INSERT INTO response_counts (day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, n)
SELECT day, agency_id, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel, sum(n)
FROM old GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 HAVING sum(n) <> 0;
DROP TABLE fragmented_counts;

-- The new tables are agency-owned: the same policy as the others (sql/0013).
SELECT hailong_agency_policy('fresh_counts', 'agency_id'), hailong_agency_policy('monthly_counts', 'agency_id');
