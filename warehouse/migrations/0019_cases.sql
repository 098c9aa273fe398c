-- Cases across meetings: a saksframlegg (case document) and each body's handling of its case, linked by the archive
-- case or by the proposal passed on word for word (transforms/cases.py; warehouse/cases.py rebuilds after each run).
CREATE TABLE case_documents (
    sha256         VARCHAR PRIMARY KEY,
    archive_ref    VARCHAR,
    title          VARCHAR,
    case_handler   VARCHAR,
    bodies         VARCHAR[],  -- Saksgang: the bodies the case goes to, in order
    meeting_dates  VARCHAR[],
    proposal       VARCHAR     -- the administration's proposal (Kommunedirektørens forslag til vedtak)
);
COMMENT ON TABLE case_documents IS 'Grain: one row per case document (saksframlegg). Keys: sha256. The archive case its handlings share and the proposal they start from.';

CREATE TABLE cases (
    case_id            VARCHAR PRIMARY KEY,
    archive_ref        VARCHAR,
    title              VARCHAR,
    municipality_code  VARCHAR,
    handlings          INTEGER,  -- meetings that handled the case (case documents not counted)
    first_handled      DATE,
    last_handled       DATE,
    last_body          VARCHAR,
    status             VARCHAR   -- the last handling's outcome; `proposed` when only a case document is known
);
COMMENT ON TABLE cases IS 'Grain: one row per case as far as the evidence links its handlings. Keys: case_id. Status is the outcome of the latest handling.';

CREATE TABLE case_handlings (
    case_id      VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    case_number  VARCHAR,      -- the body's own case number; null for a case document
    body         VARCHAR,
    meeting_date DATE,
    kind         VARCHAR NOT NULL,  -- handling | case_document
    proposal     VARCHAR,
    outcome      VARCHAR,
    decision     VARCHAR,
    link_rule    VARCHAR NOT NULL   -- archive_ref | same_text | alone
);
COMMENT ON TABLE case_handlings IS 'Grain: one row per handling of a case in a meeting, or case document of it. Keys: (case_id, sha256, case_number). link_rule says how it joined its case.';

CREATE VIEW mart_case_history AS
SELECT year(h.meeting_date) AS year, c.case_id, c.archive_ref, c.title, c.municipality_code, c.status,
       row_number() OVER (PARTITION BY c.case_id ORDER BY h.meeting_date NULLS FIRST, h.kind DESC, h.body) AS step,
       h.kind, h.body, h.case_number, h.meeting_date, h.outcome, h.proposal, h.decision, h.link_rule, h.sha256,
       d.source
FROM cases c
JOIN case_handlings h USING (case_id)
JOIN documents d USING (sha256);
COMMENT ON VIEW mart_case_history IS 'Grain: one row per step of a case (its case document, then each handling by date). Keys: (case_id, step).';
