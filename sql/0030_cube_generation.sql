-- hailong: expand-only
-- A generation of the cubes under the fresh cells: the daily cube and every rollup a figures read takes (issue 16, the
-- live target). Only compaction, a rebuild and the rollups' first fill change them, each in a statement that moves a
-- generation on here in its own transaction; an aggregation step adds to `fresh_counts` only. So a reader that read
-- those cubes at a generation can keep what it read, and after a step read only the fresh cells, in the snapshot that
-- shows the generation it kept (`BaseCounts`). Statement triggers keep it, so an older binary that does not know this
-- table moves it on too, which is why this migration is expand-only.
CREATE TABLE cube_generation (
    id         integer PRIMARY KEY CHECK (id = 1),
    generation bigint NOT NULL
);
INSERT INTO cube_generation (id, generation) VALUES (1, 1);

CREATE FUNCTION next_cube_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cube_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END $$;

DO $$
DECLARE
    cube text;
BEGIN
    FOREACH cube IN ARRAY ARRAY['response_counts', 'monthly_counts', 'quarterly_counts', 'yearly_counts',
        'officer_monthly_counts', 'officer_yearly_counts', 'officer_yearly_totals']
    LOOP
        EXECUTE format('CREATE TRIGGER %1$s_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$I '
            'FOR EACH STATEMENT EXECUTE FUNCTION next_cube_generation()', cube);
    END LOOP;
END $$;
