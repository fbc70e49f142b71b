-- hailong: expand-only
-- The rollups that the database keeps from other rollups write a statement's new cells in the order they are read: by
-- time, then questionnaire, then agency (issue 16). When the aggregator fills `monthly_counts` or
-- `officer_yearly_counts` after a rebuild (in that order since this release, `Rollup.fill`), these triggers receive
-- every cell in one statement, and their aggregation's hash order scattered a quarter's or a year's cells over the whole
-- table: a province's first view that found them on disk read a page for every few rows. Only the functions change;
-- the triggers call them by name.
CREATE OR REPLACE FUNCTION quarterly_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO quarterly_counts AS t (quarter, agency_id, questionnaire_id, question, level, flag_mask, channel, n)
    SELECT date_trunc('quarter', month)::date, agency_id, questionnaire_id, question, level, flag_mask, channel, sum(n)
    FROM added
    GROUP BY 1, agency_id, questionnaire_id, question, level, flag_mask, channel
    ORDER BY 1, questionnaire_id, agency_id
    ON CONFLICT (agency_id, quarter, questionnaire_id, question, level, flag_mask, channel) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- A province's officers are read as one questionnaire's year (the table's key starts with them).
CREATE OR REPLACE FUNCTION officer_yearly_totals_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO officer_yearly_totals AS t (year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, n)
    SELECT year, agency_id, officer_id, questionnaire_id, question, level, flag_mask, sum(n) FROM added
    GROUP BY year, agency_id, officer_id, questionnaire_id, question, level, flag_mask
    ORDER BY questionnaire_id, year, agency_id
    ON CONFLICT (questionnaire_id, year, agency_id, officer_id, question, level, flag_mask) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END $$;
