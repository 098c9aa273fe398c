"""The stage functions every entry point calls: the CLI, the Airflow tasks and the tests.

`process_document` takes bytes through read → classify → metadata → entities → structures and returns a DocumentResult; it
touches no database. `ingest_paths` archives, skips what is known, processes and loads, one
document at a time, and never lets one document end the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from extractors.ocr import OcrSettings, ocr_document
from extractors.readers import preload_libraries, read_document
from extractors.sandbox import Limits, read_isolated, run_bounded
from extractors.sniff import PDF, sniff_media_type
from extractors.sources.folder import list_inbox, printable, read_raw  # noqa: F401 (read_raw: re-exported)
from kommune_etl import __version__
from kommune_etl.discover import source_names_for
from kommune_etl.models import (DocumentError, DocumentResult, ExtractedDocument, Page, RawDocument, ReadError, ReasonCode,
                                Status)
from transforms.classify import classify
from transforms.metadata import extract_metadata
from transforms.nlp.pipeline import extract_entities
from transforms.pii import mask, personal_data
from transforms.structures import extract_structures
from transforms.structures.list_names import election_entities
from warehouse.archive import RawArchive
from warehouse.connection import open_warehouse, publish_snapshot, raw_archive_dir
from warehouse.cases import rebuild_cases
from warehouse.identity import rebuild_identity
from warehouse.organisations import rebuild_organisations
from warehouse.load import Change, load_document, record_source_version, source_state
from warehouse.quality import record_quality_run
from warehouse.search import rebuild_search_index


def process_document(raw: RawDocument, limits: Limits = Limits(), pdf_backend: str | None = None,
                     ocr: OcrSettings = OcrSettings(), mask_pii: bool = True) -> DocumentResult:
    """Run one document through every stage that needs no database, each bounded by ``limits`` in time and memory.

    A PDF is read in one bounded child, OCR'd page by page in others (a long scan is not one budget), then
    analysed in a last one; any other format is read and analysed in a single bounded child. A document that
    runs out of time or memory is rejected with that reason and keeps no pages (they were never masked)."""
    media_type = raw.media_type or sniff_media_type(raw.content, raw.source)
    base = dict(sha256=raw.sha256, source=raw.source, byte_size=len(raw.content), media_type=media_type)
    try:
        if not raw.content:
            raise ReadError(ReasonCode.EMPTY, "the file is empty (0 bytes)")
        _warm_up()
        if media_type == PDF:
            extracted = ocr_document(raw.content, read_isolated(raw.content, media_type, limits, pdf_backend), ocr)
            return run_bounded(_analyse, (base, extracted, limits.max_text_chars, mask_pii), {}, limits.timeout_s,
                               limits.memory_mb, "the analysis")
        if len(raw.content) > limits.max_bytes:
            raise ReadError(ReasonCode.TOO_LARGE, f"{len(raw.content)} bytes is over the limit of {limits.max_bytes} bytes")
        preload_libraries(media_type)
        return run_bounded(_read_and_analyse, (base, raw.content, media_type, limits.max_text_chars, mask_pii), {},
                           limits.timeout_s, limits.memory_mb, "reading and analysis")
    except ReadError as exc:
        return DocumentResult(**base, status=Status.REJECTED, error=exc.as_error(raw.source))


def _read_and_analyse(base: dict, content: bytes, media_type: str, max_text_chars: int, mask_pii: bool) -> DocumentResult:
    return _analyse(base, read_document(content, media_type), max_text_chars, mask_pii)


_WARM_UP_TEXT = ("Steinkjer kommune\nMøteprotokoll\nUtval: Kommunestyret\nMøtedato: 12.03.2024\n"
                 "Sak 12/24 Tilskott til kulturhus 2024–2025\nBehandling: Forslag fra Arbeiderpartiet (Ap).\n"
                 "Vedtak: Kommunestyret gir kr 1 250 000 til Trøndelag fylkeskommune. Enstemmig vedtatt.\n")


@cache
def _warm_up() -> None:
    """Run the analysis once in this process on a short text, so every forked analysis starts with the
    language pipeline and the reference data already loaded (copy-on-write) instead of loading them again."""
    page = Page(number=1, text=_WARM_UP_TEXT)
    _analyse(dict(sha256="0" * 64, source="warm-up", byte_size=0, media_type="text/plain"),
             ExtractedDocument(pages=(page,), extractor="warm-up", media_type="text/plain"), 10_000, True)


def _analyse(base: dict, extracted: ExtractedDocument, max_text_chars: int, mask_pii: bool) -> DocumentResult:
    """Every stage after reading: bound the text, mask personal data, then metadata, classification, entities
    and structures. Runs in a bounded child; a stage's exception becomes the reason code `stage_failed`."""
    extracted = _without_nul(extracted)
    extracted, truncated = _bounded_text(extracted, max_text_chars)
    if not any(p.text.strip() for p in extracted.pages):
        raise ReadError(ReasonCode.NO_TEXT_LAYER, f"all {len(extracted.pages)} pages are images without a text layer "
                                                  "(a scan) and OCR is switched off")
    stage = "personal data"
    try:
        extracted, pii = _mask_personal_data(extracted, mask_pii)
        stage = "metadata"
        meta = extract_metadata(extracted.pages, extracted.metadata_title)
        if mask_pii and meta.title:  # a title from the file's own metadata never passed the page masking
            title_findings = personal_data(meta.title)
            if title_findings:
                meta = replace(meta, title=mask(meta.title, title_findings))
                pii = pii + tuple((0, f.kind) for f in title_findings)
        stage = "classify"
        classification = classify(extracted.pages, meta.title)
        stage = "entities"
        entities = extract_entities(extracted.pages, meta.reference_date())
        stage = "structures"
        structures = extract_structures(extracted.pages, classification.doc_type, meta.reference_date(), entities)
        entities = election_entities(entities, extracted.pages, structures.elections)
    except MemoryError:
        raise  # over the memory budget: the bounded child reports `too_large`
    except Exception as exc:  # one document's bug must not end the run: it becomes a reason code
        error = ReadError(ReasonCode.STAGE_FAILED, f"the {stage} stage failed ({type(exc).__name__}: {exc})")
        pages = extracted.pages if stage != "personal data" or not mask_pii else ()
        return DocumentResult(**base, status=Status.REJECTED, extractor=extracted.extractor, pages=pages,
                              error=error.as_error(base["source"]))
    return DocumentResult(
        **base,
        status=Status.OK,
        doc_type=classification.doc_type,
        doc_type_evidence=classification.evidence,
        title=meta.title,
        document_date=meta.document_date,
        document_year=meta.document_year,
        extractor=extracted.extractor,
        pages=extracted.pages,
        entities=entities,
        structures=structures,
        pii=pii,
        text_truncated_chars=truncated,
    )


def _bounded_text(extracted, max_chars: int):
    """Keep whole pages up to ``max_chars`` and cut the page that crosses it; return how much was cut."""
    total = sum(len(p.text) for p in extracted.pages)
    if total <= max_chars:
        return extracted, 0
    kept, budget = [], max_chars
    for page in extracted.pages:
        if budget <= 0:
            break
        kept.append(page if len(page.text) <= budget else replace(page, text=page.text[:budget]))
        budget -= len(kept[-1].text)
    return replace(extracted, pages=tuple(kept)), total - sum(len(p.text) for p in kept)


def _without_nul(extracted):
    """NUL characters from any reader are dropped (offsets are taken after this): no database or tool wants them."""
    if not any("\x00" in p.text for p in extracted.pages):
        return extracted
    return replace(extracted, pages=tuple(replace(p, text=p.text.replace("\x00", "")) for p in extracted.pages))


def _mask_personal_data(extracted, mask_pii: bool):
    """Find personal data on every page; mask it in the text (same length, so offsets hold) unless off."""
    found, pages = [], []
    for page in extracted.pages:
        findings = personal_data(page.text)
        found.extend((page.number, f.kind) for f in findings)
        pages.append(replace(page, text=mask(page.text, findings)) if findings and mask_pii else page)
    return (replace(extracted, pages=tuple(pages)) if found else extracted), tuple(found)


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
    alerted: list[str] = field(default_factory=list)  # channels that delivered this run's alert
    data_docs: str | None = None  # GX Data Docs index of this warehouse

    @property
    def documents(self) -> int:
        return self.new + self.unchanged + self.updated + self.quarantined


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
    if check_quality:  # GX names this run's results after it (Data Docs list them by run, not as `__none__`)
        from quality.validate import validator_for

        validator_for(quality_root(con)).run_name = f"kommune-etl-run-{run_id}"
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
            " documents_quarantined = ?, pages = ?, seconds = ?, outcome = 'completed' WHERE run_id = ?",
            [datetime.now(timezone.utc), summary.new, summary.unchanged, summary.updated, summary.quarantined,
             summary.pages, summary.seconds, run_id],
        )
        report = None
        if check_quality:
            from quality.validate import validator_for
            from quality.warehouse_checks import check_warehouse

            check_warehouse(con, run_id, quality_root(con))
            report = validator_for(quality_root(con)).build_data_docs()
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
    if check_quality and results:
        from quality.validate import validator_for

        validator_for(Path(db_path).parent).run_name = "kommune-etl-processed-before-load"
    checked = validate_batch(results, check_quality, Path(db_path).parent)
    return [ProcessedDocument(result.source, result.sha256, result, validation) for result, validation in checked]


def load_processed(db_path: Path, documents: Iterable[ProcessedDocument], command: str = "load",
                   check_quality: bool = True, alerts=None, unchanged: int = 0) -> IngestSummary:
    """The single writer: load documents processed elsewhere, in one recorded run. ``unchanged``: the documents
    the discovery found unchanged and did not hand on, counted as seen by this run."""
    with warehouse_run(db_path, command, check_quality, alerts) as run:
        run.summary.unchanged += unchanged
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
    from quality.alerts import AlertSettings, build_alert, send_alert

    alert = build_alert(con, run_id, str(db_path))
    return send_alert(alert, settings or AlertSettings.from_env()) if alert else []


def validate(result: DocumentResult, enabled: bool = True, gx_root: Path | None = None):
    """The quality stage for one document (see `validate_batch`)."""
    return validate_batch([result], enabled, gx_root)[0]


def validate_batch(results: list[DocumentResult], enabled: bool = True, gx_root: Path | None = None):
    """The quality stage: GX suites over a batch of documents' frames; an error-severity failure quarantines
    that document. With ``gx_root`` the results are stored in that GX project (for Data Docs)."""
    checkable = [r for r in results if r.status is Status.OK] if enabled else []
    if not checkable:
        return [(r, None) for r in results]
    from quality.validate import validator_for

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
        pending.append((path, state, change, process_document(raw, limits, ocr=ocr, mask_pii=mask_pii)))
        if on_processed:
            on_processed(path, pending[-1][3].status.value)
    checked = validate_batch([p[3] for p in pending], check_quality, quality_root(run.con))
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
            raw = RawDocument(run.archive.load(sha256), source)
            result, validation = validate(process_document(raw, limits, ocr=ocr_settings_for(db_path)), check_quality,
                                          quality_root(con))
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
    from warehouse.lake import publish

    con = open_warehouse(db_path)
    try:
        return publish(con, config, batch_size)
    finally:
        con.close()
