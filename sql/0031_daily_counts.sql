-- hailong: expand-only
-- The daily cube without the officer and the counter (issue 16: the figures of a range of days, e.g. 15 March to 20 May,
-- for a province's 1,000 agencies read every day outside whole months from `response_counts`, which keeps each officer
-- and counter: 1.2M cells for 37 days at 10M responses, 2–3 s). Figures by none, channel, day or month read their days
-- here (`PostgresIndexStore.rollup`); by officer or counter they still read the daily cube.
--
-- Kept by the database from `response_counts`, as sql/0027 and sql/0029 keep theirs: statement triggers over the
-- changed rows add, subtract, delete and empty in the same statement as the change (a compaction, a rebuild's recount, a
-- review's correction), so this table is always the daily cube summed without its officer and counter, with no
-- first fill to wait for, and an older binary that does not know it keeps it right too (expand-only). The daily cube's
-- own statement triggers move `cube_generation` on (sql/0030) in the same statements.
CREATE TABLE daily_counts (
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

-- Rows added (an INSERT, and the inserted rows of INSERT … ON CONFLICT DO UPDATE).
CREATE FUNCTION daily_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_counts AS t (day, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
    SELECT day, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n) FROM added
    GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, channel
    ON CONFLICT (agency_id, day, questionnaire_id, question, level, flag_mask, channel) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- Rows changed (an UPDATE, and the updated rows of INSERT … ON CONFLICT DO UPDATE): what they count now, less what
-- they counted before.
CREATE FUNCTION daily_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_counts AS t (day, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
    SELECT day, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n)
    FROM (SELECT day, agency_id, questionnaire_id, question, level, flag_mask, channel, n FROM after
          UNION ALL
          SELECT day, agency_id, questionnaire_id, question, level, flag_mask, channel, -n FROM before) AS d
    GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, channel
    HAVING sum(n) <> 0
    ON CONFLICT (agency_id, day, questionnaire_id, question, level, flag_mask, channel) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- Rows deleted: subtracted, and a cell that falls to zero goes (two statements, as in sql/0027).
CREATE FUNCTION daily_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE daily_counts t SET n = t.n - g.n
    FROM (SELECT day, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n) AS n
          FROM removed GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, channel) AS g
    WHERE (t.agency_id, t.day, t.questionnaire_id, t.question, t.level, t.flag_mask, t.channel)
        = (g.agency_id, g.day, g.questionnaire_id, g.question, g.level, g.flag_mask, g.channel);
    DELETE FROM daily_counts t
    WHERE t.n = 0 AND (t.agency_id, t.day, t.questionnaire_id, t.question, t.level, t.flag_mask, t.channel) IN (
        SELECT agency_id, day, questionnaire_id, question, level, flag_mask, channel FROM removed);
    RETURN NULL;
END $$;

CREATE FUNCTION daily_counts_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE daily_counts;
    RETURN NULL;
END $$;

-- The triggers first: they lock `response_counts` against writes until this migration commits, so the fill below sees
-- every committed change and none can fall between it and the triggers.
CREATE TRIGGER daily_counts_added AFTER INSERT ON response_counts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION daily_counts_added();
CREATE TRIGGER daily_counts_changed AFTER UPDATE ON response_counts
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION daily_counts_changed();
CREATE TRIGGER daily_counts_removed AFTER DELETE ON response_counts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION daily_counts_removed();
CREATE TRIGGER daily_counts_emptied AFTER TRUNCATE ON response_counts
    FOR EACH STATEMENT EXECUTE FUNCTION daily_counts_emptied();

INSERT INTO daily_counts (day, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
SELECT day, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n)
FROM response_counts
GROUP BY day, agency_id, questionnaire_id, question, level, flag_mask, channel;

SELECT hailong_agency_policy('daily_counts', 'agency_id');
