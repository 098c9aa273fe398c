-- Documents, their pages, source versions, quarantine and runs.
-- A document is identified by the sha256 of its bytes; a source path may point at several versions.

CREATE TABLE documents (
    sha256             VARCHAR PRIMARY KEY,
    source             VARCHAR NOT NULL,      -- where the bytes were first seen
    media_type         VARCHAR NOT NULL,
    byte_size          BIGINT NOT NULL,
    doc_type           VARCHAR NOT NULL,
    doc_type_evidence  VARCHAR[],
    title              VARCHAR,
    document_date      DATE,
    document_year      INTEGER,
    pages              INTEGER NOT NULL,
    extractor          VARCHAR,
    status             VARCHAR NOT NULL,      -- ok | rejected
    error_code         VARCHAR,
    error_message      VARCHAR,
    first_seen_at      TIMESTAMPTZ NOT NULL,
    processed_at       TIMESTAMPTZ NOT NULL,
    pipeline_version   VARCHAR NOT NULL
);

CREATE TABLE source_versions (
    source      VARCHAR NOT NULL,
    version     INTEGER NOT NULL,             -- 1, 2, … per source as its bytes change
    sha256      VARCHAR NOT NULL,
    seen_at     TIMESTAMPTZ NOT NULL,
    is_current  BOOLEAN NOT NULL,
    PRIMARY KEY (source, version)
);

CREATE TABLE pages (
    sha256       VARCHAR NOT NULL,
    page_number  INTEGER NOT NULL,
    text         VARCHAR NOT NULL,
    char_count   INTEGER NOT NULL,
    method       VARCHAR NOT NULL,            -- text_layer | text | html | docx (ocr later)
    has_images   BOOLEAN NOT NULL,
    PRIMARY KEY (sha256, page_number)
);

CREATE SEQUENCE quarantine_id_seq;
CREATE TABLE quarantine (
    quarantine_id   BIGINT PRIMARY KEY DEFAULT nextval('quarantine_id_seq'),
    sha256          VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    stage           VARCHAR NOT NULL,         -- read | validate | load
    reason_code     VARCHAR NOT NULL,
    message         VARCHAR NOT NULL,
    quarantined_at  TIMESTAMPTZ NOT NULL,
    resolved_at     TIMESTAMPTZ
);

CREATE SEQUENCE run_id_seq;
CREATE TABLE runs (
    run_id         BIGINT PRIMARY KEY DEFAULT nextval('run_id_seq'),
    command        VARCHAR NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ,
    documents_new        INTEGER DEFAULT 0,
    documents_unchanged  INTEGER DEFAULT 0,
    documents_updated    INTEGER DEFAULT 0,
    documents_quarantined INTEGER DEFAULT 0,
    pages          INTEGER DEFAULT 0,
    seconds        DOUBLE DEFAULT 0,
    pipeline_version VARCHAR NOT NULL
);

CREATE VIEW current_documents AS
SELECT d.*, v.source AS current_source, v.version
FROM documents d
JOIN source_versions v ON v.sha256 = d.sha256 AND v.is_current;
