CREATE OR REPLACE VIEW mart_attendance AS
SELECT year(m.meeting_date) AS year, m.sha256, m.body, m.municipality AS municipality_code, m.meeting_date,
       a.person, a.party_as_written, a.party, r.name AS party_name, a.role, a.substitute_for, a.title, a.present,
       a.page_number
FROM meeting_attendance a
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256)
LEFT JOIN ref_parties r ON r.code = a.party;

COMMENT ON VIEW mart_attendance IS 'Grain: one row per person listed at a meeting. Keys: (sha256, person, role).';
