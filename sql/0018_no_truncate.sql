-- History cannot be emptied in bulk. Row triggers do not fire on TRUNCATE, so the append-only tables get statement
-- triggers that refuse it, for every role, the owner included; and the runtime role loses TRUNCATE everywhere but on
-- the derived count tables that a rebuild recomputes from the responses. The audit log is insert-and-read for it.
CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER responses_no_truncate BEFORE TRUNCATE ON responses FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER flag_reviews_no_truncate BEFORE TRUNCATE ON flag_reviews FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER complaint_updates_no_truncate BEFORE TRUNCATE ON complaint_updates
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'hailong_runtime') THEN
        EXECUTE format('REVOKE TRUNCATE ON ALL TABLES IN SCHEMA %I FROM hailong_runtime', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE TRUNCATE ON TABLES FROM hailong_runtime', current_schema());
        GRANT TRUNCATE ON response_counts, fresh_counts, monthly_counts, pending_corrections TO hailong_runtime;
        REVOKE UPDATE, DELETE ON audit_log FROM hailong_runtime;
    END IF;
END $$;
