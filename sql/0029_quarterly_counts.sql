-- hailong: expand-only
-- The monthly cube's cells by quarter (issue 16: a quarter's figures of a province's 1,000 agencies read three months
-- of `monthly_counts`, 330,000 cells at 10M responses, in 1 s; a quarter of this table holds about as many cells as
-- one month). Figures by none or by channel read whole quarters here (`Period.segments`, `PostgresIndexStore.rollup`).
--
-- Kept by the database from `monthly_counts`, as sql/0027 keeps the officers' totals: statement triggers over the
-- changed rows add, subtract, delete and empty in the same statement as the change, so this table is always that one
-- summed by quarter — for a binary that does not know it too, which is why this migration is expand-only.
CREATE TABLE quarterly_counts (
    quarter          date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    channel          text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (agency_id, quarter, questionnaire_id, question, level, flag_mask, channel)
);

-- Rows added (an INSERT, and the inserted rows of INSERT … ON CONFLICT DO UPDATE).
CREATE FUNCTION quarterly_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO quarterly_counts AS t (quarter, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
    SELECT date_trunc('quarter', month)::date, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n)
    FROM added
    GROUP BY 1, agency_id, questionnaire_id, question, level, flag_mask, channel
    ON CONFLICT (agency_id, quarter, questionnaire_id, question, level, flag_mask, channel) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- Rows changed (an UPDATE, and the updated rows of INSERT … ON CONFLICT DO UPDATE): what they count now, less what
-- they counted before.
CREATE FUNCTION quarterly_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO quarterly_counts AS t (quarter, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
    SELECT date_trunc('quarter', month)::date, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n)
    FROM (SELECT month, agency_id, questionnaire_id, question, level, flag_mask, channel, n FROM after
          UNION ALL
          SELECT month, agency_id, questionnaire_id, question, level, flag_mask, channel, -n FROM before) AS d
    GROUP BY 1, agency_id, questionnaire_id, question, level, flag_mask, channel
    HAVING sum(n) <> 0
    ON CONFLICT (agency_id, quarter, questionnaire_id, question, level, flag_mask, channel) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- Rows deleted: subtracted, and a cell that falls to zero goes (two statements, as in sql/0027).
CREATE FUNCTION quarterly_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE quarterly_counts t SET n = t.n - g.n
    FROM (SELECT date_trunc('quarter', month)::date AS quarter, agency_id, questionnaire_id, question, level, flag_mask,
              channel, sum(n) AS n
          FROM removed GROUP BY 1, agency_id, questionnaire_id, question, level, flag_mask, channel) AS g
    WHERE (t.agency_id, t.quarter, t.questionnaire_id, t.question, t.level, t.flag_mask, t.channel)
        = (g.agency_id, g.quarter, g.questionnaire_id, g.question, g.level, g.flag_mask, g.channel);
    DELETE FROM quarterly_counts t
    WHERE t.n = 0 AND (t.agency_id, t.quarter, t.questionnaire_id, t.question, t.level, t.flag_mask, t.channel) IN (
        SELECT agency_id, date_trunc('quarter', month)::date, questionnaire_id, question, level, flag_mask, channel
        FROM removed);
    RETURN NULL;
END $$;

CREATE FUNCTION quarterly_counts_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE quarterly_counts;
    RETURN NULL;
END $$;

-- The triggers first: they lock `monthly_counts` against writes until this migration commits, so the fill below sees
-- every committed change and none can fall between it and the triggers.
CREATE TRIGGER quarterly_counts_added AFTER INSERT ON monthly_counts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION quarterly_counts_added();
CREATE TRIGGER quarterly_counts_changed AFTER UPDATE ON monthly_counts
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION quarterly_counts_changed();
CREATE TRIGGER quarterly_counts_removed AFTER DELETE ON monthly_counts
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION quarterly_counts_removed();
CREATE TRIGGER quarterly_counts_emptied AFTER TRUNCATE ON monthly_counts
    FOR EACH STATEMENT EXECUTE FUNCTION quarterly_counts_emptied();

INSERT INTO quarterly_counts (quarter, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
SELECT date_trunc('quarter', month)::date, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n)
FROM monthly_counts
GROUP BY 1, agency_id, questionnaire_id, question, level, flag_mask, channel;

SELECT hailong_agency_policy('quarterly_counts', 'agency_id');
