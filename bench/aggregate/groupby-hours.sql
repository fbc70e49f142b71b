-- (b_h) The reference for the heatmap's hourly cube (sql/0022): ONE hand-written GROUP BY over all responses of their
-- ratings by local day in :'zone', agency, questionnaire and local hour, and how many of them were not satisfied as
-- the heatmap counts it: by the questionnaire's required question when the rating answers it (kiosk-3's "overall"),
-- otherwise by any numeric answer outside the satisfied levels (sql/0011's response_not_satisfied). Written into a
-- temporary table, as groupby.sql writes the cells. The questionnaires' scales are taken out of their definitions
-- once (a subquery behind OFFSET 0): joined directly, every response decompressed its questionnaire's definition.
-- The rebuild writes both cubes: a ÷ (b + b_h) compares it with hand-written statements that produce the same data.
\set ON_ERROR_STOP on
CREATE TEMP TABLE groupby_hours AS
SELECT (r.submitted_at AT TIME ZONE :'zone')::date AS day, r.agency_id, r.questionnaire_id,
       extract(hour FROM r.submitted_at AT TIME ZONE :'zone')::smallint AS hour, count(*) AS n,
       count(*) FILTER (WHERE CASE WHEN r.answers ? q.respondent_question
           THEN NOT q.satisfied @> jsonb_build_array(r.answers -> q.respondent_question)
           ELSE response_not_satisfied(r.answers, q.scale) END) AS not_satisfied
FROM responses r
JOIN (
    SELECT id, respondent_question, definition -> 'scale' AS scale, definition -> 'scale' -> 'satisfied' AS satisfied
    FROM questionnaires
    OFFSET 0
) AS q ON q.id = r.questionnaire_id
GROUP BY 1, 2, 3, 4;
