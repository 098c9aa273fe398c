-- Per-run quality summary and every check's result per document (the steward's morning report).

CREATE TABLE quality_runs (
    run_id        BIGINT PRIMARY KEY,     -- runs.run_id
    started_at    TIMESTAMPTZ NOT NULL,
    data_docs     VARCHAR,                -- GX Data Docs index (file:// URL) with this run's validations
    documents     INTEGER NOT NULL,
    documents_with_errors   INTEGER NOT NULL,
    documents_with_warnings INTEGER NOT NULL,
    failed_checks INTEGER NOT NULL
);

CREATE TABLE quality_results (
    run_id       BIGINT NOT NULL,
    sha256       VARCHAR NOT NULL,
    suite        VARCHAR NOT NULL,
    check_name   VARCHAR NOT NULL,
    severity     VARCHAR NOT NULL,
    success      BOOLEAN NOT NULL,
    unexpected   INTEGER NOT NULL,
    observed     VARCHAR
);
