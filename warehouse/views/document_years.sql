CREATE OR REPLACE VIEW document_years AS
SELECT d.*, coalesce(d.document_year, year(d.document_date)) AS year,
       (SELECT min(v.source) FROM source_versions v WHERE v.sha256 = d.sha256 AND v.is_current) AS current_source
FROM documents d
WHERE d.status = 'ok'
  AND EXISTS (SELECT 1 FROM source_versions v WHERE v.sha256 = d.sha256 AND v.is_current);

COMMENT ON VIEW document_years IS 'Grain: one row per readable (status ok) document that some source path points at now. Keys: sha256. Adds year = document_year or the year of document_date.';
