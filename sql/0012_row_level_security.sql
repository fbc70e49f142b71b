-- Row-level security, the second wall behind the scope every query carries (issue 5).
--
-- The service runs its queries as the role hailong_runtime, which owns nothing: it reaches the tables through the
-- grants below, and the policies below hold it to the agency subtree named by the setting hailong.scope:
--   'all'          everything (ingest, the aggregator, the API, whose queries carry their own scope);
--   an agency id   that agency and the agencies below it (the administrators' pages set it per transaction);
--   unset or ''    nothing at all: a query that forgot its scope gets no rows rather than every province's.
-- The tables' owner (the role that runs the migrations) is not held to the policies: FORCE applies them to every
-- role that is not a superuser, and the owner's own policy branch lets it through, so migrations, `hailong
-- aggregate --rebuild` and the other commands work as before.
--
-- Creating a role needs CREATEROLE. Where the migrating role lacks it, the role is not made and the service runs as
-- the owner (it says so at start-up); the policies are made all the same.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hailong_runtime') THEN
        CREATE ROLE hailong_runtime NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, 'hailong_runtime', 'MEMBER') THEN
        EXECUTE format('GRANT hailong_runtime TO %I', current_user);
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'row-level security: the role hailong_runtime cannot be made here (%); the service will run as %',
        SQLERRM, current_user;
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'hailong_runtime') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO hailong_runtime', current_schema());
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA %I TO hailong_runtime',
            current_schema());
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO hailong_runtime', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO hailong_runtime',
            current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO hailong_runtime',
            current_schema());
    END IF;
END $$;

-- The agencies a scoped session may see: the subtree of the agency id in hailong.scope; none when the setting is
-- missing or not an id. Computed as the owner (it reads agencies, whose own policy calls it).
CREATE FUNCTION hailong_scope_agencies() RETURNS TABLE (id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT s.id FROM agency_subtree(CASE WHEN coalesce(current_setting('hailong.scope', true), '') ~ '^[0-9]{1,18}$'
        THEN current_setting('hailong.scope', true)::bigint END) AS s
$$;

-- The agency-owned tables: the directory, the raw responses and dossiers, the count cube, publications.
DO $$
DECLARE
    owned record;
BEGIN
    FOR owned IN SELECT * FROM (VALUES
        ('counters', 'agency_id'), ('officers', 'agency_id'), ('kiosks', 'agency_id'),
        ('dossiers', 'agency_id'), ('responses', 'agency_id'), ('response_counts', 'agency_id'),
        ('fragmented_counts', 'agency_id'), ('publications', 'agency_id')) AS t (name, agency_column)
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned.name);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', owned.name);
        -- Written out rather than called as a function, so that it stays cheap on every row: the first two tests
        -- are evaluated per row (no function call), the subtree is hashed once per query and only when reached.
        EXECUTE format($policy$
            CREATE POLICY agency_scope ON %1$I
            USING (current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all'
                OR %2$I IN (SELECT id FROM hailong_scope_agencies()))
            WITH CHECK (current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all'
                OR %2$I IN (SELECT id FROM hailong_scope_agencies()))
            $policy$, owned.name, owned.agency_column);
    END LOOP;
END $$;

-- The scope itself is computed as the owner: the policy on agencies calls it, and it reads agencies.
ALTER FUNCTION agency_subtree(bigint) SECURITY DEFINER SET search_path FROM CURRENT;

-- Agencies: a scoped session sees its subtree, and may add an agency below it (the new row's own id is not in the
-- subtree yet, its parent is) or change one of its own.
ALTER TABLE agencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE agencies FORCE ROW LEVEL SECURITY;
CREATE POLICY agency_scope ON agencies
    USING (current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all'
        OR id IN (SELECT id FROM hailong_scope_agencies()))
    WITH CHECK (current_user <> 'hailong_runtime' OR coalesce(current_setting('hailong.scope', true), '') = 'all'
        OR id IN (SELECT id FROM hailong_scope_agencies()) OR parent_id IN (SELECT id FROM hailong_scope_agencies()));
