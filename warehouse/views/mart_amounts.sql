-- Money -----------------------------------------------------------------------------------------

CREATE OR REPLACE VIEW mart_amounts AS
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

COMMENT ON VIEW mart_amounts IS 'Grain: one row per AMOUNT mention in a current readable document. Keys: (sha256, page_number, start_char). Placed at the nearest preceding municipality/county mention on the same page.';

COMMENT ON COLUMN mart_amounts.county_code IS 'county of that place at the document''s date';

COMMENT ON COLUMN mart_amounts.county_code_2020 IS 'the same county in the 2020-2023 map (compares across the 2020 and 2024 reforms)';

COMMENT ON COLUMN mart_amounts.place_code IS 'code of the nearest preceding MUNICIPALITY/COUNTY mention on the page (NULL if none)';

COMMENT ON COLUMN mart_amounts.year IS 'document year (partition key of exports)';
