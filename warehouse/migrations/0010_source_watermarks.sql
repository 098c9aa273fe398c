-- Incremental fetching per configured source: the checksum a source states for a file, a watermark per
-- source (the nightly run asks only for what changed after it) and a row per fetch run (incremental or backfill).

ALTER TABLE fetched_documents ADD COLUMN source_checksum VARCHAR;
COMMENT ON COLUMN fetched_documents.source_checksum IS 'Checksum the source states for the file (e.g. eInnsyn sjekksum, "algorithm:hex"); equal next time = not requested again';

CREATE TABLE source_watermarks (
    source        VARCHAR PRIMARY KEY,   -- the configured source name (sources.toml) or listing URL
    kind          VARCHAR NOT NULL,      -- folder | http | einnsyn | elements
    watermark     TIMESTAMPTZ,           -- eInnsyn: newest oppdatertDato seen; Elements: newest meeting date seen
    updated_at    TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE source_watermarks IS 'Grain: one row per configured source. Keys: source. The next incremental run asks only for what changed after watermark; it moves only when a run listed the whole source without error, and never on a backfill.';

CREATE SEQUENCE source_run_id START 1;

CREATE TABLE source_runs (
    source_run_id  BIGINT PRIMARY KEY DEFAULT nextval('source_run_id'),
    source         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    mode           VARCHAR NOT NULL,     -- incremental | backfill
    window_from    DATE,                 -- backfill window (meeting dates), or NULL
    window_to      DATE,
    watermark_before TIMESTAMPTZ,
    watermark_after  TIMESTAMPTZ,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ NOT NULL,
    requests       INTEGER NOT NULL,     -- HTTP requests made (listing + files)
    fetched        INTEGER NOT NULL,
    not_modified   INTEGER NOT NULL,
    restricted     INTEGER NOT NULL,
    withdrawn      INTEGER NOT NULL,
    failed         INTEGER NOT NULL,
    error          VARCHAR               -- why the listing itself failed, if it did
);

COMMENT ON TABLE source_runs IS 'Grain: one row per fetch of one source (nightly incremental or a backfill window). Keys: source_run_id. Counts are of document outcomes; requests counts every HTTP request, so a warm run shows what listing alone cost.';
