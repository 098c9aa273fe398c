-- How each run ended: completed, or interrupted (a crash, kill -9, a timeout) and closed by the next run's start;
-- and whether personal data was masked (`--keep-personal-data` stores it in clear and says so here).
ALTER TABLE runs ADD COLUMN outcome VARCHAR;
ALTER TABLE runs ADD COLUMN personal_data_masked BOOLEAN;
UPDATE runs SET outcome = CASE WHEN finished_at IS NULL THEN 'interrupted' ELSE 'completed' END;
-- Fetch outcomes: a link outside what the source is configured for (another scheme, host or a loopback address)
-- is refused, never requested.
ALTER TABLE source_runs ADD COLUMN refused INTEGER DEFAULT 0;
