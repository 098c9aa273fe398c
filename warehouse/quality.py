"""Store quality check results: every check per document per run, and the quarantine rows of
documents that failed an error-severity check."""

from __future__ import annotations

import duckdb

from kommune_etl.models import DocumentResult, Status
from kommune_etl.warehouse.bulk import insert_rows


def insert_validation(con: duckdb.DuckDBPyConnection, run_id: int | None, result: DocumentResult, validation) -> None:
    if run_id is not None and validation.results:
        insert_rows(con, "quality_results", ("run_id", "sha256", "suite", "check_name", "severity", "success",
                                             "unexpected", "observed"), [
            (run_id, result.sha256, c.suite, c.check, c.severity, bool(c.success), int(c.unexpected),
             None if c.observed is None else str(c.observed)) for c in validation.results])
    if result.status is Status.QUARANTINED:
        con.executemany(
            "INSERT INTO quarantine (sha256, source, stage, reason_code, message, quarantined_at, run_id)"
            " VALUES (?, ?, 'validate', ?, ?, ?, ?)",
            [[result.sha256, result.source, c.check, f"{result.source}: {c.suite}.{c.check} failed (observed: {c.observed})",
              result.processed_at, run_id] for c in validation.errors])


def record_quality_run(con: duckdb.DuckDBPyConnection, run_id: int, started_at, data_docs: str | None = None) -> None:
    con.execute(
        "INSERT INTO quality_runs (run_id, started_at, data_docs, documents, documents_with_errors, "
        "documents_with_warnings, failed_checks) SELECT ?, ?, ?, count(DISTINCT sha256) FILTER (WHERE sha256 <> ''),"
        " count(DISTINCT sha256) FILTER (WHERE NOT success AND severity = 'error' AND sha256 <> ''),"
        " count(DISTINCT sha256) FILTER (WHERE NOT success AND severity = 'warning' AND sha256 <> ''),"
        " count(*) FILTER (WHERE NOT success) FROM quality_results WHERE run_id = ?", [run_id, started_at, data_docs, run_id])
