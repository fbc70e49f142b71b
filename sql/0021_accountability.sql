-- The year's accountability loop: inspections of public-service culture, violations by officers and their decisions,
-- and emulation blocks (khối/cụm thi đua) whose members are ranked together.
--
-- Nothing here is ever updated or deleted: a violation's status is its decision (one at most: confirmed or
-- dismissed, with a reason), kept beside it; evidence files are added, never replaced. Every table holding an
-- agency's rows has the same row-level security as the rest (sql/0019).

-- The norms of conduct a violation breaks: seeded from Decision 1847/QĐ-TTg's four groups, refined per province
-- (a code of its own under one of the groups).
CREATE TABLE violation_norms (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{1,40}$'),
    group_code text NOT NULL CHECK (group_code IN ('tinh_than_thai_do', 'giao_tiep_ung_xu', 'dao_duc_loi_song', 'trang_phuc')),
    name_vi    text NOT NULL CHECK (length(name_vi) BETWEEN 1 AND 300),
    name_en    text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 300),
    active     boolean NOT NULL DEFAULT true
);
INSERT INTO violation_norms (code, group_code, name_vi, name_en) VALUES
    ('tinh_than_thai_do', 'tinh_than_thai_do', 'Tinh thần, thái độ làm việc', 'Working spirit and attitude'),
    ('giao_tiep_ung_xu', 'giao_tiep_ung_xu', 'Giao tiếp, ứng xử (gồm "4 xin, 4 luôn")', 'Communication and conduct (incl. "4 xin, 4 luôn")'),
    ('dao_duc_loi_song', 'dao_duc_loi_song', 'Đạo đức, lối sống', 'Ethics and lifestyle'),
    ('trang_phuc', 'trang_phuc', 'Trang phục, thẻ công chức', 'Dress and badge');

CREATE TABLE inspections (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id   bigint NOT NULL REFERENCES agencies (id),
    held_on     date NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('planned', 'unannounced')),
    team        text NOT NULL CHECK (length(team) BETWEEN 1 AND 500),
    findings    text CHECK (length(findings) <= 4000),
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inspections_agency_idx ON inspections (agency_id, held_on);

CREATE TABLE violations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id     bigint NOT NULL REFERENCES agencies (id),
    officer_id    bigint NOT NULL REFERENCES officers (id),
    occurred_on   date NOT NULL,
    norm          text NOT NULL REFERENCES violation_norms (code),
    source        text NOT NULL CHECK (source IN ('inspection', 'complaint', 'supervisor', 'camera', 'other')),
    inspection_id bigint REFERENCES inspections (id),
    -- The complaint (a not-satisfied rating with a comment) it was made from.
    response_id   uuid REFERENCES responses (id),
    description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    reported_by   text NOT NULL,
    reported_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (inspection_id IS NULL OR source = 'inspection'),
    CHECK (source = 'complaint' OR response_id IS NULL)
);
CREATE INDEX violations_agency_idx ON violations (agency_id, occurred_on);
CREATE INDEX violations_officer_idx ON violations (officer_id, occurred_on);

-- The decision on a violation, by an agency admin of the officer's agency or above: one, final, with its reason.
CREATE TABLE violation_decisions (
    violation_id bigint PRIMARY KEY REFERENCES violations (id),
    status       text NOT NULL CHECK (status IN ('confirmed', 'dismissed')),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    decided_by   text NOT NULL,
    decided_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE violation_evidence (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    violation_id bigint NOT NULL REFERENCES violations (id),
    file_name    text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    bytes        bytea NOT NULL CHECK (length(bytes) BETWEEN 1 AND 5242880),
    sha256       text NOT NULL,
    uploaded_by  text NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX violation_evidence_violation_idx ON violation_evidence (violation_id);

-- An emulation block of a year; an agency belongs to one block per year at most.
CREATE TABLE emulation_blocks (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    created_by text NOT NULL,
    UNIQUE (code, year)
);
CREATE TABLE emulation_block_members (
    block_id  bigint NOT NULL REFERENCES emulation_blocks (id),
    agency_id bigint NOT NULL REFERENCES agencies (id),
    year      integer NOT NULL,
    PRIMARY KEY (block_id, agency_id),
    UNIQUE (agency_id, year)
);

DO $$
DECLARE
    kept text;
BEGIN
    FOREACH kept IN ARRAY ARRAY['inspections', 'violations', 'violation_decisions', 'violation_evidence'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_append_only BEFORE UPDATE OR DELETE ON %1$I FOR EACH ROW EXECUTE FUNCTION forbid_change()', kept);
        EXECUTE format('CREATE TRIGGER %1$s_no_truncate BEFORE TRUNCATE ON %1$I FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()', kept);
    END LOOP;
END $$;

SELECT hailong_agency_policy(name, 'agency_id') FROM unnest(ARRAY['inspections', 'violations', 'emulation_block_members']) AS t (name);
DO $$
DECLARE
    owned text;
BEGIN
    FOREACH owned IN ARRAY ARRAY['violation_decisions', 'violation_evidence'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
        EXECUTE format($policy$
            CREATE POLICY agency_scope ON %1$I
            USING ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
                OR EXISTS (SELECT FROM violations v WHERE v.id = %1$I.violation_id))
            WITH CHECK ((SELECT coalesce(current_setting('hailong.scope', true), '') = 'all')
                OR EXISTS (SELECT FROM violations v WHERE v.id = %1$I.violation_id))
            $policy$, owned);
    END LOOP;
END $$;

-- The runtime role adds and reads; it never rewrites (the default privileges gave it UPDATE and DELETE).
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'hailong_runtime') THEN
        REVOKE UPDATE, DELETE ON inspections, violations, violation_decisions, violation_evidence, violation_norms,
            emulation_blocks, emulation_block_members FROM hailong_runtime;
    END IF;
END $$;
