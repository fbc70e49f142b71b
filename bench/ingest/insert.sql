-- pgbench script for bench/ingest/run.sh: the statement PostgresResponseStore.store runs for one kiosk rating
-- (one row into responses and its queue entry in pending_aggregation, committed together), with the same
-- columns and the same kinds of values. Variables come from pgbench -D: qid, agency, counter, officer,
-- kiosk_min, kiosks. The service hashes the request on the client; here the hash is a fixed 32-byte value.
\set kiosk :kiosk_min + random(0, :kiosks - 1)
WITH stored AS (
    INSERT INTO responses (id, questionnaire_id, agency_id, counter_id, officer_id, officer_badge, kiosk_id,
        api_token_id, channel, dossier_code, answers, comment, submitted_at, received_at, flags, request_hash,
        dossier_id, contact_enc, contact_hmac)
    VALUES (gen_random_uuid(), :qid, :agency, :counter, :officer, 'B-1', :kiosk,
        NULL, 'kiosk', NULL, '{"overall":3}'::jsonb, NULL, now(), date_trunc('milliseconds', now()),
        '{}'::text[], decode('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'hex'), NULL,
        decode(NULL, 'hex'), decode(NULL, 'hex'))
    ON CONFLICT (id) DO NOTHING
    RETURNING seq
), queued AS (
    INSERT INTO pending_aggregation (seq) SELECT seq FROM stored
)
SELECT seq FROM stored;
