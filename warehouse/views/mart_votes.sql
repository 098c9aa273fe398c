CREATE OR REPLACE VIEW mart_votes AS
SELECT year(m.meeting_date) AS year, v.sha256, m.body, i.handled_by, m.municipality AS municipality_code, m.meeting_date,
       v.case_number, i.title, v.position, v.label, v.kind, v.proposed_by, v.proposer_party, v.outcome, v.unanimous,
       v.votes_for, v.votes_against, v.parties_for, v.parties_against, v.alternatives, v.casting_vote,
       (SELECT count(*) FROM vote_positions p WHERE p.sha256 = v.sha256 AND p.case_number = v.case_number
                                               AND p.vote_position = v.position) AS named_voters,
       len(v.issues) = 0 AS reconciled, v.issues, v.page_number
FROM votes v
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256)
JOIN agenda_items i ON i.sha256 = v.sha256 AND i.case_number = v.case_number;

COMMENT ON VIEW mart_votes IS 'Grain: one row per vote of a current readable protocol or decision record. Keys: (sha256, case_number, position). reconciled: named voters agree with the stated counts and the attendance.';
