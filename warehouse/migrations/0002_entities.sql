-- Entities found by the NLP stage, each traceable to (document, page, character span in that page's text).
-- value is JSON (a number of kroner, an ISO date, {start, end}, a code string); typed columns make
-- the common questions cheap.

CREATE SEQUENCE entity_id_seq;
CREATE TABLE entities (
    entity_id    BIGINT PRIMARY KEY DEFAULT nextval('entity_id_seq'),
    sha256       VARCHAR NOT NULL,
    page_number  INTEGER NOT NULL,
    label        VARCHAR NOT NULL,   -- AMOUNT DATE PERIOD MUNICIPALITY COUNTY ORG PROJECT PERSON PARTY CASE_REF
    text         VARCHAR NOT NULL,   -- as written
    value        JSON,               -- normalised
    value_max    JSON,               -- upper end of a range
    start_char   INTEGER NOT NULL,
    end_char     INTEGER NOT NULL,
    source       VARCHAR NOT NULL,   -- rules | model
    confidence   DOUBLE,
    amount_nok   DECIMAL(18, 2) GENERATED ALWAYS AS (CASE WHEN label = 'AMOUNT' THEN CAST(value AS DECIMAL(18, 2)) END) VIRTUAL,
    code         VARCHAR GENERATED ALWAYS AS (CASE WHEN label IN ('MUNICIPALITY', 'COUNTY') THEN json_extract_string(value, '$') END) VIRTUAL
);
