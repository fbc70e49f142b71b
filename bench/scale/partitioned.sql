-- The partitioned layout of docs/SCALING.md, shown working on a scratch database (bench/scale/partitioned.sh runs it
-- in a throwaway cluster and checks its output). Not a migration: the service does not use it yet.
--
-- responses partitioned by month of the tap (submitted_at), so that a month is one table: old months can be detached
-- and archived whole, and a period's reads touch only its months. PostgreSQL allows a unique constraint on a
-- partitioned table only when it includes the partition key, and the idempotency key (the client's UUID) must be
-- unique on its own: it moves to the small unpartitioned response_keys table, written in the same statement
-- (docs/ARCHITECTURE.md, "responses").
\set ON_ERROR_STOP on
\pset footer off

CREATE TABLE response_keys (
    id           uuid PRIMARY KEY,
    submitted_at timestamptz NOT NULL,
    request_hash bytea NOT NULL
);

CREATE TABLE p_responses (
    id           uuid NOT NULL,
    agency_id    bigint NOT NULL,
    channel      text NOT NULL,
    answers      jsonb NOT NULL,
    submitted_at timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, submitted_at)
) PARTITION BY RANGE (submitted_at);
CREATE INDEX ON p_responses (agency_id, submitted_at);

-- Twelve months of 2026 (pg_partman, Debian's postgresql-15-partman, would create them ahead of time), and a default
-- partition for taps outside them.
DO $$
BEGIN
    FOR m IN 0..11 LOOP
        EXECUTE format('CREATE TABLE p_responses_%s PARTITION OF p_responses FOR VALUES FROM (%L) TO (%L)',
            to_char(date '2026-01-01' + make_interval(months => m), 'YYYY_MM'),
            (date '2026-01-01' + make_interval(months => m))::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh',
            (date '2026-01-01' + make_interval(months => m + 1))::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh');
    END LOOP;
END $$;
CREATE TABLE p_responses_default PARTITION OF p_responses DEFAULT;

-- Storing a batch: the key first; only keys that were new go on to the partitioned table, in one statement (as the
-- service's group commit does with responses today). A replay of a stored key inserts nothing.
CREATE FUNCTION store(uuid[], bigint[], timestamptz[]) RETURNS SETOF uuid LANGUAGE sql AS $$
WITH batch AS (
    SELECT * FROM unnest($1, $2, $3) AS b (id, agency_id, submitted_at)
), fresh AS (
    INSERT INTO response_keys (id, submitted_at, request_hash)
    SELECT id, submitted_at, '\x00' FROM batch
    ON CONFLICT (id) DO NOTHING
    RETURNING id
)
INSERT INTO p_responses (id, agency_id, channel, answers, submitted_at)
SELECT b.id, b.agency_id, 'kiosk', '{"overall": 3}', b.submitted_at FROM batch b JOIN fresh USING (id)
RETURNING id
$$;

-- 120,000 ratings over the year for 100 agencies.
SELECT setseed(0.17);
CREATE TEMP TABLE load AS
SELECT gen_random_uuid() AS id, (1 + floor(random() * 100))::bigint AS agency_id,
       timestamptz '2026-01-01 08:00+07' + random() * interval '364 days' AS submitted_at
FROM generate_series(1, 120000);
SELECT count(*) AS inserted FROM store((SELECT array_agg(id) FROM load), (SELECT array_agg(agency_id) FROM load),
    (SELECT array_agg(submitted_at) FROM load));

\echo == stored
SELECT count(*) AS stored FROM p_responses;
-- The same 1,000 keys again (a kiosk's queue flushed twice): nothing is stored twice.
CREATE TEMP TABLE again AS SELECT * FROM load LIMIT 1000;
SELECT count(*) AS inserted_again FROM store((SELECT array_agg(id) FROM again), (SELECT array_agg(agency_id) FROM again),
    (SELECT array_agg(submitted_at) FROM again));
\echo == after replaying 1000 stored keys
SELECT count(*) AS stored FROM p_responses;

\echo == a quarter read touches the partitions of that quarter only
EXPLAIN (COSTS OFF)
SELECT count(*) FROM p_responses
WHERE agency_id = 5 AND submitted_at >= timestamptz '2026-07-01 00:00+07' AND submitted_at < timestamptz '2026-10-01 00:00+07';

\echo == retention: the oldest month leaves as a table (archive it with pg_dump -t, then drop it)
ALTER TABLE p_responses DETACH PARTITION p_responses_2026_01;
SELECT count(*) AS still_attached FROM p_responses;
SELECT count(*) AS detached_month FROM p_responses_2026_01;
