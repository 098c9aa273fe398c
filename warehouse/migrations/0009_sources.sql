-- What each remote source gave us last time: validators for conditional requests and the outcome.

CREATE TABLE fetched_documents (
    source         VARCHAR NOT NULL,      -- the listing URL (or a configured source name)
    url            VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,      -- fetched | not_modified | restricted | withdrawn | failed
    etag           VARCHAR,
    last_modified  VARCHAR,
    sha256         VARCHAR,               -- of the bytes last fetched
    message        VARCHAR,
    checked_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, url)
);

COMMENT ON TABLE fetched_documents IS 'Grain: one row per document URL of a remote source, as last checked. Keys: (source, url). ETag/Last-Modified make the next run a conditional request (304 costs no download).';
COMMENT ON COLUMN fetched_documents.status IS 'fetched | not_modified | restricted (never requested) | withdrawn (404/410) | failed (retried next run)';
