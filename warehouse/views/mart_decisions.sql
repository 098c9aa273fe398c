-- Politics --------------------------------------------------------------------------------------

CREATE OR REPLACE VIEW mart_decisions AS
SELECT year(m.meeting_date) AS year, m.sha256, m.body, m.municipality AS municipality_code,
       place_name('MUNICIPALITY', m.municipality, m.meeting_date) AS municipality,
       m.meeting_date, i.case_number, i.archive_ref, i.title, i.item_type, i.decision_kind, i.outcome,
       i.votes_for, i.votes_against, i.against_parties,
       i.outcome = 'unanimous' AS unanimous,
       (SELECT count(*) FROM proposals p WHERE p.sha256 = i.sha256 AND p.case_number = i.case_number) AS proposals,
       i.issues, i.page_number
FROM agenda_items i
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256);

COMMENT ON VIEW mart_decisions IS 'Grain: one row per agenda item of a meeting. Keys: (sha256, case_number).';
