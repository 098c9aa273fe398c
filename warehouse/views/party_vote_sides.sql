-- How each party's named voters split in each roll-call vote.
CREATE OR REPLACE VIEW party_vote_sides AS
SELECT sha256, case_number, vote_position, body, municipality_code, meeting_date, party,
       sum(n) AS voters, count(*) AS sides,
       CASE WHEN max(n) * 2 > sum(n) THEN arg_max(position, n) END AS majority_side  -- none when the party split evenly
FROM (SELECT sha256, case_number, vote_position, body, municipality_code, meeting_date, party, position, count(*) AS n
      FROM person_votes WHERE party IS NOT NULL GROUP BY ALL)
GROUP BY ALL;

COMMENT ON VIEW party_vote_sides IS 'Grain: one row per party per roll-call vote. Keys: (sha256, case_number, vote_position, party). sides = 1: the party voted as one; majority_side only where more than half took it.';
