-- hailong: expand-only
-- The hourly cubes move the cube generation on too (sql/0030), so that the heatmap can keep what it read from them
-- per generation and, after an aggregation step, read only the fresh hourly ratings (issue 16, the live target: a
-- province's heatmap read a year of 1,000 agencies' hourly rollup again for every figures version, 0.3 s at 10M).
-- Compaction, a rebuild and the rollups' fill change them in the same statements as the daily cube today; these
-- triggers make the generation move whatever writes them. Expand-only: an older binary moves it on too.
DO $$
DECLARE
    cube text;
BEGIN
    FOREACH cube IN ARRAY ARRAY['hourly_counts', 'hourly_monthly_counts', 'hourly_yearly_counts']
    LOOP
        EXECUTE format('CREATE TRIGGER %1$s_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$I '
            'FOR EACH STATEMENT EXECUTE FUNCTION next_cube_generation()', cube);
    END LOOP;
END $$;
