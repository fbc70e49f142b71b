-- hailong: expand-only
-- What each compaction moved (issue 16, the live target). A compaction moves fresh cells into the cubes and so moves
-- the cube generation on (sql/0030): every figures read a server kept for the old generation was read again from the
-- cubes, a province's officers, months and hours about a second at 10M responses, once a minute, while answers waited.
-- The cubes after a compaction are the cubes before it plus the cells it moved; so each compaction now records the
-- generation it started from and the one it ended at, and the cells (and hourly ratings) it moved, and a reader that
-- kept a read at the first adds the moved cells to it instead of reading the cubes again (`BaseCounts`,
-- `KeptHeatmaps`). Only an unbroken chain of recorded compactions from the kept generation to the current one may be
-- used so: a rebuild, the rollups' fill or anything else that writes the cubes moves the generation without a record.
-- Kept ten minutes. Expand-only: an older binary's compactions leave no record, and readers read the cubes again.
CREATE TABLE compactions (
    from_generation bigint PRIMARY KEY,
    to_generation   bigint NOT NULL CHECK (to_generation > from_generation),
    compacted_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE compacted_counts (
    from_generation bigint NOT NULL,
    LIKE fresh_counts
);
CREATE INDEX compacted_counts_generation ON compacted_counts (from_generation, agency_id);

CREATE TABLE compacted_hourly (
    from_generation bigint NOT NULL,
    LIKE fresh_hourly
);
CREATE INDEX compacted_hourly_generation ON compacted_hourly (from_generation, agency_id);

SELECT hailong_agency_policy('compacted_counts', 'agency_id'), hailong_agency_policy('compacted_hourly', 'agency_id');
