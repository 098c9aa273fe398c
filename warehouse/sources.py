"""Remember what remote sources gave us (fetched_documents), so the next run asks only for what changed."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from extractors.sources.http import FetchOutcome


def known_documents(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, dict]:
    rows = con.execute("SELECT url, etag, last_modified, sha256 FROM fetched_documents WHERE source = ?"
                       " AND status IN ('fetched', 'not_modified')", [source]).fetchall()
    return {url: {"etag": etag, "last_modified": lm, "sha256": sha} for url, etag, lm, sha in rows}


def record_outcomes(con: duckdb.DuckDBPyConnection, source: str, outcomes: list[FetchOutcome]) -> None:
    now = datetime.now(timezone.utc)
    con.execute("BEGIN TRANSACTION")
    for o in outcomes:
        con.execute("INSERT OR REPLACE INTO fetched_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [source, o.url, o.status, o.etag, o.last_modified, o.sha256, o.message or None, now])
    con.execute("COMMIT")
