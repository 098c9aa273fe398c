CREATE OR REPLACE VIEW mart_election_count_deviations AS
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

COMMENT ON VIEW mart_election_count_deviations IS 'Grain: one row per (protocol, table, party) with both a preliminary and a final count. Keys: (sha256, part, table_code, party). The counting control: sort by abs_deviation.';
