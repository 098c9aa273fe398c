-- The run that quarantined each document. The alert of a run lists its quarantined documents by this id: the
-- Airflow path processes (and time-stamps) documents before its load run starts, so a time window found none.
-- (No COMMENT ON COLUMN here: quarantine's id defaults to nextval(), see 0007 and duckdb/duckdb#19712.)
ALTER TABLE quarantine ADD COLUMN run_id BIGINT;
