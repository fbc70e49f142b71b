-- Cheaper row-level security and agency walks for the figures' reads (issue 4's cold reads).
--
-- 1. The policies of sql/0012 tested `current_user <> 'hailong_runtime' OR current_setting('hailong.scope') = 'all'`
--    on every row: reading a province's year from the count cube (1.44M cells at 1M responses) spent 0.4 s in those
--    two calls alone. The same test as an uncorrelated sub-select is computed once per query (an InitPlan) and each
--    row only reads its result. What the policies let through is unchanged (RowLevelSecurityTests).
-- 2. agencies.parent_id gets an index: walks down the tree looked up each node's children with a scan of agencies.
CREATE INDEX agencies_parent_id_idx ON agencies (parent_id);

DO $$
DECLARE
    owned record;
BEGIN
    FOR owned IN SELECT * FROM (VALUES
        ('counters', 'agency_id'), ('officers', 'agency_id'), ('kiosks', 'agency_id'),
        ('dossiers', 'agency_id'), ('responses', 'agency_id'), ('response_counts', 'agency_id'),
        ('fragmented_counts', 'agency_id'), ('publications', 'agency_id')) AS t (name, agency_column)
    LOOP
        EXECUTE format('DROP POLICY agency_scope ON %I', owned.name);
        EXECUTE format($policy$
            CREATE POLICY agency_scope ON %1$I
            USING ((SELECT current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all')
                OR %2$I IN (SELECT id FROM hailong_scope_agencies()))
            WITH CHECK ((SELECT current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all')
                OR %2$I IN (SELECT id FROM hailong_scope_agencies()))
            $policy$, owned.name, owned.agency_column);
    END LOOP;
END $$;

DROP POLICY agency_scope ON agencies;
CREATE POLICY agency_scope ON agencies
    USING ((SELECT current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all')
        OR id IN (SELECT id FROM hailong_scope_agencies()))
    WITH CHECK ((SELECT current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all')
        OR id IN (SELECT id FROM hailong_scope_agencies()) OR parent_id IN (SELECT id FROM hailong_scope_agencies()));
