-- The administrators' agency page (issue 5): the complaints inbox and the flag review page.

-- A not-satisfied rating with a comment is a complaint to follow up. Its status changes are kept, never
-- overwritten: the current status is the newest row (none: 'new').
CREATE TABLE complaint_updates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id uuid NOT NULL REFERENCES responses (id),
    status      text NOT NULL CHECK (status IN ('new', 'following_up', 'resolved')),
    note        text CHECK (length(note) <= 1000),
    updated_by  text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX complaint_updates_response_idx ON complaint_updates (response_id, id DESC);
CREATE TRIGGER complaint_updates_append_only BEFORE UPDATE OR DELETE ON complaint_updates
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- A reviewer may also confirm a flag (it was right): recorded and audited, the counts do not change.
ALTER TABLE flag_reviews DROP CONSTRAINT flag_reviews_action_check;
ALTER TABLE flag_reviews ADD CONSTRAINT flag_reviews_action_check CHECK (action IN ('clear', 'restore', 'confirm'));

-- Whether a response is below the satisfied levels of its questionnaire's scale on any answer.
CREATE FUNCTION response_not_satisfied(answers jsonb, scale jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM jsonb_each(answers) AS a
        WHERE jsonb_typeof(a.value) = 'number' AND NOT (scale -> 'satisfied') @> jsonb_build_array(a.value)
    )
$$;

-- An agency and every agency below it (the scope of an agency administrator).
CREATE FUNCTION agency_subtree(root bigint) RETURNS TABLE (id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE down AS (
        SELECT a.id, 0 AS depth FROM agencies a WHERE a.id = root
        UNION ALL
        SELECT a.id, d.depth + 1 FROM agencies a JOIN down d ON a.parent_id = d.id WHERE d.depth < 64
    )
    SELECT down.id FROM down
$$;
