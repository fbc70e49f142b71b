-- hailong: expand-only
-- The daily cube, the week cube and the monthly rollup indexed by time first (issue 16). Their keys start with the
-- agency, so a province's period (its 1,001 agencies, every one of them in the table) was read as 1,001 descents of
-- each key for each branch of the figures' statement: a range of two weeks and some days around a month read 100,000
-- pages over its three statements (the period, the one before, the other questionnaire), three times the pages that
-- hold its rows, and its first view after a restart took 0.9–1.8 s at 10M responses. By time, that is one range of
-- each index; the planner still takes the agency's key for a few agencies. Built in about 8 s at 10M responses; a
-- rebuild drops the daily cube's and builds it again after filling the table, as it does the agency's.
CREATE INDEX response_counts_day_idx ON response_counts (day, questionnaire_id);
CREATE INDEX weekly_counts_time_idx ON weekly_counts (week, questionnaire_id);
CREATE INDEX monthly_counts_time_idx ON monthly_counts (month, questionnaire_id);
