-- Reference tables (filled from the shipped refdata by warehouse/reference.py) and the analysts' marts:
-- one view per common question, each with a `year` column so exports can be partitioned by it.

CREATE TABLE ref_counties (
    code        VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    valid_from  DATE NOT NULL,
    valid_to    DATE,                 -- exclusive; NULL = still valid
    PRIMARY KEY (code, valid_from)
);

CREATE TABLE ref_municipalities (
    code        VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    county      VARCHAR NOT NULL,
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    PRIMARY KEY (code, valid_from)
);

CREATE TABLE ref_parties (
    code  VARCHAR PRIMARY KEY,
    name  VARCHAR NOT NULL
);

CREATE TABLE reference_versions (
    name     VARCHAR PRIMARY KEY,     -- the refdata file
    sha256   VARCHAR NOT NULL,        -- of the file's bytes when it was loaded
    rows     INTEGER NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);

-- The county a code belongs to in the 2020-2023 map, the common denominator of both reforms:
-- Østfold/Akershus/Buskerud (01, 02, 06 before 2020; 31, 32, 33 from 2024) all map to Viken (30).
CREATE MACRO comparable_county(c) AS coalesce(
    (SELECT l.new_code FROM county_lineage l WHERE l.old_code = c AND l.reform IN (2018, 2020)),
    (SELECT min(l.old_code) FROM county_lineage l WHERE l.new_code = c AND l.reform = 2024),
    c);

-- The (Norwegian) name a municipality or county code had on a given day; undated documents use 2024-01-01.
CREATE MACRO place_name(level, c, on_day) AS split_part(CASE
    WHEN level = 'MUNICIPALITY' THEN
        (SELECT min(m.name) FROM ref_municipalities m
         WHERE m.code = c AND coalesce(on_day, DATE '2024-01-01') >= m.valid_from
           AND (m.valid_to IS NULL OR coalesce(on_day, DATE '2024-01-01') < m.valid_to))
    ELSE
        (SELECT min(k.name) FROM ref_counties k
         WHERE k.code = c AND coalesce(on_day, DATE '2024-01-01') >= k.valid_from
           AND (k.valid_to IS NULL OR coalesce(on_day, DATE '2024-01-01') < k.valid_to))
    END, ' - ', 1);

CREATE VIEW document_years AS
SELECT d.*, coalesce(d.document_year, year(d.document_date)) AS year,
       (SELECT min(v.source) FROM source_versions v WHERE v.sha256 = d.sha256 AND v.is_current) AS current_source
FROM documents d
WHERE d.status = 'ok'
  AND EXISTS (SELECT 1 FROM source_versions v WHERE v.sha256 = d.sha256 AND v.is_current);

-- Money -----------------------------------------------------------------------------------------

CREATE VIEW mart_amounts AS
WITH places AS (
    SELECT sha256, page_number, start_char, label AS place_level, code AS place_code
    FROM entities WHERE label IN ('MUNICIPALITY', 'COUNTY') AND code IS NOT NULL
)
SELECT d.year, d.sha256, d.title, d.doc_type, d.document_date, a.page_number, a.start_char, a.end_char,
       a.text, a.amount_nok,
       p.place_level, p.place_code,
       place_name(p.place_level, p.place_code, d.document_date) AS place_name,
       CASE WHEN p.place_level = 'MUNICIPALITY' THEN left(p.place_code, 2) ELSE p.place_code END AS county_code,
       comparable_county(CASE WHEN p.place_level = 'MUNICIPALITY' THEN left(p.place_code, 2) ELSE p.place_code END)
           AS county_code_2020,
       d.current_source AS source
FROM entities a
JOIN document_years d USING (sha256)
ASOF LEFT JOIN places p
    ON p.sha256 = a.sha256 AND p.page_number = a.page_number AND a.start_char >= p.start_char
WHERE a.label = 'AMOUNT' AND a.amount_nok IS NOT NULL;

CREATE VIEW mart_amounts_by_place_year AS
SELECT year, doc_type, place_level, place_code, any_value(place_name) AS place_name, county_code_2020,
       count(*) AS amounts, sum(amount_nok) AS total_nok, count(DISTINCT sha256) AS documents
FROM mart_amounts
GROUP BY year, doc_type, place_level, place_code, county_code_2020;

CREATE VIEW mart_grants AS
SELECT g.year, g.sha256, coalesce(l.subject, d.title) AS programme, l.sender, d.document_date AS letter_date,
       g.recipient, g.recipient_level, g.recipient_code, g.historical_code, g.project_number,
       g.column_name, g.column_meaning, g.amount_nok, g.page_number,
       CASE WHEN g.recipient_level = 'municipality' THEN left(g.recipient_code, 2)
            ELSE coalesce(g.recipient_code, g.historical_code) END AS county_code,
       comparable_county(CASE WHEN g.recipient_level = 'municipality' THEN left(g.recipient_code, 2)
                              ELSE coalesce(g.recipient_code, g.historical_code) END) AS county_code_2020,
       d.current_source AS source
FROM grant_allocations g
JOIN document_years d USING (sha256)
LEFT JOIN letters l USING (sha256);

CREATE VIEW mart_grants_by_region_year AS
SELECT g.year, g.county_code_2020,
       place_name('COUNTY', g.county_code_2020, DATE '2023-01-01') AS region_2020,
       coalesce((SELECT list(l.new_code ORDER BY l.new_code) FROM county_lineage l
                 WHERE l.old_code = g.county_code_2020 AND l.reform = 2024), [g.county_code_2020]) AS county_codes_2024,
       g.column_meaning,
       sum(g.amount_nok) AS amount_nok,
       list(DISTINCT g.recipient ORDER BY g.recipient) AS recipients,
       count(*) AS rows, count(DISTINCT g.sha256) AS documents
FROM mart_grants g
WHERE g.recipient_level IN ('county', 'network') AND g.county_code_2020 IS NOT NULL
GROUP BY g.year, g.county_code_2020, g.column_meaning;

-- Places ----------------------------------------------------------------------------------------

CREATE VIEW mart_place_mentions AS
SELECT d.year, e.sha256, d.title, d.doc_type, d.document_date, e.page_number, e.start_char, e.end_char,
       e.label AS place_level, e.text AS written_as, e.code AS place_code,
       place_name(e.label, e.code, d.document_date) AS place_name,
       CASE WHEN e.label = 'MUNICIPALITY' THEN left(e.code, 2) ELSE e.code END AS county_code,
       trim(regexp_replace(substr(p.text, greatest(e.start_char - 59, 1), e.end_char - e.start_char + 120),
                           '\s+', ' ', 'g')) AS context,
       d.current_source AS source
FROM entities e
JOIN document_years d USING (sha256)
JOIN pages p ON p.sha256 = e.sha256 AND p.page_number = e.page_number
WHERE e.label IN ('MUNICIPALITY', 'COUNTY');

-- Projects and organisations --------------------------------------------------------------------

CREATE VIEW mart_actors_over_time AS
SELECT d.year, e.label AS kind, json_extract_string(e.value, '$') AS name, d.doc_type,
       count(*) AS mentions, count(DISTINCT e.sha256) AS documents,
       min(d.document_date) AS first_dated, max(d.document_date) AS last_dated,
       list(DISTINCT e.text ORDER BY e.text) AS written_as
FROM entities e
JOIN document_years d USING (sha256)
WHERE e.label IN ('PROJECT', 'ORG') AND e.value IS NOT NULL
GROUP BY d.year, e.label, json_extract_string(e.value, '$'), d.doc_type;

-- Politics --------------------------------------------------------------------------------------

CREATE VIEW mart_decisions AS
SELECT year(m.meeting_date) AS year, m.sha256, m.body, m.municipality AS municipality_code,
       place_name('MUNICIPALITY', m.municipality, m.meeting_date) AS municipality,
       m.meeting_date, i.case_number, i.archive_ref, i.title, i.item_type, i.decision_kind, i.outcome,
       i.votes_for, i.votes_against, i.against_parties,
       i.outcome = 'unanimous' AS unanimous,
       (SELECT count(*) FROM proposals p WHERE p.sha256 = i.sha256 AND p.case_number = i.case_number) AS proposals,
       i.issues, i.page_number
FROM agenda_items i
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256);

CREATE VIEW mart_attendance AS
SELECT year(m.meeting_date) AS year, m.sha256, m.body, m.municipality AS municipality_code, m.meeting_date,
       a.person, a.party_as_written, a.party, r.name AS party_name, a.role, a.substitute_for, a.title, a.present,
       a.page_number
FROM meeting_attendance a
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256)
LEFT JOIN ref_parties r ON r.code = a.party;

-- How each party present voted on each decided item (and each counted proposal). Protocols name the
-- parties voting against; every other party present is counted as voting for. A party split inside
-- itself is not visible in the source and is not invented here.
CREATE VIEW mart_party_votes AS
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
