-- Cheaper row-level security and agency walks for the figures' reads (issue 4's cold reads).
--
-- 1. The policies of sql/0012 tested `current_user <> 'hailong_runtime' OR current_setting('hailong.scope') = 'all'`
--    on every row: reading a province's year from the count cube (1.44M cells at 1M responses) spent 0.4 s in those
--    two calls alone. The same test as an uncorrelated sub-select is computed once per query (an InitPlan) and each
--    row only reads its result. What the policies let through is unchanged (RowLevelSecurityTests).
-- 2. agencies.parent_id gets an index: walks down the tree looked up each node's children with a scan of agencies.
CREATE INDEX agencies_parent_id_idx ON agencies (parent_id);

-- The policy of an agency-owned table (written once here; later migrations call it for their new tables):
-- row-level security on and forced, the table's rows held to the scope by its agency column.
CREATE FUNCTION hailong_agency_policy(owned text, agency_column text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', owned);
    EXECUTE format('DROP POLICY IF EXISTS agency_scope ON %I', owned);
    EXECUTE format($policy$
        CREATE POLICY agency_scope ON %1$I
        USING ((SELECT current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all')
            OR %2$I IN (SELECT id FROM hailong_scope_agencies()))
        WITH CHECK ((SELECT current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all')
            OR %2$I IN (SELECT id FROM hailong_scope_agencies()))
        $policy$, owned, agency_column);
END $$;

SELECT hailong_agency_policy(name, 'agency_id') FROM unnest(ARRAY['counters', 'officers', 'kiosks', 'dossiers', 'responses',
    'response_counts', 'fragmented_counts', 'publications']) AS t (name);

DROP POLICY agency_scope ON agencies;
CREATE POLICY agency_scope ON agencies
    USING ((SELECT current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all')
        OR id IN (SELECT id FROM hailong_scope_agencies()))
    WITH CHECK ((SELECT current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all')
        OR id IN (SELECT id FROM hailong_scope_agencies()) OR parent_id IN (SELECT id FROM hailong_scope_agencies()));
