-- Organisations with stable ids: public bodies (with their organisation numbers), the regional networks,
-- municipalities and counties themselves, and companies named in documents by their legal form (`X AS`).
-- warehouse/organisations.py rebuilds both tables after each run that changed documents.
CREATE TABLE organisations (
    org_id        VARCHAR PRIMARY KEY,  -- O + the organisation number where there is one, else a hash of kind and key
    name          VARCHAR NOT NULL,
    short_name    VARCHAR,
    kind          VARCHAR NOT NULL,     -- public_body | network | municipality | county | company | other
    org_number    VARCHAR,              -- Enhetsregisteret's number (9 digits), where the register gives it
    code          VARCHAR,              -- kommunenummer / fylkesnummer for municipalities and counties
    names         VARCHAR[],
    mentions      INTEGER,
    documents     INTEGER
);
COMMENT ON TABLE organisations IS 'Grain: one row per organisation. Keys: org_id. Registered bodies and networks from the shipped reference data, every municipality and county code, companies as documents name them.';

CREATE TABLE organisation_mentions (
    org_id       VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    page_number  INTEGER NOT NULL,
    start_char   INTEGER NOT NULL,
    end_char     INTEGER NOT NULL,
    text         VARCHAR NOT NULL
);
COMMENT ON TABLE organisation_mentions IS 'Grain: one row per ORG, MUNICIPALITY or COUNTY entity linked to its organisation. Keys: (sha256, page_number, start_char, org_id).';

CREATE VIEW mart_organisation_projects AS
SELECT d.year, o.org_id, o.name AS organisation, o.kind, json_extract_string(p.value, '$') AS project,
       count(DISTINCT m.sha256) AS documents
FROM organisation_mentions m
JOIN organisations o USING (org_id)
JOIN document_years d ON d.sha256 = m.sha256
JOIN entities p ON p.sha256 = m.sha256 AND p.label = 'PROJECT'
GROUP BY ALL;
COMMENT ON VIEW mart_organisation_projects IS 'Grain: one row per organisation, project and year. Keys: (org_id, project, year). Documents naming both: which projects an organisation appears in across years.';
