CREATE OR REPLACE VIEW mart_vote_positions AS
SELECT year(m.meeting_date) AS year, p.sha256, m.body, m.municipality AS municipality_code, m.meeting_date,
       p.case_number, i.title, p.vote_position, v.label, v.kind, v.outcome, p.person, p.written_as, p.party,
       r.name AS party_name, p.position, p.resolved,
       CASE WHEN v.kind = 'alternative'
            THEN list_contains([a.label FOR a IN v.alternatives IF a.outcome = 'adopted'], p.position)
            ELSE (p.position = 'for') = (v.outcome = 'adopted') END AS on_winning_side
FROM vote_positions p
JOIN votes v ON v.sha256 = p.sha256 AND v.case_number = p.case_number AND v.position = p.vote_position
JOIN meetings m ON m.sha256 = p.sha256
JOIN document_years d ON d.sha256 = p.sha256
JOIN agenda_items i ON i.sha256 = p.sha256 AND i.case_number = p.case_number
LEFT JOIN ref_parties r ON r.code = p.party;

COMMENT ON VIEW mart_vote_positions IS 'Grain: one row per named voter per vote. Keys: (sha256, case_number, vote_position, person, position). on_winning_side: voted with the outcome.';
