CREATE OR REPLACE VIEW votes_by_party AS
SELECT m.body, m.municipality, m.meeting_date, i.case_number, i.title, i.outcome, i.votes_for, i.votes_against,
       unnest(CASE WHEN len(i.against_parties) = 0 THEN [NULL] ELSE i.against_parties END) AS against_party
FROM agenda_items i JOIN meetings m USING (sha256);

COMMENT ON VIEW votes_by_party IS 'Grain: one row per (agenda item, party voting against); items without named opponents once, with against_party NULL. Keys: (body, meeting_date, case_number, against_party).';
