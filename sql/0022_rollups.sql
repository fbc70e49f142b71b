-- Cubes shaped for each view, so that a first view costs what it shows, not how many ratings exist (issue 16).
--
-- The daily cube (response_counts) has every officer and counter of every day: at 10M ratings a year it holds ~12M
-- cells, and a province's year by officer or its heatmap (read from the raw responses) took seconds to minutes on a
-- first view. Compaction now keeps, beside the monthly cube (sql/0014), rollups of the daily cells:
--   yearly_counts           the monthly cube's cells by year (a province's year: 1 row per cell, not 12)
--   officer_monthly_counts  the daily cube's cells with the officer and counter, by month
--   officer_yearly_counts   the same by year (the evaluation of a province's officers: ~40 cells per officer)
-- and a cube of its own for the agency page's hour × weekday heatmap, which the count cube cannot answer:
--   fresh_hourly            a step's ratings by (local day, agency, questionnaire, hour): n and not satisfied
--   hourly_counts           the same, compacted
--   hourly_monthly_counts   by (month, agency, questionnaire, weekday, hour)
--   hourly_yearly_counts    by (year, agency, questionnaire, weekday, hour)
-- Every rollup is kept by the same exactly-once compaction that moves fresh cells into the daily cube, in its
-- transaction; after a rebuild (and after this migration) the rollups are empty and `rollups_ready` is false, and the
-- first compaction fills them all from the daily cubes before it moves anything (readers use the daily cubes until then).
ALTER TABLE aggregator_state RENAME COLUMN monthly_ready TO rollups_ready;
UPDATE aggregator_state SET rollups_ready = false;

CREATE TABLE yearly_counts (
    year             date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    channel          text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (agency_id, year, questionnaire_id, question, level, flag_mask, channel)
);

CREATE TABLE officer_monthly_counts (
    month            date NOT NULL,
    agency_id        bigint NOT NULL,
    officer_id       bigint NOT NULL,
    counter_id       bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    channel          text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (agency_id, month, officer_id, counter_id, questionnaire_id, question, level, flag_mask, channel)
);

CREATE TABLE officer_yearly_counts (
    year             date NOT NULL,
    agency_id        bigint NOT NULL,
    officer_id       bigint NOT NULL,
    counter_id       bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    channel          text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (agency_id, year, officer_id, counter_id, questionnaire_id, question, level, flag_mask, channel)
);

CREATE TABLE fresh_hourly (
    day              date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    hour             smallint NOT NULL,
    n                bigint NOT NULL,
    not_satisfied    bigint NOT NULL
);

CREATE TABLE hourly_counts (
    day              date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    hour             smallint NOT NULL,
    n                bigint NOT NULL,
    not_satisfied    bigint NOT NULL,
    PRIMARY KEY (agency_id, day, questionnaire_id, hour)
);

CREATE TABLE hourly_monthly_counts (
    month            date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    weekday          smallint NOT NULL,
    hour             smallint NOT NULL,
    n                bigint NOT NULL,
    not_satisfied    bigint NOT NULL,
    PRIMARY KEY (agency_id, month, questionnaire_id, weekday, hour)
);

CREATE TABLE hourly_yearly_counts (
    year             date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    weekday          smallint NOT NULL,
    hour             smallint NOT NULL,
    n                bigint NOT NULL,
    not_satisfied    bigint NOT NULL,
    PRIMARY KEY (agency_id, year, questionnaire_id, weekday, hour)
);

-- The hourly ratings already counted, so that the heatmap does not start empty after this migration (the count cubes
-- are rebuilt from the rollups' fill; these come from the responses once, as `hailong aggregate --rebuild` would).
INSERT INTO hourly_counts (day, agency_id, questionnaire_id, hour, n, not_satisfied)
SELECT (r.submitted_at AT TIME ZONE s.time_zone)::date, r.agency_id, r.questionnaire_id,
    extract(hour FROM r.submitted_at AT TIME ZONE s.time_zone)::smallint, count(*),
    -- Not satisfied as the heatmap counts it: by the required question when the rating answers it (kiosk-3's
    -- "overall"), else by any answer below the satisfied levels (sql/0011).
    count(*) FILTER (WHERE CASE WHEN r.answers ? q.respondent_question
        THEN NOT (q.definition -> 'scale' -> 'satisfied') @> jsonb_build_array(r.answers -> q.respondent_question)
        ELSE response_not_satisfied(r.answers, q.definition -> 'scale') END)
FROM responses r JOIN questionnaires q ON q.id = r.questionnaire_id CROSS JOIN aggregator_state s
WHERE s.id = 1 AND NOT EXISTS (SELECT 1 FROM pending_aggregation p WHERE p.seq = r.seq)
GROUP BY 1, 2, 3, 4;

SELECT hailong_agency_policy(name, 'agency_id') FROM unnest(ARRAY['yearly_counts', 'officer_monthly_counts',
    'officer_yearly_counts', 'fresh_hourly', 'hourly_counts', 'hourly_monthly_counts', 'hourly_yearly_counts']) AS t (name);
