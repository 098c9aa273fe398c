CREATE OR REPLACE VIEW mart_organisation_projects AS
SELECT d.year, o.org_id, o.name AS organisation, o.kind, json_extract_string(p.value, '$') AS project,
       count(DISTINCT m.sha256) AS documents
FROM organisation_mentions m
JOIN organisations o USING (org_id)
JOIN document_years d ON d.sha256 = m.sha256
JOIN entities p ON p.sha256 = m.sha256 AND p.label = 'PROJECT'
GROUP BY ALL;

COMMENT ON VIEW mart_organisation_projects IS 'Grain: one row per organisation, project and year. Keys: (org_id, project, year). Documents naming both: which projects an organisation appears in across years.';
