-- Descriptions of every table and view (grain, keys, meaning). docs/warehouse.md is generated from these
-- by scripts/document_warehouse.py; tests/test_warehouse_docs.py fails when the two drift.

COMMENT ON TABLE documents IS 'Grain: one row per distinct document content (sha256 of the bytes). Keys: sha256. Every document ever seen, read or rejected.';
COMMENT ON COLUMN documents.sha256 IS 'sha256 of the original bytes; the document''s identity everywhere';
COMMENT ON COLUMN documents.source IS 'where the bytes were first seen (path or URL)';
COMMENT ON COLUMN documents.doc_type IS 'protocol | letter | grant_letter | annual_report | presentation | other';
COMMENT ON COLUMN documents.document_date IS 'the document''s own date, if it states one';
COMMENT ON COLUMN documents.document_year IS 'the year the document is about (inferred when undated)';
COMMENT ON COLUMN documents.status IS 'ok | rejected | quarantined';
COMMENT ON COLUMN documents.error_code IS 'reason code when not ok';
COMMENT ON COLUMN documents.pipeline_version IS 'kommune-etl version that processed it';

COMMENT ON TABLE source_versions IS 'Grain: one row per version of a source path. Keys: (source, version). A path whose bytes change gets a new version; the old document stays queryable.';
COMMENT ON COLUMN source_versions.is_current IS 'true for the version the path points at now';

COMMENT ON TABLE pages IS 'Grain: one row per page of a document. Keys: (sha256, page_number). Entity offsets index into text.';
COMMENT ON COLUMN pages.text IS 'the page''s text; entities'' start_char/end_char index into it';
COMMENT ON COLUMN pages.method IS 'text_layer | ocr | ocr_replaced_layer | text | html | docx';
COMMENT ON COLUMN pages.ocr_confidence IS 'mean Tesseract word confidence 0-100 on OCR pages';

COMMENT ON TABLE quarantine IS 'Grain: one row per problem that kept a document out. Keys: quarantine_id. Open while resolved_at is NULL.';
COMMENT ON COLUMN quarantine.stage IS 'read | transform | validate | load';
COMMENT ON COLUMN quarantine.reason_code IS 'machine-readable reason (e.g. encrypted, too_large, quality_failed)';

COMMENT ON TABLE runs IS 'Grain: one row per ingest/reprocess/demo run. Keys: run_id.';

COMMENT ON TABLE entities IS 'Grain: one row per entity mention. Keys: entity_id; (sha256, page_number, start_char, end_char, label) locates it in pages.text.';
COMMENT ON COLUMN entities.label IS 'AMOUNT DATE PERIOD MUNICIPALITY COUNTY ORG PROJECT PERSON PARTY CASE_REF';
COMMENT ON COLUMN entities.value IS 'normalised value as JSON (kroner, ISO date, {start,end}, code)';
COMMENT ON COLUMN entities.amount_nok IS 'the kroner of an AMOUNT, typed';
COMMENT ON COLUMN entities.code IS 'kommune/fylke number valid at the document''s date (MUNICIPALITY, COUNTY)';
COMMENT ON COLUMN entities.source IS 'rules | model';

COMMENT ON TABLE meetings IS 'Grain: one row per meeting protocol. Keys: sha256.';
COMMENT ON COLUMN meetings.municipality IS 'kommunenummer valid at the meeting date';

COMMENT ON TABLE meeting_attendance IS 'Grain: one row per person listed in a protocol. Keys: (sha256, person, role).';
COMMENT ON COLUMN meeting_attendance.party IS 'official party code (AP -> A)';
COMMENT ON COLUMN meeting_attendance.role IS 'member | substitute | administration | observer';

COMMENT ON TABLE agenda_items IS 'Grain: one row per agenda item (sak) of a meeting. Keys: (sha256, case_number).';
COMMENT ON COLUMN agenda_items.outcome IS 'unanimous | majority | rejected | ...';
COMMENT ON COLUMN agenda_items.against_parties IS 'parties named as voting against, as written';
COMMENT ON COLUMN agenda_items.issues IS 'reconciliation problems found';

COMMENT ON TABLE proposals IS 'Grain: one row per extra proposal voted on under an item. Keys: (sha256, case_number, position).';

COMMENT ON TABLE letters IS 'Grain: one row per letter. Keys: sha256.';

COMMENT ON TABLE grant_allocations IS 'Grain: one row per (recipient, amount column) cell of a grant table. Keys: (sha256, recipient, column_name, page_number).';
COMMENT ON COLUMN grant_allocations.recipient_code IS 'county or municipality number valid at the letter''s date';
COMMENT ON COLUMN grant_allocations.historical_code IS 'the name''s last valid code when it had none at the letter''s date';
COMMENT ON COLUMN grant_allocations.column_meaning IS 'applied | granted | weighted_share | to_distribute | other';

COMMENT ON TABLE table_totals IS 'Grain: one row per stated SUM row of a grant table column. Keys: (sha256, column_name, page_number).';

COMMENT ON TABLE reports IS 'Grain: one row per annual report. Keys: sha256.';

COMMENT ON TABLE report_sections IS 'Grain: one row per section of an annual report. Keys: (sha256, position).';

COMMENT ON TABLE county_lineage IS 'Grain: one row per (old county code, new county code) pair of a reform. Keys: (old_code, new_code). Static facts (2018, 2020, 2024).';

COMMENT ON TABLE quality_issues IS 'Grain: one row per warning (or error) a check found in a document. Keys: issue_id.';

COMMENT ON TABLE quality_runs IS 'Grain: one row per validated run. Keys: run_id (= runs.run_id).';
COMMENT ON COLUMN quality_runs.data_docs IS 'file:// URL of the GX Data Docs for this run';

COMMENT ON TABLE quality_results IS 'Grain: one row per (run, document, check). Keys: (run_id, sha256, suite, check_name).';

COMMENT ON TABLE ref_counties IS 'Grain: one row per county code and validity period. Keys: (code, valid_from). From the shipped SSB refdata.';

COMMENT ON TABLE ref_municipalities IS 'Grain: one row per municipality code and validity period. Keys: (code, valid_from). From SSB KLASS 131.';

COMMENT ON TABLE ref_parties IS 'Grain: one row per official party code. Keys: code.';

COMMENT ON TABLE reference_versions IS 'Grain: one row per refdata file loaded. Keys: name. Lets the loader skip unchanged reference data.';

COMMENT ON TABLE schema_migrations IS 'Grain: one row per applied migration file. Keys: version.';

COMMENT ON VIEW current_documents IS 'Grain: one row per (document, source path currently pointing at it). Keys: (sha256, current_source).';

COMMENT ON VIEW document_years IS 'Grain: one row per readable (status ok) document that some source path points at now. Keys: sha256. Adds year = document_year or the year of document_date.';

COMMENT ON VIEW grants_by_county_year IS 'Grain: one row per (year, county or network recipient, column meaning). Keys: (year, county_code, historical_code, county, column_meaning).';

COMMENT ON VIEW municipality_mentions IS 'Grain: one row per (kommunenummer, document type). Keys: (kommunenummer, doc_type).';

COMMENT ON VIEW projects_over_time IS 'Grain: one row per (project, year, document type). Keys: (project, year, doc_type).';

COMMENT ON VIEW votes_by_party IS 'Grain: one row per (agenda item, party voting against); items without named opponents once, with against_party NULL. Keys: (body, meeting_date, case_number, against_party).';

COMMENT ON VIEW mart_amounts IS 'Grain: one row per AMOUNT mention in a current readable document. Keys: (sha256, page_number, start_char). Placed at the nearest preceding municipality/county mention on the same page.';
COMMENT ON COLUMN mart_amounts.year IS 'document year (partition key of exports)';
COMMENT ON COLUMN mart_amounts.place_code IS 'code of the nearest preceding MUNICIPALITY/COUNTY mention on the page (NULL if none)';
COMMENT ON COLUMN mart_amounts.county_code IS 'county of that place at the document''s date';
COMMENT ON COLUMN mart_amounts.county_code_2020 IS 'the same county in the 2020-2023 map (compares across the 2020 and 2024 reforms)';

COMMENT ON VIEW mart_amounts_by_place_year IS 'Grain: one row per (year, document type, place). Keys: (year, doc_type, place_level, place_code).';

COMMENT ON VIEW mart_grants IS 'Grain: one row per grant table cell of a current readable document. Keys: (sha256, recipient, column_name, page_number).';
COMMENT ON COLUMN mart_grants.programme IS 'the letter''s subject (else the document title)';
COMMENT ON COLUMN mart_grants.county_code_2020 IS 'recipient''s county in the 2020-2023 map: Viken 30 covers 2024''s 31/32/33, Vestfold og Telemark 38 covers 39/40, Troms og Finnmark 54 covers 55/56';

COMMENT ON VIEW mart_grants_by_region_year IS 'Grain: one row per (year, 2020-2023 county region, column meaning). Keys: (year, county_code_2020, column_meaning). A 2023 Viken row and 2024 Akershus/Buskerud/Østfold rows land on the same region 30.';
COMMENT ON COLUMN mart_grants_by_region_year.county_codes_2024 IS 'the post-2024 county codes the region split into';
COMMENT ON COLUMN mart_grants_by_region_year.recipients IS 'recipient names as written in the letters';

COMMENT ON VIEW mart_place_mentions IS 'Grain: one row per municipality/county mention. Keys: (sha256, page_number, start_char).';
COMMENT ON COLUMN mart_place_mentions.context IS 'about 60 characters either side of the mention, whitespace collapsed';

COMMENT ON VIEW mart_actors_over_time IS 'Grain: one row per (year, kind, normalised name, document type). Keys: (year, kind, name, doc_type).';
COMMENT ON COLUMN mart_actors_over_time.kind IS 'PROJECT | ORG';

COMMENT ON VIEW mart_decisions IS 'Grain: one row per agenda item of a meeting. Keys: (sha256, case_number).';

COMMENT ON VIEW mart_attendance IS 'Grain: one row per person listed at a meeting. Keys: (sha256, person, role).';

COMMENT ON VIEW mart_party_votes IS 'Grain: one row per (motion, party present). Keys: (sha256, case_number, position, party). position 0 is the item''s decision, 1.. its extra proposals. Parties not named as voting against are counted for.';
COMMENT ON COLUMN mart_party_votes.vote IS 'for | against';
COMMENT ON COLUMN mart_party_votes.members IS 'the party''s members and substitutes present';
