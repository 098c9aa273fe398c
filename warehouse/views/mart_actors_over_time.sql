-- Projects and organisations --------------------------------------------------------------------

CREATE OR REPLACE VIEW mart_actors_over_time AS
SELECT d.year, e.label AS kind, json_extract_string(e.value, '$') AS name, d.doc_type,
       count(*) AS mentions, count(DISTINCT e.sha256) AS documents,
       min(d.document_date) AS first_dated, max(d.document_date) AS last_dated,
       list(DISTINCT e.text ORDER BY e.text) AS written_as
FROM entities e
JOIN document_years d USING (sha256)
WHERE e.label IN ('PROJECT', 'ORG') AND e.value IS NOT NULL
GROUP BY d.year, e.label, json_extract_string(e.value, '$'), d.doc_type;

COMMENT ON VIEW mart_actors_over_time IS 'Grain: one row per (year, kind, normalised name, document type). Keys: (year, kind, name, doc_type).';

COMMENT ON COLUMN mart_actors_over_time.kind IS 'PROJECT | ORG';
