-- Document structures. Every row carries the document (sha256) and the page it was read from.

CREATE TABLE meetings (
    sha256         VARCHAR PRIMARY KEY,
    body           VARCHAR,
    municipality   VARCHAR,           -- kommunenummer valid at the meeting date
    meeting_date   DATE,
    start_time     VARCHAR,
    end_time       VARCHAR,
    place          VARCHAR,
    chair          VARCHAR,
    secretary      VARCHAR,
    members_present INTEGER NOT NULL
);

CREATE TABLE meeting_attendance (
    sha256          VARCHAR NOT NULL,
    person          VARCHAR NOT NULL,
    party_as_written VARCHAR,
    party           VARCHAR,          -- official election code (AP -> A)
    role            VARCHAR NOT NULL, -- member | substitute | administration | observer
    substitute_for  VARCHAR,
    title           VARCHAR,
    present         BOOLEAN NOT NULL,
    page_number     INTEGER
);

CREATE TABLE agenda_items (
    sha256            VARCHAR NOT NULL,
    case_number       VARCHAR NOT NULL,
    archive_ref       VARCHAR,
    title             VARCHAR NOT NULL,
    item_type         VARCHAR NOT NULL,
    decision_kind     VARCHAR NOT NULL,
    proposed_decision VARCHAR,
    decision_text     VARCHAR,
    outcome           VARCHAR,
    votes_for         INTEGER,
    votes_against     INTEGER,
    against_parties   VARCHAR[],
    issues            VARCHAR[],      -- reconciliation problems, e.g. more votes than members present
    page_number       INTEGER,
    PRIMARY KEY (sha256, case_number)
);

CREATE TABLE proposals (
    sha256          VARCHAR NOT NULL,
    case_number     VARCHAR NOT NULL,
    position        INTEGER NOT NULL,
    proposed_by     VARCHAR,
    kind            VARCHAR,
    outcome         VARCHAR,
    votes_for       INTEGER,
    votes_against   INTEGER,
    against_parties VARCHAR[],
    PRIMARY KEY (sha256, case_number, position)
);

CREATE TABLE letters (
    sha256          VARCHAR PRIMARY KEY,
    sender          VARCHAR,
    recipients      VARCHAR[],
    our_reference   VARCHAR,
    your_reference  VARCHAR,
    letter_date     DATE,
    case_handler    VARCHAR,
    subject         VARCHAR,
    deadlines       STRUCT(what VARCHAR, "date" DATE)[],
    project_numbers VARCHAR[]
);

CREATE TABLE grant_allocations (
    sha256          VARCHAR NOT NULL,
    recipient       VARCHAR NOT NULL,   -- as written
    recipient_level VARCHAR NOT NULL,   -- county | municipality | network | other
    recipient_code  VARCHAR,            -- valid at the letter's date
    column_name     VARCHAR NOT NULL,
    column_meaning  VARCHAR NOT NULL,   -- applied | granted | weighted_share | to_distribute | other
    amount_nok      DECIMAL(18, 2) NOT NULL,
    project_number  VARCHAR,
    year            INTEGER,
    page_number     INTEGER,
    historical_code VARCHAR             -- the name's last valid code when it had none at the letter's date
);

CREATE TABLE table_totals (
    sha256               VARCHAR NOT NULL,
    column_name          VARCHAR NOT NULL,
    stated_sum           DECIMAL(18, 2) NOT NULL,
    computed_sum_of_rows DECIMAL(18, 2) NOT NULL,
    consistent           BOOLEAN NOT NULL,
    difference           DECIMAL(18, 2) NOT NULL,
    page_number          INTEGER
);

CREATE TABLE reports (
    sha256        VARCHAR PRIMARY KEY,
    organisation  VARCHAR,
    year          INTEGER
);

CREATE TABLE report_sections (
    sha256       VARCHAR NOT NULL,
    position     INTEGER NOT NULL,
    title        VARCHAR NOT NULL,
    leader       VARCHAR,
    coordinator  VARCHAR,
    initiatives  STRUCT(initiative VARCHAR, status VARCHAR)[],
    PRIMARY KEY (sha256, position)
);

-- County codes across the 2020 and 2024 reforms: each code with the codes it became or came from,
-- so a 2023 Viken (30) row compares with 2024 Akershus (32), Buskerud (33) and Østfold (31).
CREATE TABLE county_lineage (
    old_code  VARCHAR NOT NULL,
    new_code  VARCHAR NOT NULL,
    reform    INTEGER NOT NULL
);
INSERT INTO county_lineage VALUES
    ('01', '30', 2020), ('02', '30', 2020), ('06', '30', 2020),
    ('04', '34', 2020), ('05', '34', 2020), ('07', '38', 2020), ('08', '38', 2020),
    ('09', '42', 2020), ('10', '42', 2020), ('12', '46', 2020), ('14', '46', 2020),
    ('19', '54', 2020), ('20', '54', 2020), ('16', '50', 2018), ('17', '50', 2018),
    ('30', '31', 2024), ('30', '32', 2024), ('30', '33', 2024),
    ('38', '39', 2024), ('38', '40', 2024), ('54', '55', 2024), ('54', '56', 2024);

-- Grants by county and year; comparable_2024_codes lists the post-2024 county codes a row maps to
-- (Viken 30 -> 31, 32, 33), so analysts can line 2023 rows up with 2024 ones.
CREATE VIEW grants_by_county_year AS
SELECT g.year,
       g.recipient_code AS county_code,
       g.historical_code,
       g.recipient AS county,
       g.column_meaning,
       sum(g.amount_nok) AS amount_nok,
       coalesce((SELECT list(l.new_code ORDER BY l.new_code) FROM county_lineage l
                 WHERE l.old_code = coalesce(g.recipient_code, g.historical_code) AND l.reform = 2024),
                [coalesce(g.recipient_code, g.historical_code)]) AS comparable_2024_codes,
       count(DISTINCT g.sha256) AS documents
FROM grant_allocations g
JOIN documents d USING (sha256)
WHERE g.recipient_level IN ('county', 'network') AND d.status = 'ok'
GROUP BY g.year, g.recipient_code, g.historical_code, g.recipient, g.column_meaning;

CREATE VIEW municipality_mentions AS
SELECT e.code AS kommunenummer, d.doc_type, count(*) AS mentions, count(DISTINCT e.sha256) AS documents,
       list(DISTINCT e.text) AS written_as
FROM entities e JOIN documents d USING (sha256)
WHERE e.label = 'MUNICIPALITY' AND e.code IS NOT NULL
GROUP BY ALL;

CREATE VIEW projects_over_time AS
SELECT json_extract_string(e.value, '$') AS project, coalesce(d.document_year, year(d.document_date)) AS year,
       d.doc_type, count(*) AS mentions, count(DISTINCT e.sha256) AS documents
FROM entities e JOIN documents d USING (sha256)
WHERE e.label = 'PROJECT'
GROUP BY ALL;

CREATE VIEW votes_by_party AS
SELECT m.body, m.municipality, m.meeting_date, i.case_number, i.title, i.outcome, i.votes_for, i.votes_against,
       unnest(CASE WHEN len(i.against_parties) = 0 THEN [NULL] ELSE i.against_parties END) AS against_party
FROM agenda_items i JOIN meetings m USING (sha256);
