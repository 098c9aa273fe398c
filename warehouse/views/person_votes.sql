-- Each named vote with its winning side, joined to the voter's person.
CREATE OR REPLACE VIEW person_votes AS
SELECT n.person_id, v.sha256, v.case_number, v.vote_position, v.position, v.party, m.body, m.municipality AS municipality_code,
       m.meeting_date, t.outcome,
       CASE WHEN v.position = 'for' THEN t.outcome = 'adopted'
            WHEN v.position = 'against' THEN t.outcome = 'rejected'
            ELSE list_contains(list_transform(list_filter(t.alternatives, a -> a.outcome = 'adopted'), a -> a.label), v.position)
       END AS on_winning_side
FROM vote_positions v
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256)
JOIN votes t ON t.sha256 = v.sha256 AND t.case_number = v.case_number AND t.position = v.vote_position
JOIN person_names n ON n.scope = coalesce(m.municipality, 'doc:' || v.sha256) AND n.name = v.person
WHERE t.outcome IN ('adopted', 'rejected');

COMMENT ON VIEW person_votes IS 'Grain: one row per named voter per decided vote. Keys: (sha256, case_number, vote_position, person_id). on_winning_side: the side the person took won.';
