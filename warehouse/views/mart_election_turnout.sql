CREATE OR REPLACE VIEW mart_election_turnout AS
SELECT e.election_year AS year, e.sha256, e.part, e.election, e.kind, e.municipality,
       coalesce(e.municipality_code_elected, e.municipality_code) AS municipality_code, e.municipality_code AS municipality_code_on_election_day,
       e.county, coalesce(e.county_code_elected, e.county_code) AS county_code, e.eligible_voters, e.marked_in_register,
       e.turnout_percent, e.advance_votings_approved, e.election_day_votings_approved, e.votings_rejected,
       e.ballots_approved, e.ballots_rejected, e.council_size, e.reconciled, e.text_source
FROM elections e JOIN documents d USING (sha256)
WHERE d.status = 'ok' AND e.kind IN ('valgstyret', 'fylkesvalgstyret');

COMMENT ON VIEW mart_election_turnout IS 'Grain: one row per municipality (or county) board protocol of a current readable document: municipality × election × year. Keys: (sha256, part). Codes are those of the elected body (2019 protocols: the 2020 units).';
