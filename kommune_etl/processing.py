"""Processing one document: every stage that needs no database, bounded in time and memory.

Split from the run service (kommune_etl.pipeline) so that a run with nothing new imports no language pipeline,
reader or analysis: this module is imported when the first new or changed document appears.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from kommune_etl.extractors.ocr import OcrSettings, ocr_document
from kommune_etl.extractors.readers import preload_libraries, read_document
from kommune_etl.extractors.sandbox import Limits, read_isolated, run_bounded
from kommune_etl.extractors.sniff import PDF, sniff_media_type
from kommune_etl.models import DocumentResult, ExtractedDocument, Page, RawDocument, ReadError, ReasonCode, Status
from kommune_etl.transforms.classify import classify
from kommune_etl.transforms.metadata import extract_metadata
from kommune_etl.transforms.nlp.pipeline import extract_entities
from kommune_etl.transforms.pii import mask, personal_data
from kommune_etl.transforms.structures import extract_structures
from kommune_etl.transforms.structures.list_names import election_entities


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
