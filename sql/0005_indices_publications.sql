-- Respondent counts in the cube, agency lineage, and published snapshots.

-- The aggregator now also counts one '_response' cell per response (respondents of multi-question questionnaires):
-- recount everything once.
TRUNCATE response_counts;
INSERT INTO pending_aggregation (seq) SELECT seq FROM responses ON CONFLICT DO NOTHING;
UPDATE aggregator_state SET applied_total = 0;

-- A merged agency: `merged_into` names its successor and `valid_to` its last day; periods that start after that day
-- roll its responses into the successor's figures.
CREATE INDEX agencies_merged_into_idx ON agencies (merged_into) WHERE merged_into IS NOT NULL;

-- Published figures: frozen, versioned per agency, period and questionnaire; never updated or deleted.
CREATE TABLE publications (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id           bigint NOT NULL REFERENCES agencies (id),
    period              text NOT NULL,
    questionnaire       text NOT NULL,
    version             integer NOT NULL CHECK (version >= 1),
    methodology_code    text NOT NULL,
    methodology_version integer NOT NULL,
    as_of               timestamptz,
    published_at        timestamptz NOT NULL DEFAULT now(),
    published_by        text NOT NULL,
    document            text NOT NULL,
    content_hash        text NOT NULL,
    UNIQUE (agency_id, period, questionnaire, version)
);

CREATE FUNCTION publications_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'publications are immutable: publish again to make a new version';
END
$$;
CREATE TRIGGER publications_immutable BEFORE UPDATE OR DELETE ON publications
    FOR EACH ROW EXECUTE FUNCTION publications_are_immutable();
CREATE TRIGGER publications_no_truncate BEFORE TRUNCATE ON publications
    FOR EACH STATEMENT EXECUTE FUNCTION publications_are_immutable();
