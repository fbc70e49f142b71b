-- A rating with a dossier code the one-stop feed knows is linked to that dossier (and, when the kiosk did not name
-- an officer, to the dossier's officer). Dossiers fed after the rating are linked through the code at read time.
ALTER TABLE responses ADD COLUMN dossier_id bigint REFERENCES dossiers (id);
CREATE INDEX dossiers_officer_idx ON dossiers (officer_id) WHERE officer_id IS NOT NULL;
