-- HaiLong schema v1: the domain model of DESIGN.md.
-- Responses and the audit log are append-only (enforced by triggers below); the aggregator never updates them.

CREATE TABLE agencies (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code         text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind         text NOT NULL DEFAULT 'department'
                 CHECK (kind IN ('province', 'department', 'center', 'commune', 'ward', 'special_zone', 'district', 'other')),
    parent_id    bigint REFERENCES agencies (id),
    valid_from   date,
    valid_to     date,
    merged_into  bigint REFERENCES agencies (id),
    opening_hours jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS DISTINCT FROM id),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to)
);
CREATE INDEX agencies_parent_idx ON agencies (parent_id);

CREATE TABLE counters (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id  bigint NOT NULL REFERENCES agencies (id),
    code       text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agency_id, code)
);

CREATE TABLE officers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id  bigint NOT NULL REFERENCES agencies (id),
    counter_id bigint REFERENCES counters (id),
    badge      text NOT NULL CHECK (badge ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    title      text,
    photo      bytea,
    photo_type text,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agency_id, badge)
);

-- A kiosk's bearer token is stored only as its SHA-256.
CREATE TABLE kiosks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id    bigint NOT NULL REFERENCES agencies (id),
    counter_id   bigint REFERENCES counters (id),
    label        text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL UNIQUE,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz,
    app_version  text,
    queue_length integer
);

-- Questionnaires are data: the definition holds sections, questions, scale labels and the reason checklist.
CREATE TABLE questionnaires (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code         text NOT NULL,
    version      integer NOT NULL CHECK (version >= 1),
    kind         text NOT NULL CHECK (kind IN ('kiosk', 'web')),
    definition   jsonb NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (code, version)
);

-- Methodologies are versioned data; figures carry the code and version they came from.
CREATE TABLE methodologies (
    code       text NOT NULL,
    version    integer NOT NULL,
    params     jsonb NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (code, version)
);
CREATE UNIQUE INDEX methodologies_one_default ON methodologies (is_default) WHERE is_default;

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role         text NOT NULL CHECK (role IN ('admin', 'par', 'integration')),
    agency_id    bigint REFERENCES agencies (id),
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._@-]{1,64}$'),
    role            text NOT NULL CHECK (role IN ('admin', 'agency_admin', 'viewer', 'par')),
    agency_id       bigint REFERENCES agencies (id),
    password_hash   text NOT NULL,
    failed_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- One-stop dossiers (hồ sơ): response-rate denominators and links from ratings to real dossiers.
CREATE TABLE dossiers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code          text NOT NULL,
    agency_id     bigint NOT NULL REFERENCES agencies (id),
    counter_id    bigint REFERENCES counters (id),
    officer_id    bigint REFERENCES officers (id),
    officer_badge text,
    received_at   timestamptz,
    returned_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agency_id, code)
);

-- Responses: append-only. The client's UUID is the primary key, so idempotency is enforced by a unique
-- constraint, not by a check-then-insert race. (Not partitioned in v1: on a partitioned table the key would
-- have to include the partition column. docs/ARCHITECTURE.md says how to partition later.)
CREATE TABLE responses (
    seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id               uuid PRIMARY KEY,
    questionnaire_id integer NOT NULL REFERENCES questionnaires (id),
    agency_id        bigint NOT NULL REFERENCES agencies (id),
    counter_id       bigint REFERENCES counters (id),
    officer_id       bigint REFERENCES officers (id),
    officer_badge    text,
    kiosk_id         bigint REFERENCES kiosks (id),
    api_token_id     bigint REFERENCES api_tokens (id),
    channel          text NOT NULL CHECK (channel IN ('kiosk', 'web', 'api', 'paper')),
    dossier_code     text,
    answers          jsonb NOT NULL,
    comment          text CHECK (length(comment) <= 1000),
    contact_enc      bytea,
    contact_hmac     bytea,
    submitted_at     timestamptz NOT NULL,
    received_at      timestamptz NOT NULL,
    flags            text[] NOT NULL DEFAULT '{}',
    request_hash     bytea NOT NULL
);
CREATE INDEX responses_kiosk_tap_idx ON responses (kiosk_id, submitted_at) WHERE kiosk_id IS NOT NULL;
CREATE INDEX responses_agency_tap_idx ON responses (agency_id, submitted_at);
CREATE INDEX responses_dossier_idx ON responses (agency_id, dossier_code, channel) WHERE dossier_code IS NOT NULL;

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Only personal contact data may be changed (purged on request or at the retention limit); nothing is deleted.
CREATE FUNCTION responses_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'responses are append-only: DELETE refused' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - 'contact_enc' - 'contact_hmac') IS DISTINCT FROM (to_jsonb(OLD) - 'contact_enc' - 'contact_hmac') THEN
        RAISE EXCEPTION 'responses are append-only: only contact data may be purged' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER responses_append_only BEFORE UPDATE OR DELETE ON responses
    FOR EACH ROW EXECUTE FUNCTION responses_guard();

CREATE TABLE audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    action    text NOT NULL,
    agency_id bigint REFERENCES agencies (id),
    subject   text,
    detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Aggregation. Every stored response also enters pending_aggregation in the same statement. The aggregator
-- deletes a batch from it and adds the batch to the counts in one transaction, so each response is counted
-- exactly once however the inserts commit and wherever the aggregator crashes.
CREATE TABLE pending_aggregation (
    seq bigint PRIMARY KEY
);

-- The bit of each flag; must match HaiLongCore.Flag.bit.
CREATE FUNCTION flag_mask(flags text[]) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(sum(DISTINCT CASE f
        WHEN 'rapid_repeat' THEN 1 WHEN 'duplicate_dossier' THEN 2 WHEN 'test' THEN 4 WHEN 'outside_hours' THEN 8
        WHEN 'late' THEN 16 WHEN 'no_dossier' THEN 32 WHEN 'unknown_officer' THEN 64 WHEN 'streak' THEN 128
        ELSE 0 END), 0)::integer
    FROM unnest(flags) AS f
$$;

-- The count cube: answers by local day, agency, officer, counter, channel, questionnaire, question, level and
-- flag mask. A question 'reason.<code>' (level 0) counts the reasons given. 0 stands for "no officer/counter".
CREATE TABLE response_counts (
    day              date NOT NULL,
    agency_id        bigint NOT NULL,
    questionnaire_id integer NOT NULL,
    question         text NOT NULL,
    level            smallint NOT NULL,
    flag_mask        integer NOT NULL,
    officer_id       bigint NOT NULL,
    counter_id       bigint NOT NULL,
    channel          text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (agency_id, day, questionnaire_id, question, level, flag_mask, officer_id, counter_id, channel)
);

CREATE TABLE aggregator_state (
    id              integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    time_zone       text NOT NULL,
    applied_total   bigint NOT NULL DEFAULT 0,
    last_applied_at timestamptz
);
