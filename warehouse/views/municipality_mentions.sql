CREATE OR REPLACE VIEW municipality_mentions AS
SELECT e.code AS kommunenummer, d.doc_type, count(*) AS mentions, count(DISTINCT e.sha256) AS documents,
       list(DISTINCT e.text) AS written_as
FROM entities e JOIN documents d USING (sha256)
WHERE e.label = 'MUNICIPALITY' AND e.code IS NOT NULL
GROUP BY ALL;

COMMENT ON VIEW municipality_mentions IS 'Grain: one row per (kommunenummer, document type). Keys: (kommunenummer, doc_type).';
