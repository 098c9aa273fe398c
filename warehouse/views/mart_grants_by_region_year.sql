CREATE OR REPLACE VIEW mart_grants_by_region_year AS
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

COMMENT ON VIEW mart_grants_by_region_year IS 'Grain: one row per (year, 2020-2023 county region, column meaning). Keys: (year, county_code_2020, column_meaning). A 2023 Viken row and 2024 Akershus/Buskerud/Østfold rows land on the same region 30.';

COMMENT ON COLUMN mart_grants_by_region_year.county_codes_2024 IS 'the post-2024 county codes the region split into';

COMMENT ON COLUMN mart_grants_by_region_year.recipients IS 'recipient names as written in the letters';
