-- hailong: expand-only
-- Every agency's ancestors, itself included, kept by triggers on agencies: a subtree is one range of an index rather
-- than a walk down the tree. Row-level security asks for the scope's subtree once in every statement for every table
-- it guards, and the lists ask for it too; for a province of 1,001 agencies the walk took 1 ms each time, 6 of the
-- complaints inbox's 11 ms at 10M responses (issue 16, the warm pages with 4 connections).
-- Expand-only: `agency_subtree` and `hailong_scope_agencies` answer exactly as before, and an older binary that adds
-- agencies keeps the tree through the same triggers.
CREATE TABLE agency_tree (
    ancestor_id bigint NOT NULL,
    id          bigint NOT NULL,
    depth       integer NOT NULL,
    PRIMARY KEY (ancestor_id, id)
);

-- Read only through the functions below (as the owner): the service's roles neither read nor write it, so that it
-- cannot show an agency outside the scope the policies allow.
REVOKE ALL ON agency_tree FROM PUBLIC;
DO $$
DECLARE
    role text;
BEGIN
    FOREACH role IN ARRAY ARRAY['hailong_runtime', 'hailong_app']
    LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN
            EXECUTE format('REVOKE ALL ON agency_tree FROM %I', role);
        END IF;
    END LOOP;
END $$;

-- The whole tree from the agencies, walked from the roots as `agency_subtree` walked down (at most 64 levels).
CREATE FUNCTION agency_tree_rebuild() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    DELETE FROM agency_tree;
    INSERT INTO agency_tree (ancestor_id, id, depth)
    WITH RECURSIVE down AS (
        SELECT a.id AS ancestor_id, a.id, 0 AS depth FROM agencies a
        UNION ALL
        SELECT d.ancestor_id, a.id, d.depth + 1 FROM agencies a JOIN down d ON a.parent_id = d.id WHERE d.depth < 64
    )
    SELECT ancestor_id, id, min(depth) FROM down GROUP BY 1, 2;
$$;

-- A new agency: its parent's ancestors and itself. (Rows of one INSERT are added in order, after the statement, so a
-- parent inserted by the same statement is already in the tree for its children.)
CREATE FUNCTION agency_tree_add() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO agency_tree (ancestor_id, id, depth)
    SELECT t.ancestor_id, NEW.id, t.depth + 1 FROM agency_tree t WHERE t.id = NEW.parent_id AND t.depth < 64
    UNION ALL
    SELECT NEW.id, NEW.id, 0;
    RETURN NULL;
END $$;

-- An agency moved or removed (which the service never does; an operator might): the tree again from scratch.
CREATE FUNCTION agency_tree_reset() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM agency_tree_rebuild();
    RETURN NULL;
END $$;

CREATE TRIGGER agency_tree_insert AFTER INSERT ON agencies FOR EACH ROW EXECUTE FUNCTION agency_tree_add();
CREATE TRIGGER agency_tree_move AFTER UPDATE OF id, parent_id ON agencies FOR EACH ROW
    WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id OR OLD.id <> NEW.id) EXECUTE FUNCTION agency_tree_reset();
CREATE TRIGGER agency_tree_delete AFTER DELETE ON agencies FOR EACH STATEMENT EXECUTE FUNCTION agency_tree_reset();
CREATE TRIGGER agency_tree_truncate AFTER TRUNCATE ON agencies FOR EACH STATEMENT EXECUTE FUNCTION agency_tree_reset();

SELECT agency_tree_rebuild();

CREATE OR REPLACE FUNCTION agency_subtree(root bigint) RETURNS TABLE (id bigint)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT t.id FROM agency_tree t WHERE t.ancestor_id = root
$$;

CREATE OR REPLACE FUNCTION hailong_scope_agencies() RETURNS TABLE (id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT t.id FROM agency_tree t WHERE t.ancestor_id = CASE
        WHEN coalesce(current_setting('hailong.scope', true), '') ~ '^[0-9]{1,18}$' THEN current_setting('hailong.scope', true)::bigint END
$$;
