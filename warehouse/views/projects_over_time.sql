CREATE OR REPLACE VIEW projects_over_time AS
SELECT json_extract_string(e.value, '$') AS project, coalesce(d.document_year, year(d.document_date)) AS year,
       d.doc_type, count(*) AS mentions, count(DISTINCT e.sha256) AS documents
FROM entities e JOIN documents d USING (sha256)
WHERE e.label = 'PROJECT'
GROUP BY ALL;

COMMENT ON VIEW projects_over_time IS 'Grain: one row per (project, year, document type). Keys: (project, year, doc_type).';
