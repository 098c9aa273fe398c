CREATE OR REPLACE VIEW mart_party_cohesion AS
SELECT year(meeting_date) AS year, body, municipality_code, party, count(*) AS roll_call_votes,
       count(*) FILTER (WHERE sides = 1) AS votes_as_one, round(count(*) FILTER (WHERE sides = 1) / count(*), 3) AS cohesion
FROM (SELECT DISTINCT body, municipality_code, meeting_date, case_number, vote_position, party, sides
      FROM party_vote_sides WHERE voters >= 2)
GROUP BY ALL;

COMMENT ON VIEW mart_party_cohesion IS 'Grain: one row per body, municipality, year and party. Keys: (body, municipality_code, year, party). Share of roll-call votes (two or more of the party named) where the party voted as one; parties voting as a block in non-roll-call votes are not visible and not counted.';
