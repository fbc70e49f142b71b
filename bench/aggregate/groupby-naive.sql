-- (b') The first reference, kept for comparison with earlier runs (docs/BENCHMARKS.md): the same cells as groupby.sql,
-- written as one flat SELECT. PostgreSQL 15 then evaluates flag_mask() once per cell rather than once per response
-- and sorts every cell (GroupAggregate over an incremental sort). Same cells as the aggregator
-- (Sources/HaiLongAggregator/Aggregator.swift): per local day in :'zone', agency, questionnaire, question,
-- level, flag mask (less the flags a review cleared), officer, counter and channel — one cell per numeric answer
-- (jsonb_each), one 'reason.<code>' cell per reason given and one '_response' cell per response unless it
-- answered its questionnaire's required question (questionnaires.respondent_question: that cell counts it). Written into a
-- temporary table, as a report would.
-- Planner settings are the server's (jit and parallel query as configured).
\set ON_ERROR_STOP on
CREATE TEMP TABLE groupby_naive_cells AS
SELECT (r.submitted_at AT TIME ZONE :'zone')::date AS day, r.agency_id, r.questionnaire_id, c.question, c.level,
       flag_mask(r.flags) & ~coalesce(o.cleared_mask, 0) AS flag_mask, coalesce(r.officer_id, 0) AS officer_id,
       coalesce(r.counter_id, 0) AS counter_id, r.channel, count(*) AS n
FROM (SELECT r.*, q.respondent_question FROM responses r JOIN questionnaires q ON q.id = r.questionnaire_id) AS r
LEFT JOIN response_flag_overrides o ON o.response_id = r.id
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
