-- E2.2 prints every list's candidates; the elected are starred. The rest are people too (public roles): the
-- identity stage ties a 2019 candidate to the substitute who meets in 2026.
CREATE TABLE election_candidates (
    sha256          VARCHAR NOT NULL,
    part            INTEGER NOT NULL,
    party           VARCHAR,
    party_code      VARCHAR,
    rank            INTEGER,   -- the list's new ranking after the count
    name            VARCHAR NOT NULL,
    birth_year      INTEGER,
    personal_votes  INTEGER
);
COMMENT ON TABLE election_candidates IS 'Grain: one row per candidate a list put up who was not elected (neither representative nor alternate). Keys: (sha256, part, party, rank).';
