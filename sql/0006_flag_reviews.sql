-- Flag reviews: an administrator may clear a flag set at ingest (or restore it). Responses stay untouched
-- (append-only); the cleared flags live beside them, every review is kept, and the aggregator corrects the counts.

CREATE TABLE flag_reviews (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id uuid NOT NULL REFERENCES responses (id),
    flag        text NOT NULL,
    action      text NOT NULL CHECK (action IN ('clear', 'restore')),
    note        text CHECK (length(note) <= 1000),
    reviewed_by text NOT NULL,
    reviewed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flag_reviews_response_idx ON flag_reviews (response_id, id);
CREATE TRIGGER flag_reviews_append_only BEFORE UPDATE OR DELETE ON flag_reviews
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- The flags currently cleared on a response, as a mask (see flag_mask()); effective mask = flag_mask(flags) & ~cleared_mask.
CREATE TABLE response_flag_overrides (
    response_id  uuid PRIMARY KEY REFERENCES responses (id),
    cleared_mask integer NOT NULL
);

-- A counted response whose effective mask changed: the aggregator moves its cells from old_mask to new_mask.
CREATE TABLE pending_corrections (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq      bigint NOT NULL,
    old_mask integer NOT NULL,
    new_mask integer NOT NULL
);
