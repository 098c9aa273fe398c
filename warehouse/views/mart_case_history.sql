CREATE OR REPLACE VIEW mart_case_history AS
SELECT year(h.meeting_date) AS year, c.case_id, c.archive_ref, c.title, c.municipality_code, c.status,
       row_number() OVER (PARTITION BY c.case_id ORDER BY h.meeting_date NULLS FIRST, h.kind DESC, h.body) AS step,
       h.kind, h.body, h.case_number, h.meeting_date, h.outcome, h.proposal, h.decision, h.link_rule, h.sha256,
       d.source
FROM cases c
JOIN case_handlings h USING (case_id)
JOIN documents d USING (sha256);

COMMENT ON VIEW mart_case_history IS 'Grain: one row per step of a case (its case document, then each handling by date). Keys: (case_id, step).';
