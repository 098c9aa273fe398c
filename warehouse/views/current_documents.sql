-- The two views over `d.*` are made again so they carry the new column in every warehouse (DuckDB keeps a
-- view's column list from when it was made until the file is opened again).
CREATE OR REPLACE VIEW current_documents AS
SELECT d.*, v.source AS current_source, v.version
FROM documents d
JOIN source_versions v ON v.sha256 = d.sha256 AND v.is_current;

COMMENT ON VIEW current_documents IS 'Grain: one row per (document, source path currently pointing at it). Keys: (sha256, current_source).';
