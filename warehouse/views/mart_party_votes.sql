-- How each party present voted on each decided item (and each counted proposal). Protocols name the
-- parties voting against; every other party present is counted as voting for. A party split inside
-- itself is not visible in the source and is not invented here.
CREATE OR REPLACE VIEW mart_party_votes AS
WITH present_parties AS (
    SELECT sha256, party, any_value(party_as_written) AS party_as_written, count(*) AS members
    FROM meeting_attendance
    WHERE present AND role IN ('member', 'substitute') AND party IS NOT NULL
    GROUP BY sha256, party
), motions AS (
    SELECT sha256, case_number, 0 AS position, 'decision' AS motion, outcome, votes_for, votes_against, against_parties
    FROM agenda_items WHERE outcome IS NOT NULL
    UNION ALL
    SELECT sha256, case_number, position, kind, outcome, votes_for, votes_against, against_parties
    FROM proposals
)
SELECT year(m.meeting_date) AS year, m.sha256, m.body, m.municipality AS municipality_code, m.meeting_date,
       mo.case_number, i.title, mo.position, mo.motion, mo.outcome, mo.votes_for, mo.votes_against,
       pp.party, pp.party_as_written, r.name AS party_name, pp.members,
       CASE WHEN list_contains(mo.against_parties, pp.party_as_written) OR list_contains(mo.against_parties, pp.party)
            THEN 'against' ELSE 'for' END AS vote
FROM motions mo
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256)
JOIN agenda_items i ON i.sha256 = mo.sha256 AND i.case_number = mo.case_number
JOIN present_parties pp ON pp.sha256 = mo.sha256
LEFT JOIN ref_parties r ON r.code = pp.party;

COMMENT ON VIEW mart_party_votes IS 'Grain: one row per (motion, party present). Keys: (sha256, case_number, position, party). position 0 is the item''s decision, 1.. its extra proposals. Parties not named as voting against are counted for.';

COMMENT ON COLUMN mart_party_votes.members IS 'the party''s members and substitutes present';

COMMENT ON COLUMN mart_party_votes.vote IS 'for | against';
