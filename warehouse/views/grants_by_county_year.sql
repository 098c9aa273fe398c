-- Grants by county and year; comparable_2024_codes lists the post-2024 county codes a row maps to
-- (Viken 30 -> 31, 32, 33), so analysts can line 2023 rows up with 2024 ones.
CREATE OR REPLACE VIEW grants_by_county_year AS
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

COMMENT ON VIEW grants_by_county_year IS 'Grain: one row per (year, county or network recipient, column meaning). Keys: (year, county_code, historical_code, county, column_meaning).';
