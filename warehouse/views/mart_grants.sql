CREATE OR REPLACE VIEW mart_grants AS
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

COMMENT ON VIEW mart_grants IS 'Grain: one row per grant table cell of a current readable document. Keys: (sha256, recipient, column_name, page_number).';

COMMENT ON COLUMN mart_grants.county_code_2020 IS 'recipient''s county in the 2020-2023 map: Viken 30 covers 2024''s 31/32/33, Vestfold og Telemark 38 covers 39/40, Troms og Finnmark 54 covers 55/56';

COMMENT ON COLUMN mart_grants.programme IS 'the letter''s subject (else the document title)';
