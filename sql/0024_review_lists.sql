-- The administrators' lists of single responses (issue 16): the flag review page and the complaints inbox read rows of
-- `responses` by nature, and a province's year of them is millions of rows. Each reads only a small share — responses
-- carrying a flag worth reviewing (every flag but no_dossier, `PostgresDashboardStore.reviewable`: about 8 % of
-- ratings), and those with a comment — so each gets a partial index of its own rows, and a page costs what it shows.
CREATE INDEX responses_reviewable_idx ON responses (agency_id, submitted_at)
    WHERE flags && '{rapid_repeat,duplicate_dossier,test,outside_hours,late,unknown_officer,streak,unverified}'::text[];
CREATE INDEX responses_commented_idx ON responses (agency_id, submitted_at) WHERE comment IS NOT NULL;
