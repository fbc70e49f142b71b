-- The yearly reports (issue 15): each agency's report on văn hóa công vụ to Sở Nội vụ and the province's consolidated
-- report, with their workflow draft → submitted → returned (a new draft version follows) or accepted.
--
-- A report's version is one row. While it is a draft its content may change; once submitted it is frozen with the
-- sha256 of its content and the published snapshot (version and sha256) its figures come from, and only its decision
-- (returned or accepted, with a comment) is ever written to it. Nothing is deleted. Every step is audited by the store
-- in the same transaction.

-- Per province: when the agencies' reports and the province's consolidated report are due (month and day of the
-- reporting year). Without a row the defaults hold: 15/11 and 15/12.
CREATE TABLE report_deadlines (
    agency_id          bigint PRIMARY KEY REFERENCES agencies (id),
    agency_due_month   integer NOT NULL DEFAULT 11 CHECK (agency_due_month BETWEEN 1 AND 12),
    agency_due_day     integer NOT NULL DEFAULT 15 CHECK (agency_due_day BETWEEN 1 AND 31),
    province_due_month integer NOT NULL DEFAULT 12 CHECK (province_due_month BETWEEN 1 AND 12),
    province_due_day   integer NOT NULL DEFAULT 15 CHECK (province_due_day BETWEEN 1 AND 31),
    updated_by         text NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reports (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id        bigint NOT NULL REFERENCES agencies (id),
    year             integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    kind             text NOT NULL CHECK (kind IN ('agency', 'consolidated')),
    version          integer NOT NULL CHECK (version >= 1),
    status           text NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'accepted')),
    -- The report as JSON (figures and narrative sections, HaiLongCore.ReportContent).
    content          text NOT NULL,
    -- The published snapshot the figures were taken from.
    publication_id   bigint REFERENCES publications (id),
    snapshot_version integer,
    snapshot_sha256  text,
    -- SHA-256 of `content`, fixed when submitted.
    content_sha256   text,
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    submitted_by     text,
    submitted_at     timestamptz,
    decided_by       text,
    decided_at       timestamptz,
    decision_comment text CHECK (length(decision_comment) <= 2000),
    UNIQUE (agency_id, year, kind, version),
    CHECK ((status = 'draft') = (submitted_at IS NULL)),
    CHECK ((status IN ('returned', 'accepted')) = (decided_at IS NOT NULL)),
    CHECK (status <> 'returned' OR length(decision_comment) >= 1)
);
CREATE INDEX reports_year_idx ON reports (year, kind, agency_id, version DESC);

-- What may change in a version: a draft anything but its identity; a submitted one only its decision; a returned or
-- accepted one nothing.
CREATE FUNCTION reports_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'reports are never deleted' USING ERRCODE = 'P0001';
    END IF;
    IF (NEW.id, NEW.agency_id, NEW.year, NEW.kind, NEW.version, NEW.created_by, NEW.created_at)
        IS DISTINCT FROM (OLD.id, OLD.agency_id, OLD.year, OLD.kind, OLD.version, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'a report version keeps its agency, year, kind and number' USING ERRCODE = 'P0001';
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'submitted' AND NEW.status IN ('returned', 'accepted')
        AND (NEW.content, NEW.publication_id, NEW.snapshot_version, NEW.snapshot_sha256, NEW.content_sha256,
             NEW.submitted_by, NEW.submitted_at, NEW.updated_by, NEW.updated_at)
        IS NOT DISTINCT FROM (OLD.content, OLD.publication_id, OLD.snapshot_version, OLD.snapshot_sha256, OLD.content_sha256,
             OLD.submitted_by, OLD.submitted_at, OLD.updated_by, OLD.updated_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'report version % is %: it cannot change', OLD.version, OLD.status USING ERRCODE = 'P0001';
END
$$;
CREATE TRIGGER reports_guard BEFORE UPDATE OR DELETE ON reports FOR EACH ROW EXECUTE FUNCTION reports_guard();
CREATE TRIGGER reports_no_truncate BEFORE TRUNCATE ON reports FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();

SELECT hailong_agency_policy(name, 'agency_id') FROM unnest(ARRAY['reports', 'report_deadlines']) AS t (name);

-- The runtime role writes drafts and decisions (UPDATE, held by the trigger) and never deletes.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'hailong_runtime') THEN
        REVOKE DELETE ON reports, report_deadlines FROM hailong_runtime;
    END IF;
END $$;
