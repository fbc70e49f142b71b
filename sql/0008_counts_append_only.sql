-- The count cube becomes append-only between compactions, so that applying new responses is a plain INSERT.
--
-- Before: one row per cell, kept by INSERT … ON CONFLICT DO UPDATE on a nine-column primary key; 10,000 new
-- responses (about 20,000 cells) took about 500 ms of upserts at 1M responses. Now a step inserts the batch's cells
-- as they are (a fragment beside the cell's earlier rows; readers already sum n by cell), marks the agencies' local
-- days it touched, and the aggregator later compacts a marked day into one row per cell (same sums). Corrections after a
-- flag review are fragments too: −1 under the old mask, +1 under the new one.
ALTER TABLE response_counts DROP CONSTRAINT response_counts_pkey;
CREATE INDEX response_counts_agency_day_idx ON response_counts (agency_id, day);

-- The (agency, local day) pairs with rows added since their last compaction (the cube's index leads with them).
CREATE TABLE fragmented_counts (
    agency_id bigint NOT NULL,
    day       date NOT NULL,
    PRIMARY KEY (agency_id, day)
);

-- The bit of each flag, as one expression the planner inlines (the unnest form was the costliest part of reading a
-- batch: a function call and a sort per response). Same result: each known flag counted once, unknown ones ignored.
CREATE OR REPLACE FUNCTION flag_mask(flags text[]) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN 'rapid_repeat' = ANY (flags) THEN 1 ELSE 0 END)
         + (CASE WHEN 'duplicate_dossier' = ANY (flags) THEN 2 ELSE 0 END)
         + (CASE WHEN 'test' = ANY (flags) THEN 4 ELSE 0 END)
         + (CASE WHEN 'outside_hours' = ANY (flags) THEN 8 ELSE 0 END)
         + (CASE WHEN 'late' = ANY (flags) THEN 16 ELSE 0 END)
         + (CASE WHEN 'no_dossier' = ANY (flags) THEN 32 ELSE 0 END)
         + (CASE WHEN 'unknown_officer' = ANY (flags) THEN 64 ELSE 0 END)
         + (CASE WHEN 'streak' = ANY (flags) THEN 128 ELSE 0 END)
$$;

-- A respondent is counted by a '_response' cell, or, for a questionnaire with a required question (kiosk-3's
-- 'overall'), by that question's cell: every stored response of it answers the question, so a separate '_response'
-- cell would repeat the same count under the same keys, and was half of the kiosk cube's rows. A response that somehow
-- lacks the answer still gets a '_response' cell (the aggregator checks), so nobody is missed either way.
CREATE FUNCTION first_required_question(definition jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT q ->> 'code'
    FROM jsonb_array_elements(coalesce(definition -> 'sections', '[]')) WITH ORDINALITY AS s (section, i),
         jsonb_array_elements(coalesce(s.section -> 'questions', '[]')) WITH ORDINALITY AS x (q, j)
    WHERE (q ->> 'required')::boolean
    ORDER BY s.i, x.j
    LIMIT 1
$$;
ALTER TABLE questionnaires ADD COLUMN respondent_question text GENERATED ALWAYS AS (first_required_question(definition)) STORED;

-- The existing cube's '_response' cells of such questionnaires repeat their question's cells: drop them (the
-- validator has always required the question; `hailong aggregate --rebuild` recounts from scratch if in doubt).
DELETE FROM response_counts c USING questionnaires q
WHERE q.id = c.questionnaire_id AND c.question = '_response' AND q.respondent_question IS NOT NULL;
