"""The stage functions every entry point calls: the CLI, the Airflow tasks and the tests.

`process_document` (kommune_etl.processing, re-exported here) takes bytes through read → classify → metadata →
entities → structures and returns a DocumentResult; it touches no database. `ingest_paths` archives, skips what is
known, processes and loads, one document at a time, and never lets one document end the run. The processing
module (spaCy, readers, reference data) is imported only when a document needs processing: a night with nothing
new does not pay for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from kommune_etl.extractors.ocr import OcrSettings
from kommune_etl.extractors.sandbox import Limits
from kommune_etl.extractors.sources.folder import list_inbox, printable, read_raw  # noqa: F401 (read_raw: re-exported)
from kommune_etl import __version__
from kommune_etl.discover import source_names_for
from kommune_etl.models import DocumentError, DocumentResult, RawDocument, ReadError, ReasonCode, Status
from kommune_etl.warehouse.archive import RawArchive
from kommune_etl.warehouse.connection import open_warehouse, publish_snapshot, raw_archive_dir
from kommune_etl.warehouse.cases import rebuild_cases
from kommune_etl.warehouse.identity import rebuild_identity
from kommune_etl.warehouse.organisations import rebuild_organisations
from kommune_etl.warehouse.load import Change, load_document, record_source_version, source_state
from kommune_etl.warehouse.quality import record_quality_run
from kommune_etl.warehouse.search import rebuild_search_index


def __getattr__(name: str):
    """`process_document`, imported on first use (see the module docstring)."""
    if name == "process_document":
        from kommune_etl import processing

        return getattr(processing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class IngestSummary:
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    quarantined: int = 0
    pages: int = 0
    seconds: float = 0.0
    run_id: int | None = None
    rejected: list[DocumentResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): never read, e.g. a symlink
    hidden: int = 0  # hidden files and folders in the inbox (.DS_Store, ._name.pdf): skipped, only counted
    skipped_in_discovery: int = 0  # paths a separate discovery (the DAG's) passed over and named in its own log
    alerted: list[str] = field(default_factory=list)  # channels that delivered this run's alert
    data_docs: str | None = None  # GX Data Docs index of this warehouse

    @property
    def documents(self) -> int:
        return self.new + self.unchanged + self.updated + self.quarantined

    @property
    def paths_skipped(self) -> int:
        """Paths passed over as no documents to read (`runs.paths_skipped`)."""
        return len(self.skipped) + self.hidden + self.skipped_in_discovery


ProgressCallback = Callable[[Path, str], None]


def _named(raw: RawDocument, name: Callable[[str], str]) -> RawDocument:
    stored = name(raw.source)
    return raw if stored == raw.source else replace(raw, source=stored)


def ocr_settings_for(db_path: Path, enabled: bool = True) -> OcrSettings:
    """OCR results are cached beside the warehouse (`<dir>/ocr-cache/`), like the raw archive."""
    return OcrSettings(enabled=enabled, cache_dir=Path(db_path).parent / "ocr-cache")


@dataclass
class WarehouseRun:
    """An open warehouse, its raw archive and the counters of one recorded run."""

    con: object
    archive: RawArchive
    summary: IngestSummary
    run_id: int
    db_path: Path


@contextmanager
def warehouse_run(db_path: Path, command: str, check_quality: bool = True, alerts=None, mask_pii: bool = True):
    """Open the warehouse as the single writer, record a run, and on exit close the run's books:
    search index, counters, warehouse-level checks, the quality summary and Data Docs, and the alert."""
    con = open_warehouse(db_path)
    summary = IngestSummary()
    started = time.perf_counter()
    # the single writer holds the file: a run still open now was cut short (kill -9, a timeout) and stays visible
    con.execute("UPDATE runs SET outcome = 'interrupted', finished_at = ? WHERE finished_at IS NULL",
                [datetime.now(timezone.utc)])
    run_id = con.execute("INSERT INTO runs (command, started_at, pipeline_version, personal_data_masked)"
                         " VALUES (?, ?, ?, ?) RETURNING run_id",
                         [command, datetime.now(timezone.utc), __version__, mask_pii]).fetchone()[0]
    run = WarehouseRun(con, RawArchive(raw_archive_dir(db_path)), summary, run_id, Path(db_path))
    try:
        yield run
    finally:
        rebuild_search_index(con)  # a no-op unless this run changed which pages are readable
        if summary.new or summary.updated or not con.execute("SELECT count(*) FROM persons").fetchone()[0]:
            rebuild_identity(con)  # who is who across documents, with the run's new names
            rebuild_cases(con)  # which handlings in which bodies are one case
            rebuild_organisations(con)  # the organisation register and what names which
        summary.seconds = time.perf_counter() - started
        summary.run_id = run_id
        con.execute(
            "UPDATE runs SET finished_at = ?, documents_new = ?, documents_unchanged = ?, documents_updated = ?,"
            " documents_quarantined = ?, pages = ?, seconds = ?, outcome = 'completed', paths_skipped = ? WHERE run_id = ?",
            [datetime.now(timezone.utc), summary.new, summary.unchanged, summary.updated, summary.quarantined,
             summary.pages, summary.seconds, summary.paths_skipped, run_id],
        )
        report = None
        if check_quality and (summary.new or summary.updated or summary.quarantined):
            from kommune_etl.quality.validate import validator_for
            from kommune_etl.quality.warehouse_checks import check_warehouse

            validator_for(quality_root(con)).run_name = gx_run_name(run_id)
            check_warehouse(con, run_id, quality_root(con))
            report = validator_for(quality_root(con)).build_data_docs()
        elif check_quality:  # nothing loaded: no content check can have changed, and nothing was validated
            from kommune_etl.quality.run_size import record_run_size_checks
            from kommune_etl.quality.site import data_docs_index

            record_run_size_checks(con, run_id)
            report = data_docs_index(quality_root(con))
        record_quality_run(con, run_id, datetime.now(timezone.utc), report)
        summary.data_docs = report
        summary.alerted = _alert(con, run_id, db_path, alerts)
        publish_snapshot(con, db_path)  # what analysts read from now on: this run, whole
        con.close()


def ingest_paths(paths: Iterable[Path], db_path: Path, limits: Limits = Limits(),
                 on_document: ProgressCallback | None = None, command: str = "ingest",
                 ocr: OcrSettings | None = None, check_quality: bool = True, alerts=None,
                 mask_pii: bool = True, on_processed: ProgressCallback | None = None) -> IngestSummary:
    """Ingest files and folders into the warehouse at ``db_path``; report each document's outcome.

    ``on_document(path, outcome)`` is called once per document when its outcome is final (after its batch of
    up to VALIDATION_BATCH documents is validated and loaded); ``on_processed(path, status)`` as soon as a
    document new to the warehouse is read and analysed, so a progress display moves per document, not per batch."""
    listing = list_inbox(paths)
    files = listing.files
    ocr = ocr or ocr_settings_for(db_path)
    with warehouse_run(db_path, command, check_quality, alerts, mask_pii) as run:
        name = source_names_for(db_path, mask_pii)
        run.summary.skipped.extend((name(path), reason) for path, reason in listing.skipped)
        run.summary.hidden = listing.hidden
        for start in range(0, len(files), VALIDATION_BATCH):
            batch = files[start:start + VALIDATION_BATCH]
            for path, outcome in _ingest_batch(run, batch, limits, ocr, check_quality, mask_pii, name, on_processed):
                if on_document:
                    on_document(path, outcome)
    return run.summary


#: Documents validated together: GX's fixed cost per checkpoint run is shared across the batch.
VALIDATION_BATCH = 32


@dataclass(frozen=True)
class ProcessedDocument:
    """A document processed and validated away from the warehouse (e.g. by a mapped Airflow task), waiting for
    the single writer. Its bytes are in the raw archive already; what is staged holds no clear personal data."""

    source: str
    sha256: str
    result: DocumentResult
    validation: object = None


def process_for_load(raws: Iterable[RawDocument], db_path: Path, limits: Limits = Limits(), check_quality: bool = True,
                     mask_pii: bool = True, on_document: ProgressCallback | None = None) -> list[ProcessedDocument]:
    """Every database-free stage for a batch of documents, as the CLI runs them (OCR cache and GX project beside
    the warehouse; the batch validated together, so GX's fixed cost is paid once)."""
    from kommune_etl.processing import process_document

    ocr = ocr_settings_for(db_path)
    name = source_names_for(db_path, mask_pii)
    archive = RawArchive(raw_archive_dir(db_path))
    results = []
    for raw in raws:
        raw = _named(raw, name)
        archive.store(raw.sha256, raw.content)  # kept before any parsing, as ingest does: nothing is lost
        results.append(process_document(raw, limits, ocr=ocr, mask_pii=mask_pii))
        if on_document:
            on_document(Path(raw.source), results[-1].status.value)
    checked = validate_batch(results, check_quality, Path(db_path).parent, "kommune-etl-processed-before-load")
    return [ProcessedDocument(result.source, result.sha256, result, validation) for result, validation in checked]


def load_processed(db_path: Path, documents: Iterable[ProcessedDocument], command: str = "load",
                   check_quality: bool = True, alerts=None, unchanged: int = 0, skipped: int = 0) -> IngestSummary:
    """The single writer: load documents processed elsewhere, in one recorded run. ``unchanged``: the documents
    the discovery found unchanged and did not hand on, counted as seen by this run; ``skipped``: the paths it
    passed over as no documents (manifests, metadata sheets, hidden files, links; named in its own log), counted
    in `runs.paths_skipped` as `ingest` counts them."""
    with warehouse_run(db_path, command, check_quality, alerts) as run:
        run.summary.unchanged += unchanged
        run.summary.skipped_in_discovery += skipped
        for document in documents:
            state, change = _prepare(run, document.source, document.sha256)
            if change is Change.UNCHANGED:
                continue
            _load_one(run, document.result, document.validation, state, change)
    return run.summary


def quality_root(con) -> Path | None:
    """The GX project of a warehouse is its folder (GX keeps it in `gx/` there); None for in-memory databases."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(row[0]).parent if row and row[0] else None


def _alert(con, run_id: int, db_path: Path, settings) -> list[str]:
    """One summary alert when the run quarantined documents (settings default to the environment)."""
    from kommune_etl.quality.alerts import AlertSettings, build_alert, send_alert

    alert = build_alert(con, run_id, str(db_path))
    return send_alert(alert, settings or AlertSettings.from_env()) if alert else []


def gx_run_name(run_id: int) -> str:
    """GX's name for a pipeline run's results (Data Docs list them by run, not as `__none__`)."""
    return f"kommune-etl-run-{run_id}"


def validate(result: DocumentResult, enabled: bool = True, gx_root: Path | None = None, run_name: str | None = None):
    """The quality stage for one document (see `validate_batch`)."""
    return validate_batch([result], enabled, gx_root, run_name)[0]


def validate_batch(results: list[DocumentResult], enabled: bool = True, gx_root: Path | None = None,
                   run_name: str | None = None):
    """The quality stage: GX suites over a batch of documents' frames; an error-severity failure quarantines
    that document. With ``gx_root`` the results are stored in that GX project (for Data Docs), named ``run_name``.
    GX is imported here, when there is something to check, not before."""
    checkable = [r for r in results if r.status is Status.OK] if enabled else []
    if not checkable:
        return [(r, None) for r in results]
    from kommune_etl.quality.validate import validator_for

    if run_name:
        validator_for(gx_root).run_name = run_name
    validations = dict(zip((r.sha256 for r in checkable), validator_for(gx_root).validate_many(checkable)))
    out = []
    for result in results:
        validation = validations.get(result.sha256) if result.status is Status.OK else None
        if validation is not None and validation.errors:
            checks = "; ".join(f"{c.suite}.{c.check} (observed: {c.observed})" for c in validation.errors)
            error = DocumentError("quality_failed", f"{result.source}: failed quality checks: {checks}. The document is "
                                                    "kept in the raw archive; fix the cause and run `kommune-etl reprocess --quarantined`.")
            result = replace(result, status=Status.QUARANTINED, error=error)
        out.append((result, validation))
    return out


def _prepare(run: WarehouseRun, source: str, sha256: str):
    """Classify the change at this source (the bytes are in the raw archive already)."""
    state = source_state(run.con, source, sha256)
    change = state.change_for(sha256)
    if change is Change.UNCHANGED:
        record_source_version(run.con, source, sha256, state)
        run.summary.unchanged += 1
    return state, change


def _ingest_batch(run: WarehouseRun, paths: list[Path], limits: Limits, ocr: OcrSettings, check_quality: bool,
                  mask_pii: bool, name: Callable[[str], str], on_processed: ProgressCallback | None = None):
    """Archive and process each document, validate the batch together, then load one by one."""
    pending = []
    copies: dict[str, list[RawDocument]] = {}  # the same bytes at a second path in this batch: one document
    for path in paths:
        try:
            raw = _named(read_raw(path), name)
        except OSError as exc:  # vanished, unreadable, or swapped for a link after listing: skip, say why, go on
            stored = name(printable(path))
            run.summary.skipped.append((stored, f"not read: {exc.strerror or type(exc).__name__}"))
            yield Path(stored), "skipped"
            continue
        path = Path(raw.source)  # progress shows the name as stored
        if raw.sha256 in copies:
            copies[raw.sha256].append(raw)
            continue
        run.archive.store(raw.sha256, raw.content)  # before any parsing: nothing is lost
        state, change = _prepare(run, raw.source, raw.sha256)
        if change is Change.UNCHANGED:
            yield path, change.value
            continue
        copies[raw.sha256] = []
        from kommune_etl.processing import process_document

        pending.append((path, state, change, process_document(raw, limits, ocr=ocr, mask_pii=mask_pii)))
        if on_processed:
            on_processed(path, pending[-1][3].status.value)
    checked = validate_batch([p[3] for p in pending], check_quality, quality_root(run.con), gx_run_name(run.run_id))
    for (path, state, change, _), (result, validation) in zip(pending, checked):
        yield path, _load_one(run, result, validation, state, change)
    for sha256, raws in copies.items():
        for raw in raws:
            record_source_version(run.con, raw.source, sha256, source_state(run.con, raw.source, sha256))
            run.summary.unchanged += 1
            yield Path(raw.source), "copy"


def _load_one(run: WarehouseRun, result: DocumentResult, validation, state, change: Change) -> str:
    try:
        load_document(run.con, result, state, validation=validation, run_id=run.run_id)
    except Exception as exc:  # rolled back by load_document; keep the document visible as quarantined
        result = _load_failure(run.con, result, exc, run.run_id)
    summary = run.summary
    if result.status is not Status.OK:
        summary.quarantined += 1
        summary.rejected.append(result)
        return "quarantined"
    summary.pages += result.page_count
    if change is Change.UPDATED:
        summary.updated += 1
    else:
        summary.new += 1
    return change.value


def _load_failure(con, result: DocumentResult, exc: Exception, run_id: int | None = None) -> DocumentResult:
    """Record a document whose load failed (and was rolled back) as rejected, without its pages."""
    message = ReadError(ReasonCode.LOAD_FAILED, f"loading failed ({type(exc).__name__}: {exc})").as_error(result.source)
    failed = replace(result, status=Status.REJECTED, pages=(), entities=(), structures=None,
                     error=DocumentError(message.code, message.message))
    load_document(con, failed, source_state(con, failed.source, failed.sha256), run_id=run_id)
    return failed


def reprocess_quarantined(db_path: Path, limits: Limits = Limits(), on_document: ProgressCallback | None = None,
                          check_quality: bool = True, alerts=None) -> IngestSummary:
    """Run every document with an open quarantine entry again from its archived bytes (after a fix), as one
    recorded run like any other: quality results, warehouse checks, the alert and the search index follow."""
    with warehouse_run(db_path, "reprocess", check_quality, alerts) as run:
        con, summary = run.con, run.summary
        rows = con.execute("SELECT DISTINCT q.sha256, d.source, d.first_seen_at FROM quarantine q JOIN documents d USING (sha256)"
                           " WHERE q.resolved_at IS NULL ORDER BY d.source").fetchall()
        for sha256, source, first_seen in rows:
            from kommune_etl.processing import process_document

            raw = RawDocument(run.archive.load(sha256), source)
            result, validation = validate(process_document(raw, limits, ocr=ocr_settings_for(db_path)), check_quality,
                                          quality_root(con), gx_run_name(run.run_id))
            load_document(con, result, source_state(con, source, sha256), replace=True, validation=validation,
                          run_id=run.run_id)
            con.execute("UPDATE documents SET first_seen_at = ? WHERE sha256 = ?", [first_seen, sha256])
            if result.status is Status.OK:
                summary.updated += 1
                summary.pages += result.page_count
            else:
                summary.quarantined += 1
                summary.rejected.append(result)
            if on_document:
                on_document(Path(source), "recovered" if result.status is Status.OK else "quarantined")
    return run.summary


def publish_to_lake(db_path: Path, config, batch_size: int = 32):
    """Publish this loader's changed documents into the shared DuckLake (warehouse/lake.py)."""
    from kommune_etl.warehouse.lake import publish

    con = open_warehouse(db_path)
    try:
        return publish(con, config, batch_size)
    finally:
        con.close()
