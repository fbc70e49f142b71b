-- hailong: expand-only
-- A version number for the directory alone (agencies, counters, officers), as sql/0007's figures_version is for
-- everything the figures are computed from: a server keeps what it looked up in the directory for a figures read
-- (which agencies count for which, merges included; officers' and counters' names) under this version, and looks
-- again only when it changed. Every step of the aggregator moves figures_version on, so keyed by that, a province's
-- 10,000 officers' names and its agencies' lineage were looked up again every second while ratings arrived
-- (35–50 ms of each recomputation of a province page, issue 16).
-- Bumped in the transaction that changes the directory, by statement triggers: a reader that reads the version before
-- looking up never keeps a lookup under a version whose changes it did not see. Expand-only: an older binary ignores
-- it, and its changes to the directory bump it through the same triggers.
CREATE TABLE directory_version (
    id      integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);

CREATE FUNCTION bump_directory_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER agencies_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agencies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER counters_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON counters
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER officers_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON officers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
