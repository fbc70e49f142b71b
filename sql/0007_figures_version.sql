-- A version number for everything the live figures are computed from, so that a server may keep a computed answer
-- of GET /api/v1/indices and serve it again until any of its inputs changes (the same figures, without recomputing
-- a province's year for every poll of a dashboard or the PAR office).
--
-- It is bumped in the transaction that changes an input, so a reader that reads the version before computing never
-- keeps an answer under a version whose data it did not see: the directory tables by the triggers below, the counts
-- by the aggregator when a step applied responses or corrections (a statement trigger on response_counts would fire
-- on every idle poll), and a rebuild by the TRUNCATE trigger.
CREATE TABLE figures_version (
    id      integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO figures_version (id, version) VALUES (1, 1);

CREATE FUNCTION bump_figures_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE figures_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER agencies_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agencies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER counters_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON counters
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER officers_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON officers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER questionnaires_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON questionnaires
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER methodologies_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON methodologies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER dossiers_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dossiers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER response_counts_figures_version AFTER TRUNCATE ON response_counts
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
