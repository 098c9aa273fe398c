CREATE OR REPLACE VIEW mart_amounts_by_place_year AS
SELECT year, doc_type, place_level, place_code, any_value(place_name) AS place_name, county_code_2020,
       count(*) AS amounts, sum(amount_nok) AS total_nok, count(DISTINCT sha256) AS documents
FROM mart_amounts
GROUP BY year, doc_type, place_level, place_code, county_code_2020;

COMMENT ON VIEW mart_amounts_by_place_year IS 'Grain: one row per (year, document type, place). Keys: (year, doc_type, place_level, place_code).';
