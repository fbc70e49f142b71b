-- hailong: expand-only
-- The flag review page and the complaints inbox show at most 200 responses, in their own order: flagged responses by
-- kiosk (its label) and tap time, then those without a kiosk; complaints newest first. 0024's partial indexes are keyed
-- by agency, so a province's page read every reviewable response of its year (800,000 at 10M responses) and sorted them
-- to keep 200: 13 s and 3 s on the first view. These indexes are in the pages' own order, so each page stops after the
-- rows it shows (`PostgresDashboardStore.flaggedQuery`, `complaintsQuery`):
--   by kiosk, in tap order     a kiosk's flagged responses, read kiosk by kiosk in label order
--   without a kiosk, by agency web and API responses with a flag worth reviewing, read agency by agency
--   by agency, newest comment  the complaints of a small subtree, agency by agency, newest first
--   newest comment first       the complaints of a large subtree, read newest first until 200 are found
-- 0024's two indexes are replaced (nothing reads them any more). Adds indexes and drops two that no statement of an
-- older binary needs to be right (only fast), so an older binary runs beside it. About 5 s at 10M responses, during
-- which ratings wait on the lock, not lost.
CREATE INDEX responses_reviewable_kiosk_idx ON responses (kiosk_id, submitted_at, id)
    WHERE kiosk_id IS NOT NULL
      AND flags && '{rapid_repeat,duplicate_dossier,test,outside_hours,late,unknown_officer,streak,unverified}'::text[];
CREATE INDEX responses_reviewable_unattended_idx ON responses (agency_id, submitted_at, id)
    WHERE kiosk_id IS NULL
      AND flags && '{rapid_repeat,duplicate_dossier,test,outside_hours,late,unknown_officer,streak,unverified}'::text[];
CREATE INDEX responses_agency_comment_idx ON responses (agency_id, submitted_at DESC, id) WHERE comment IS NOT NULL;
CREATE INDEX responses_latest_comment_idx ON responses (submitted_at DESC, id) WHERE comment IS NOT NULL;
DROP INDEX responses_reviewable_idx;
DROP INDEX responses_commented_idx;
