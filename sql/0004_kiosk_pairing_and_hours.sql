-- Kiosk pairing codes, the officer on duty, opening hours inherited down the agency tree, and server secrets.

-- A short single-use code typed on the kiosk instead of its long device token; stored only as a SHA-256.
ALTER TABLE kiosks ADD COLUMN pairing_code_hash bytea;
ALTER TABLE kiosks ADD COLUMN pairing_expires_at timestamptz;
CREATE UNIQUE INDEX kiosks_pairing_code_idx ON kiosks (pairing_code_hash) WHERE pairing_code_hash IS NOT NULL;

-- The officer a kiosk rates by default: per counter (set by the officer on the kiosk, or by an administrator);
-- a kiosk without a counter keeps its own.
ALTER TABLE counters ADD COLUMN on_duty_officer_id bigint REFERENCES officers (id);
ALTER TABLE kiosks ADD COLUMN on_duty_officer_id bigint REFERENCES officers (id);

-- An agency's opening hours: its own, else its nearest ancestor's (a province sets them once for all its offices).
CREATE FUNCTION agency_opening_hours(agency bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up AS (
        SELECT id, parent_id, opening_hours, 0 AS depth FROM agencies WHERE id = agency
        UNION ALL
        SELECT a.id, a.parent_id, a.opening_hours, up.depth + 1
        FROM agencies a JOIN up ON a.id = up.parent_id
        WHERE up.opening_hours IS NULL AND up.depth < 64
    )
    SELECT opening_hours FROM up WHERE opening_hours IS NOT NULL ORDER BY depth LIMIT 1
$$;

-- Secrets the replicas share (the key that signs survey links), made on first use.
CREATE TABLE server_secrets (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
