"""Write one processed document into the warehouse, all or nothing.

`load_document` is the single writer's unit of work: the document row, its pages, its source
version and (when rejected) its quarantine row commit together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum

import duckdb

from kommune_etl import __version__
from kommune_etl.models import DocumentResult, Status
from kommune_etl.warehouse.bulk import insert_rows
from kommune_etl.warehouse.quality import insert_validation


_STAGE_OF = {"stage_failed": "transform", "load_failed": "load", "quality_failed": "validate"}


class Change(StrEnum):
    NEW = "new"
    UNCHANGED = "unchanged"
    UPDATED = "updated"


@dataclass(frozen=True)
class SourceState:
    """What the warehouse already knows about these bytes and this source path."""

    known_sha256: bool
    current_sha256: str | None
    last_version: int

    def change_for(self, sha256: str) -> Change:
        if self.known_sha256 or self.current_sha256 == sha256:
            return Change.UNCHANGED
        return Change.UPDATED if self.current_sha256 else Change.NEW


def source_state(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> SourceState:
    known = con.execute("SELECT count(*) FROM documents WHERE sha256 = ?", [sha256]).fetchone()[0] > 0
    row = con.execute(
        "SELECT max(version), max(sha256) FILTER (WHERE is_current) FROM source_versions WHERE source = ?", [source]
    ).fetchone()
    return SourceState(known, row[1], row[0] or 0)


def record_source_version(con: duckdb.DuckDBPyConnection, source: str, sha256: str, state: SourceState,
                          seen_at: datetime | None = None) -> None:
    """Point ``source`` at ``sha256``: a new version when the bytes behind the path changed."""
    if state.current_sha256 == sha256:
        return
    seen_at = seen_at or datetime.now(timezone.utc)
    con.execute("UPDATE source_versions SET is_current = false WHERE source = ? AND is_current", [source])
    con.execute("INSERT INTO source_versions (source, version, sha256, seen_at, is_current) VALUES (?, ?, ?, ?, true)",
                [source, state.last_version + 1, sha256, seen_at])


#: Every table holding rows of one document, cleared when a document is re-processed.
DOCUMENT_TABLES = ("pages", "quality_issues", "entities", "meetings", "meeting_attendance", "agenda_items", "proposals",
                   "votes", "vote_positions", "letters", "grant_allocations", "table_totals", "reports", "report_sections",
                   "elections", "election_counts", "election_rejections", "election_seats", "election_elected",
                   "election_board", "election_remarks", "election_candidates", "case_documents", "documents")


def load_document(con: duckdb.DuckDBPyConnection, result: DocumentResult, state: SourceState,
                  replace: bool = False, validation=None, run_id: int | None = None) -> None:
    """Insert ``result`` in one transaction; on any error nothing of it remains. With ``replace``, the
    document's earlier rows are removed in the same transaction (re-processing after a fix)."""
    con.execute("BEGIN TRANSACTION")
    try:
        if replace:
            for table in DOCUMENT_TABLES:
                con.execute(f"DELETE FROM {table} WHERE sha256 = ?", [result.sha256])
            if result.status is Status.OK:
                con.execute("UPDATE quarantine SET resolved_at = ? WHERE sha256 = ? AND resolved_at IS NULL",
                            [result.processed_at, result.sha256])
            else:
                con.execute("DELETE FROM quarantine WHERE sha256 = ? AND resolved_at IS NULL", [result.sha256])
        _insert_document(con, result)
        if result.status is not Status.QUARANTINED:  # quarantined documents stay out of the analytic tables
            _insert_pages(con, result)
            _insert_entities(con, result)
            _insert_quality_issues(con, result, validation)
            if result.structures is not None:
                from kommune_etl.warehouse.structures import insert_structures  # the readers' records: imported when loading

                insert_structures(con, result.sha256, result.structures)
        if validation is not None:
            insert_validation(con, run_id, result, validation)
        if result.status is Status.REJECTED and result.error is not None:  # validate-stage rows come per failed check
            con.execute(
                "INSERT INTO quarantine (sha256, source, stage, reason_code, message, quarantined_at, run_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [result.sha256, result.source, _STAGE_OF.get(result.error.code, "read"), result.error.code,
                 result.error.message, result.processed_at, run_id],
            )
        record_source_version(con, result.source, result.sha256, state, result.processed_at)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert_document(con: duckdb.DuckDBPyConnection, r: DocumentResult) -> None:
    con.execute(
        "INSERT INTO documents (sha256, source, media_type, byte_size, doc_type, doc_type_evidence, title,"
        " document_date, document_year, pages, extractor, status, error_code, error_message, first_seen_at,"
        " processed_at, pipeline_version, text_truncated_chars) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            r.sha256, r.source, r.media_type, r.byte_size, r.doc_type.value, list(r.doc_type_evidence), r.title,
            r.document_date, r.document_year, r.page_count, r.extractor, r.status.value,
            r.error.code if r.error else None, r.error.message if r.error else None,
            r.processed_at, r.processed_at, __version__, r.text_truncated_chars,
        ],
    )


def _insert_pages(con: duckdb.DuckDBPyConnection, r: DocumentResult) -> None:
    if not r.pages:
        return
    insert_rows(con, "pages", ("sha256", "page_number", "text", "char_count", "method", "has_images", "ocr_confidence"),
                [(r.sha256, p.number, p.text, len(p.text), p.method, p.has_images, p.ocr_confidence) for p in r.pages])


def _insert_entities(con: duckdb.DuckDBPyConnection, r: DocumentResult) -> None:
    if not r.entities:
        return
    insert_rows(con, "entities", ("sha256", "page_number", "label", "text", "value", "value_max", "start_char",
                                  "end_char", "source", "confidence", "per", "historical_code", "successor_code"),
                [(r.sha256, e.page, e.label, e.text, json.dumps(e.value, ensure_ascii=False),
                  None if e.value_max is None else json.dumps(e.value_max), e.start, e.end, e.source,
                  None if e.confidence is None else float(e.confidence), e.per, e.historical_code, e.successor_code)
                 for e in r.entities])


#: OCR pages below this mean word confidence are flagged: their text and entities are not silent truth.
OCR_CONFIDENCE_WARNING = 70.0


def quality_issues_of(r: DocumentResult) -> list[tuple[int | None, str, str, str, str]]:
    """(page, check, severity, observed, message) for what is loaded but must not be trusted blindly."""
    issues = []
    for page in r.pages:
        if page.ocr_confidence is not None and page.ocr_confidence < OCR_CONFIDENCE_WARNING:
            issues.append((page.number, "ocr_low_confidence", "warning", f"{page.ocr_confidence:.1f}",
                           f"page {page.number}: OCR mean word confidence {page.ocr_confidence:.1f} < {OCR_CONFIDENCE_WARNING:g}"))
    return issues


def _insert_quality_issues(con: duckdb.DuckDBPyConnection, r: DocumentResult, validation=None) -> None:
    issues = quality_issues_of(r)
    for check in validation.warnings if validation is not None else ():
        issues.append((None, check.check, check.severity, check.observed,
                       f"{check.suite}.{check.check} failed for {check.unexpected} row(s): {check.observed}"))
    if issues:
        insert_rows(con, "quality_issues", ("sha256", "page_number", "check_name", "severity", "observed", "message",
                                            "found_at"), [(r.sha256, *issue, r.processed_at) for issue in issues])
