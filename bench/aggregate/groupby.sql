-- (b) The reference: ONE hand-written GROUP BY over all responses producing the same cells as the aggregator
-- (Sources/HaiLongAggregator/Aggregator.swift): per local day in :'zone', agency, questionnaire, question, level,
-- flag mask (less the flags a review cleared), officer, counter and channel — one cell per numeric answer
-- (jsonb_each), one 'reason.<code>' cell per reason given and one '_response' cell per response unless it
-- answered its questionnaire's required question (questionnaires.respondent_question: that cell counts it). Written into a
-- temporary table, as a report would. Planner settings are the server's (jit and parallel query as configured).
-- The per-response values are computed once per response in a subquery (OFFSET 0 keeps the planner from pulling
-- them up into the per-cell level): written as one flat SELECT (groupby-naive.sql), PostgreSQL 15 evaluates
-- flag_mask() once per cell and sorts ~24M cells, which took 234 s at 10M where this takes about half of that.
\set ON_ERROR_STOP on
CREATE TEMP TABLE groupby_cells AS
SELECT r.day, r.agency_id, r.questionnaire_id, c.question, c.level, r.flag_mask, r.officer_id, r.counter_id, r.channel,
       count(*) AS n
FROM (
    SELECT (r.submitted_at AT TIME ZONE :'zone')::date AS day, r.agency_id, r.questionnaire_id,
           flag_mask(r.flags) & ~coalesce(o.cleared_mask, 0) AS flag_mask, coalesce(r.officer_id, 0) AS officer_id,
           coalesce(r.counter_id, 0) AS counter_id, r.channel, r.answers, q.respondent_question
    FROM responses r JOIN questionnaires q ON q.id = r.questionnaire_id
    LEFT JOIN response_flag_overrides o ON o.response_id = r.id
    OFFSET 0
) AS r
CROSS JOIN LATERAL (
    SELECT a.key, (a.value #>> '{}')::smallint FROM jsonb_each(r.answers) AS a WHERE jsonb_typeof(a.value) = 'number'
    UNION ALL
    SELECT '_response', 0::smallint
    WHERE r.respondent_question IS NULL OR jsonb_typeof(r.answers -> r.respondent_question) IS DISTINCT FROM 'number'
    UNION ALL
    SELECT 'reason.' || x.code, 0::smallint
    FROM jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(r.answers -> 'reasons') = 'array' THEN r.answers -> 'reasons' ELSE '[]' END) AS x(code)
) AS c(question, level)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
