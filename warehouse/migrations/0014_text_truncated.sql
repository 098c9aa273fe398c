-- Text beyond the configured limit (Limits.max_text_chars) is cut after reading; how much was cut is kept with
-- the document, so an analyst sees that its pages are not the whole file.
ALTER TABLE documents ADD COLUMN text_truncated_chars BIGINT DEFAULT 0;
COMMENT ON COLUMN documents.text_truncated_chars IS 'characters cut beyond the text limit (5 000 000 by default); 0 when the whole text is kept';
-- The two views over `d.*` are made again so they carry the new column in every warehouse (DuckDB keeps a
-- view's column list from when it was made until the file is opened again).
CREATE OR REPLACE VIEW current_documents AS
SELECT d.*, v.source AS current_source, v.version
FROM documents d
JOIN source_versions v ON v.sha256 = d.sha256 AND v.is_current;
COMMENT ON VIEW current_documents IS 'Grain: one row per (document, source path currently pointing at it). Keys: (sha256, current_source).';
CREATE OR REPLACE VIEW document_years AS
SELECT d.*, coalesce(d.document_year, year(d.document_date)) AS year,
       (SELECT min(v.source) FROM source_versions v WHERE v.sha256 = d.sha256 AND v.is_current) AS current_source
FROM documents d
WHERE d.status = 'ok'
  AND EXISTS (SELECT 1 FROM source_versions v WHERE v.sha256 = d.sha256 AND v.is_current);
COMMENT ON VIEW document_years IS 'Grain: one row per readable (status ok) document that some source path points at now. Keys: sha256. Adds year = document_year or the year of document_date.';
