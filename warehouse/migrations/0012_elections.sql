-- Election protocols (issue 17): one row per protocol in a document, its per-party counts, rejections, seats,
-- elected representatives and alternates, board and remarks. Codes: valid on the election day and valid when
-- the elected body begins (a 2019 protocol elects the 2020 council: Senja 5421, Lillestrøm 3030).

CREATE TABLE elections (
    sha256                        VARCHAR NOT NULL,
    part                          INTEGER NOT NULL,   -- protocols in one document (a bundle), from 1
    election                      VARCHAR,            -- kommunestyrevalg | fylkestingsvalg | stortingsvalg | sametingsvalg
    election_year                 INTEGER,
    kind                          VARCHAR,            -- valgstyret | fylkesvalgstyret | stemmestyret | report
    language                      VARCHAR,
    printed_at                    TIMESTAMP,          -- the print stamp in the page footers
    municipality                  VARCHAR,            -- as written
    county                        VARCHAR,
    district                      VARCHAR,            -- polling district of a stemmestyre book
    municipality_code             VARCHAR,            -- valid on the election day
    county_code                   VARCHAR,
    municipality_code_elected     VARCHAR,            -- valid when the elected body begins
    county_code_elected           VARCHAR,
    council_size                  INTEGER,
    eligible_voters               INTEGER,
    marked_in_register            INTEGER,
    turnout_percent               DOUBLE,
    advance_votings_approved      INTEGER,
    election_day_votings_approved INTEGER,
    votings_rejected              INTEGER,
    ballots_approved              INTEGER,
    ballots_rejected              INTEGER,
    text_source                   VARCHAR,            -- text | ocr | mixed
    reconciled                    BOOLEAN,            -- the core tables were read and add up (no read problem)
    issues                        VARCHAR[],          -- read problems and findings (deviation: … lines are findings)
    PRIMARY KEY (sha256, part)
);

CREATE TABLE election_counts (
    sha256       VARCHAR NOT NULL,
    part         INTEGER NOT NULL,
    table_code   VARCHAR NOT NULL,   -- D1.4 (advance), D2.4 (election day), B2.1.2, ...
    party        VARCHAR NOT NULL,   -- as written
    party_code   VARCHAR,
    preliminary  INTEGER,
    final        INTEGER,
    deviation    INTEGER
);

CREATE TABLE election_rejections (
    sha256      VARCHAR NOT NULL,
    part        INTEGER NOT NULL,
    table_code  VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,    -- the legal ground as printed, e.g. § 10-1 (1) f
    domestic    INTEGER,
    abroad      INTEGER
);

CREATE TABLE election_seats (
    sha256      VARCHAR NOT NULL,
    part        INTEGER NOT NULL,
    party       VARCHAR NOT NULL,
    party_code  VARCHAR,
    seats       INTEGER NOT NULL
);

CREATE TABLE election_elected (
    sha256          VARCHAR NOT NULL,
    part            INTEGER NOT NULL,
    party           VARCHAR,
    party_code      VARCHAR,
    rank            INTEGER,
    name            VARCHAR NOT NULL,   -- given name first
    birth_year      INTEGER,
    role            VARCHAR NOT NULL,   -- representative | alternate
    personal_votes  INTEGER
);

CREATE TABLE election_board (
    sha256  VARCHAR NOT NULL,
    part    INTEGER NOT NULL,
    name    VARCHAR NOT NULL,
    role    VARCHAR NOT NULL
);

CREATE TABLE election_remarks (
    sha256      VARCHAR NOT NULL,
    part        INTEGER NOT NULL,
    table_code  VARCHAR NOT NULL,
    text        VARCHAR NOT NULL
);

CREATE VIEW mart_election_turnout AS
SELECT e.election_year AS year, e.sha256, e.part, e.election, e.kind, e.municipality,
       coalesce(e.municipality_code_elected, e.municipality_code) AS municipality_code, e.municipality_code AS municipality_code_on_election_day,
       e.county, coalesce(e.county_code_elected, e.county_code) AS county_code, e.eligible_voters, e.marked_in_register,
       e.turnout_percent, e.advance_votings_approved, e.election_day_votings_approved, e.votings_rejected,
       e.ballots_approved, e.ballots_rejected, e.council_size, e.reconciled, e.text_source
FROM elections e JOIN documents d USING (sha256)
WHERE d.status = 'ok' AND e.kind IN ('valgstyret', 'fylkesvalgstyret');

CREATE VIEW mart_election_count_deviations AS
SELECT e.election_year AS year, c.sha256, c.part, e.election, e.municipality,
       coalesce(e.municipality_code_elected, e.municipality_code) AS municipality_code, c.table_code,
       CASE c.table_code WHEN 'D1.4' THEN 'advance' WHEN 'D2.4' THEN 'election day' ELSE c.table_code END AS ballots,
       c.party, c.party_code, c.preliminary, c.final, coalesce(c.deviation, c.final - c.preliminary) AS deviation,
       abs(coalesce(c.deviation, c.final - c.preliminary)) AS abs_deviation,
       round(100.0 * abs(coalesce(c.deviation, c.final - c.preliminary)) / nullif(c.preliminary, 0), 2) AS deviation_percent
FROM election_counts c
JOIN elections e USING (sha256, part)
JOIN documents d USING (sha256)
WHERE d.status = 'ok' AND c.preliminary IS NOT NULL AND c.final IS NOT NULL;

CREATE VIEW mart_elected AS
SELECT e.election_year AS year, x.sha256, x.part, e.election,
       CASE e.election WHEN 'kommunestyrevalg' THEN 'kommunestyre' WHEN 'fylkestingsvalg' THEN 'fylkesting'
                       WHEN 'stortingsvalg' THEN 'storting' WHEN 'sametingsvalg' THEN 'sameting' END AS body,
       CASE WHEN e.election = 'kommunestyrevalg' THEN coalesce(e.municipality_code_elected, e.municipality_code)
            ELSE coalesce(e.county_code_elected, e.county_code) END AS body_area_code,
       coalesce(e.municipality, e.county) AS area, e.election_year + 1 AS period_start_year, e.election_year + 4 AS period_end_year,
       x.name, x.birth_year, x.party, x.party_code, r.name AS party_name, x.role, x.rank, x.personal_votes
FROM election_elected x
JOIN elections e USING (sha256, part)
JOIN documents d USING (sha256)
LEFT JOIN ref_parties r ON r.code = x.party_code
WHERE d.status = 'ok';

COMMENT ON TABLE elections IS 'Grain: one row per election protocol in a document. Keys: (sha256, part). Key figures of section A, codes on the election day and for the elected body.';
COMMENT ON TABLE election_counts IS 'Grain: one row per (protocol, table, party). Keys: (sha256, part, table_code, party). D1.4/D2.4 carry the preliminary and final count and their deviation.';
COMMENT ON TABLE election_rejections IS 'Grain: one row per (protocol, table, legal ground). Keys: (sha256, part, table_code, reason).';
COMMENT ON TABLE election_seats IS 'Grain: one row per (protocol, party) with seats. Keys: (sha256, part, party).';
COMMENT ON TABLE election_elected IS 'Grain: one row per elected representative or alternate. Keys: (sha256, part, party, role, rank).';
COMMENT ON TABLE election_board IS 'Grain: one row per member of the election board (valgstyre, stemmestyre). Keys: (sha256, part, name, role).';
COMMENT ON TABLE election_remarks IS 'Grain: one row per remark (merknad) of a protocol section. Keys: (sha256, part, table_code, text).';
COMMENT ON VIEW mart_election_turnout IS 'Grain: one row per municipality (or county) board protocol of a current readable document: municipality × election × year. Keys: (sha256, part). Codes are those of the elected body (2019 protocols: the 2020 units).';
COMMENT ON VIEW mart_election_count_deviations IS 'Grain: one row per (protocol, table, party) with both a preliminary and a final count. Keys: (sha256, part, table_code, party). The counting control: sort by abs_deviation.';
COMMENT ON VIEW mart_elected IS 'Grain: one row per elected person per protocol: person × party × body × period. Keys: (sha256, part, party, role, rank). The seed of person identity across documents.';
