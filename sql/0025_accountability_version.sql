-- The officers' evaluation and the emulation ranking are answered once per figures version and kept (issue 16: the
-- evaluation of a province's 10,000 officers was computed again for every request). They depend on more than the
-- counts: a violation reported or decided changes a ceiling or a candidate, and a block's members change a ranking.
-- Those tables change the figures version too (sql/0007), so a kept answer is never out of date.
CREATE TRIGGER violations_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON violations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER violation_decisions_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON violation_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER emulation_blocks_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON emulation_blocks
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
CREATE TRIGGER emulation_block_members_figures_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON emulation_block_members
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_version();
