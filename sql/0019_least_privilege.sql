-- Least privilege for the service, for real.
--
-- 1. The policies no longer ask who the current user is. They used to let through every role but hailong_runtime, so
--    a login that was a member of it (or the service after `SET ROLE NONE`) saw every agency. Now every role that is
--    held by row-level security at all — every role but the tables' owner and superusers — sees only the subtree
--    named by hailong.scope ('all', an agency id; nothing when unset). FORCE is dropped: the owner (migrations and the
--    command-line tools) is the one role meant to pass, and an owner passes without a policy branch of its own.
-- 2. The tables that hold agency data without a policy get one: the audit log and the users by their agency, the
--    sessions by their user, the flag reviews and complaint updates by their response.
-- 3. The runtime role may not empty, rewrite or delete history: no TRUNCATE anywhere (a rebuild of the counts is a
--    command run as the owner), no UPDATE or DELETE of the audit log, the publications, the flag reviews, the
--    complaint updates or the migrations, and on responses only INSERT and the clearing of the personal columns.
CREATE OR REPLACE FUNCTION hailong_agency_policy(owned text, agency_column text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
    EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', owned);
    EXECUTE format('DROP POLICY IF EXISTS agency_scope ON %I', owned);
    EXECUTE format($policy$
        CREATE POLICY agency_scope ON %1$I
        USING ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
            OR %2$I IN (SELECT id FROM hailong_scope_agencies()))
        WITH CHECK ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
            OR %2$I IN (SELECT id FROM hailong_scope_agencies()))
        $policy$, owned, agency_column);
END $$;

SELECT hailong_agency_policy(name, 'agency_id') FROM unnest(ARRAY['counters', 'officers', 'kiosks', 'dossiers', 'responses',
    'response_counts', 'publications', 'fresh_counts', 'monthly_counts', 'audit_log',
    'users']) AS t (name);

ALTER TABLE agencies NO FORCE ROW LEVEL SECURITY;
DROP POLICY agency_scope ON agencies;
CREATE POLICY agency_scope ON agencies
    USING ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
        OR id IN (SELECT id FROM hailong_scope_agencies()))
    WITH CHECK ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
        OR id IN (SELECT id FROM hailong_scope_agencies()) OR parent_id IN (SELECT id FROM hailong_scope_agencies()));

-- Rows that belong to an agency through another row: visible when that row is.
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY agency_scope ON sessions
    USING ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
        OR EXISTS (SELECT FROM users u WHERE u.id = sessions.user_id))
    WITH CHECK ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
        OR EXISTS (SELECT FROM users u WHERE u.id = sessions.user_id));

DO $$
DECLARE
    owned text;
BEGIN
    FOREACH owned IN ARRAY ARRAY['flag_reviews', 'complaint_updates'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
        EXECUTE format($policy$
            CREATE POLICY agency_scope ON %1$I
            USING ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
                OR EXISTS (SELECT FROM responses r WHERE r.id = %1$I.response_id))
            WITH CHECK ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
                OR EXISTS (SELECT FROM responses r WHERE r.id = %1$I.response_id))
            $policy$, owned);
    END LOOP;
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'hailong_runtime') THEN
        EXECUTE format('REVOKE TRUNCATE ON ALL TABLES IN SCHEMA %I FROM hailong_runtime', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE TRUNCATE ON TABLES FROM hailong_runtime', current_schema());
        REVOKE UPDATE, DELETE ON audit_log, publications, flag_reviews, complaint_updates FROM hailong_runtime;
        REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM hailong_runtime;
        REVOKE UPDATE, DELETE ON responses FROM hailong_runtime;
        GRANT UPDATE (comment, contact_enc, contact_hmac) ON responses TO hailong_runtime;
    END IF;
END $$;
