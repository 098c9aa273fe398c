-- Places ----------------------------------------------------------------------------------------

CREATE OR REPLACE VIEW mart_place_mentions AS
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

COMMENT ON VIEW mart_place_mentions IS 'Grain: one row per municipality/county mention. Keys: (sha256, page_number, start_char).';

COMMENT ON COLUMN mart_place_mentions.context IS 'about 60 characters either side of the mention, whitespace collapsed';
