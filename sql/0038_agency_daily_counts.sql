-- hailong: expand-only
-- The daily cube's cells by agency, without the officer and the counter (issue 16). A range of days such as 15 March
-- – 20 May reads its whole months and weeks from the rollups and its edge days (nine there, and about as many in the
-- period before it) from the daily cube, whose cells of the kiosk's questionnaire are nearly one per rating, officer by
-- officer: at 10M responses a year three days of the province's 1,000 agencies were 59,618 cells there, 23,807 here.
-- Figures by none, by channel, by day and by month read their days here (`PostgresIndexStore.rollup`); figures by
-- officer or counter still read the daily cube.
--
-- Kept by the database like the weekly cube (sql/0035), and for the same reasons: compaction moves fresh cells into the
-- daily cube by deleting them from `fresh_counts`, a statement trigger adds the deleted cells here, and a TRUNCATE of
-- the daily cube (a rebuild) empties this table and marks it not ready until the aggregator sums it from the daily cube
-- in its next compaction (`Aggregator.fillRollupsIfEmptied`). Until `agency_days_ready` is true readers take those days
-- from the daily cube, and the trigger adds nothing.
CREATE TABLE agency_daily_counts (
    day              date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    channel          text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (agency_id, day, questionnaire_id, question, level, flag_mask, channel)
);
-- A province's days: one range by time, as for the other cubes (sql/0037).
CREATE INDEX agency_daily_counts_time_idx ON agency_daily_counts (day, questionnaire_id);

ALTER TABLE aggregator_state ADD COLUMN agency_days_ready boolean NOT NULL DEFAULT false;

-- Fresh cells moved into the daily cube (a compaction's DELETE … RETURNING): added to their agency's day. Cells that
-- come to zero stay, as in the other rollups (readers skip cells of none).
CREATE FUNCTION agency_daily_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce((SELECT agency_days_ready FROM aggregator_state WHERE id = 1), false) THEN
        INSERT INTO agency_daily_counts AS t (day, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
        SELECT day, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n)
        FROM moved
        GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, channel
        ON CONFLICT (agency_id, day, questionnaire_id, question, level, flag_mask, channel) DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

-- The daily cube emptied (a rebuild): so is this table, until the aggregator sums it again.
CREATE FUNCTION agency_daily_counts_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE agency_daily_counts;
    UPDATE aggregator_state SET agency_days_ready = false WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER agency_daily_counts_moved AFTER DELETE ON fresh_counts
    REFERENCING OLD TABLE AS moved FOR EACH STATEMENT EXECUTE FUNCTION agency_daily_counts_moved();
CREATE TRIGGER agency_daily_counts_emptied AFTER TRUNCATE ON response_counts
    FOR EACH STATEMENT EXECUTE FUNCTION agency_daily_counts_emptied();
-- A figures read keeps what it read per cube generation (sql/0030): this cube moves it on too.
CREATE TRIGGER agency_daily_counts_generation AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON agency_daily_counts
    FOR EACH STATEMENT EXECUTE FUNCTION next_cube_generation();

SELECT hailong_agency_policy('agency_daily_counts', 'agency_id');
