"""What remote sources gave us (fetched_documents), their watermarks and fetch runs — so the next run asks
only for what changed."""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb

from kommune_etl.extractors.sources.http import FetchOutcome, FetchSummary


def known_documents(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, dict]:
    rows = con.execute("SELECT url, etag, last_modified, sha256, source_checksum FROM fetched_documents"
                       " WHERE source = ? AND status IN ('fetched', 'not_modified')", [source]).fetchall()
    return {url: {"etag": etag, "last_modified": lm, "sha256": sha, "source_checksum": stated}
            for url, etag, lm, sha, stated in rows}


def record_outcomes(con: duckdb.DuckDBPyConnection, source: str, outcomes: list[FetchOutcome]) -> None:
    now = datetime.now(timezone.utc)
    con.execute("BEGIN TRANSACTION")
    for o in outcomes:
        con.execute("INSERT OR REPLACE INTO fetched_documents (source, url, status, etag, last_modified, sha256,"
                    " message, checked_at, source_checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [source, o.url, o.status, o.etag, o.last_modified, o.sha256, o.message or None, now,
                     o.source_checksum])
    con.execute("COMMIT")


def watermark(con: duckdb.DuckDBPyConnection, source: str) -> datetime | None:
    row = con.execute("SELECT watermark FROM source_watermarks WHERE source = ?", [source]).fetchone()
    return row[0] if row else None


def record_run(con: duckdb.DuckDBPyConnection, source: str, kind: str, summary: FetchSummary, *,
               started_at: datetime, window: tuple[date, date] | None, before: datetime | None) -> int:
    """One source_runs row. An incremental run moves the watermark only when it listed the whole source and no
    listed document failed — otherwise a failed document's meeting could fall behind the watermark, unasked."""
    after = summary.watermark
    if after is not None and after.tzinfo is None:
        after = after.replace(tzinfo=timezone.utc)
    moves = (window is None and summary.error is None and summary.count("failed") == 0 and after is not None
             and (before is None or after > before))
    now = datetime.now(timezone.utc)
    con.execute("BEGIN TRANSACTION")
    run_id = con.execute(
        "INSERT INTO source_runs (source, kind, mode, window_from, window_to, watermark_before, watermark_after,"
        " started_at, finished_at, requests, fetched, not_modified, restricted, withdrawn, failed, refused, error)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING source_run_id",
        [source, kind, "backfill" if window else "incremental", *(window or (None, None)), before,
         after if moves else before, started_at, now, summary.requests,
         *summary.counts().values(), summary.error]).fetchone()[0]
    if moves:
        con.execute("INSERT OR REPLACE INTO source_watermarks (source, kind, watermark, updated_at) VALUES (?, ?, ?, "
                    "?)", [source, kind, after, now])
    con.execute("COMMIT")
    return run_id
