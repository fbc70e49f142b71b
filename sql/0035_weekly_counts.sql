-- hailong: expand-only
-- The daily cube's cells by ISO week (Monday to Sunday) and agency, without the officer and counter (issue 16).
-- A range of days such as 15 March – 20 May reads its whole months from the monthly cube and every other day from the
-- daily cube: 37 days, about 1.2M cells of a province's 1,000 agencies at 10M responses a year, and the period before
-- it as many again; a week here holds a third as many cells as its seven days there. Figures by none or by channel read
-- the whole weeks of a range's edges here (`Period.segments`, `PostgresIndexStore.rollup`).
--
-- Kept by the database, so that a binary that does not know this table keeps it too (which is why this migration is
-- expand-only): the daily cube changes only by compaction, which moves fresh cells into it by deleting them from
-- `fresh_counts` (the cells deleted there are the cells added to the daily cube), by a rebuild (TRUNCATE, then the
-- whole count) and by nothing else. So a statement trigger adds the deleted fresh cells here by week, and a TRUNCATE of
-- the daily cube empties this table and marks it not ready; the aggregator then sums it from the daily cube in its next
-- compaction, before it moves anything (`Aggregator.fillRollupsIfEmptied`). Until `weekly_ready` is true readers take
-- those weeks from the daily cube, and the trigger adds nothing.
CREATE TABLE weekly_counts (
    week             date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    channel          text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (agency_id, week, questionnaire_id, question, level, flag_mask, channel)
);

ALTER TABLE aggregator_state ADD COLUMN weekly_ready boolean NOT NULL DEFAULT false;

-- Fresh cells moved into the daily cube (a compaction's DELETE … RETURNING): added to their weeks. Cells that come to
-- zero stay, as in the other rollups (readers skip cells of none).
CREATE FUNCTION weekly_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce((SELECT weekly_ready FROM aggregator_state WHERE id = 1), false) THEN
        INSERT INTO weekly_counts AS t (week, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
        SELECT date_trunc('week', day)::date, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n)
        FROM moved
        GROUP BY 1, agency_id, questionnaire_id, question, level, flag_mask, channel
        ON CONFLICT (agency_id, week, questionnaire_id, question, level, flag_mask, channel) DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

-- The daily cube emptied (a rebuild): so is this table, until the aggregator sums it again.
CREATE FUNCTION weekly_counts_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE weekly_counts;
    UPDATE aggregator_state SET weekly_ready = false WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER weekly_counts_moved AFTER DELETE ON fresh_counts
    REFERENCING OLD TABLE AS moved FOR EACH STATEMENT EXECUTE FUNCTION weekly_counts_moved();
CREATE TRIGGER weekly_counts_emptied AFTER TRUNCATE ON response_counts
    FOR EACH STATEMENT EXECUTE FUNCTION weekly_counts_emptied();
-- A figures read keeps what it read per cube generation (sql/0030): this cube moves it on too.
CREATE TRIGGER weekly_counts_generation AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON weekly_counts
    FOR EACH STATEMENT EXECUTE FUNCTION next_cube_generation();

SELECT hailong_agency_policy('weekly_counts', 'agency_id');
