CREATE OR REPLACE VIEW mart_elected AS
SELECT e.election_year AS year, x.sha256, x.part, e.election,
       CASE e.election WHEN 'kommunestyrevalg' THEN 'kommunestyre' WHEN 'fylkestingsvalg' THEN 'fylkesting'
                       WHEN 'stortingsvalg' THEN 'storting' WHEN 'sametingsvalg' THEN 'sameting' END AS body,
       CASE WHEN e.election = 'kommunestyrevalg' THEN coalesce(e.municipality_code_elected, e.municipality_code)
            ELSE coalesce(e.county_code_elected, e.county_code) END AS body_area_code,
       coalesce(e.municipality, e.county) AS area, e.election_year + 1 AS period_start_year, e.election_year + 4 AS period_end_year,
       x.name, x.birth_year, x.party, x.party_code, r.name AS party_name, x.role, x.rank, x.personal_votes
FROM election_elected x
JOIN elections e USING (sha256, part)
JOIN documents d USING (sha256)
LEFT JOIN ref_parties r ON r.code = x.party_code
WHERE d.status = 'ok';

COMMENT ON VIEW mart_elected IS 'Grain: one row per elected person per protocol: person × party × body × period. Keys: (sha256, part, party, role, rank). The seed of person identity across documents.';
