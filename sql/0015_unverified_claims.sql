-- An unsigned web survey's dossier and officer are the citizen's claim, not a fact.
--
-- Only a kiosk's device token, an integration token or a signed survey link binds a rating to a dossier and an
-- officer. A web rating without a signed link keeps what was typed (dossier_code, officer_badge) but is linked to
-- neither the dossier nor any officer, is flagged 'unverified', and is never counted against a signed link of the
-- same dossier (nor is a later signed rating flagged duplicate_dossier because of it).
--
-- A signed link is single-use per dossier: bound_by_link marks the responses stored through one, and a unique index
-- enforces it, so two concurrent posts of the same link store one response and the other is answered "already
-- rated" (the ingest statement's ON CONFLICT DO NOTHING skips it). Responses stored before this migration keep false.
ALTER TABLE responses ADD COLUMN bound_by_link boolean NOT NULL DEFAULT false;

CREATE UNIQUE INDEX responses_signed_link_once ON responses (agency_id, dossier_code) WHERE bound_by_link;

-- 'unverified' is informational (bit 256): it excludes nothing by default.
CREATE OR REPLACE FUNCTION flag_mask(flags text[]) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN 'rapid_repeat' = ANY (flags) THEN 1 ELSE 0 END)
         + (CASE WHEN 'duplicate_dossier' = ANY (flags) THEN 2 ELSE 0 END)
         + (CASE WHEN 'test' = ANY (flags) THEN 4 ELSE 0 END)
         + (CASE WHEN 'outside_hours' = ANY (flags) THEN 8 ELSE 0 END)
         + (CASE WHEN 'late' = ANY (flags) THEN 16 ELSE 0 END)
         + (CASE WHEN 'no_dossier' = ANY (flags) THEN 32 ELSE 0 END)
         + (CASE WHEN 'unknown_officer' = ANY (flags) THEN 64 ELSE 0 END)
         + (CASE WHEN 'streak' = ANY (flags) THEN 128 ELSE 0 END)
         + (CASE WHEN 'unverified' = ANY (flags) THEN 256 ELSE 0 END)
$$;
