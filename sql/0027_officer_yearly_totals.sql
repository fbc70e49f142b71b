-- hailong: expand-only
-- An officer's year by questionnaire, without the counter and the channel (issue 14: the evaluation of a province's
-- 10,000 officers over 10M responses answers in 1 s cold). The evaluation and every read of officers by year sum
-- `officer_yearly_counts` over its counters and channels and read one questionnaire of it; at 10M responses that table
-- holds 1.32M rows, three in four of them another questionnaire's (the web survey's criteria), so a province's
-- evaluation read every row to keep a quarter. This table has the questionnaire first in its key, so that read is one
-- range of it.
--
-- It is kept by the database, from `officer_yearly_counts`, by statement triggers over the changed rows (transition
-- tables): whatever adds to, subtracts from, deletes or empties that table — a compaction, the first compaction's fill,
-- a rebuild's TRUNCATE — changes this one in the same statement, so it is exactly that table summed by its key. That
-- holds for a binary that does not know this table too, which is why this migration is expand-only: an older release
-- running beside it keeps it right without reading it.
CREATE TABLE officer_yearly_totals (
    year             date NOT NULL,
    agency_id        bigint NOT NULL,
    officer_id       bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (questionnaire_id, year, agency_id, officer_id, question, level, flag_mask)
);

-- Rows added (an INSERT, and the inserted rows of INSERT … ON CONFLICT DO UPDATE).
CREATE FUNCTION officer_yearly_totals_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO officer_yearly_totals AS t (year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, n)
    SELECT year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, sum(n) FROM added
    GROUP BY year, agency_id, officer_id, questionnaire_id, question, level, flag_mask
    ON CONFLICT (questionnaire_id, year, agency_id, officer_id, question, level, flag_mask) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- Rows changed (an UPDATE, and the updated rows of INSERT … ON CONFLICT DO UPDATE): what they count now, less what
-- they counted before.
CREATE FUNCTION officer_yearly_totals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO officer_yearly_totals AS t (year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, n)
    SELECT year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, sum(n)
    FROM (SELECT year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, n FROM after
          UNION ALL
          SELECT year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, -n FROM before) AS d
    GROUP BY year, agency_id, officer_id, questionnaire_id, question, level, flag_mask
    HAVING sum(n) <> 0
    ON CONFLICT (questionnaire_id, year, agency_id, officer_id, question, level, flag_mask) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- Rows deleted (the fill empties a rollup before summing it again): subtracted, and a total that falls to zero goes.
-- Two statements: a DELETE in the UPDATE's own statement would not see the rows that UPDATE had just set to zero.
CREATE FUNCTION officer_yearly_totals_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE officer_yearly_totals t SET n = t.n - g.n
    FROM (SELECT year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, sum(n) AS n FROM removed
          GROUP BY year, agency_id, officer_id, questionnaire_id, question, level, flag_mask) AS g
    WHERE (t.questionnaire_id, t.year, t.agency_id, t.officer_id, t.question, t.level, t.flag_mask)
        = (g.questionnaire_id, g.year, g.agency_id, g.officer_id, g.question, g.level, g.flag_mask);
    DELETE FROM officer_yearly_totals t
    WHERE t.n = 0 AND (t.questionnaire_id, t.year, t.agency_id, t.officer_id, t.question, t.level, t.flag_mask) IN (
        SELECT questionnaire_id, year, agency_id, officer_id, question, level, flag_mask FROM removed);
    RETURN NULL;
END $$;

CREATE FUNCTION officer_yearly_totals_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE officer_yearly_totals;
    RETURN NULL;
END $$;

-- The triggers first: they lock `officer_yearly_counts` against writes until this migration commits, so the fill below
-- sees every committed change and none can fall between it and the triggers.
CREATE TRIGGER officer_yearly_totals_added AFTER INSERT ON officer_yearly_counts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION officer_yearly_totals_added();
CREATE TRIGGER officer_yearly_totals_changed AFTER UPDATE ON officer_yearly_counts
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION officer_yearly_totals_changed();
CREATE TRIGGER officer_yearly_totals_removed AFTER DELETE ON officer_yearly_counts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION officer_yearly_totals_removed();
CREATE TRIGGER officer_yearly_totals_emptied AFTER TRUNCATE ON officer_yearly_counts
    FOR EACH STATEMENT EXECUTE FUNCTION officer_yearly_totals_emptied();

INSERT INTO officer_yearly_totals (year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, n)
SELECT year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, sum(n) FROM officer_yearly_counts
GROUP BY year, agency_id, officer_id, questionnaire_id, question, level, flag_mask;

SELECT hailong_agency_policy('officer_yearly_totals', 'agency_id');
