"""Typed records that cross stage boundaries.

Each stage takes and returns these plain, immutable records so the CLI, the Airflow tasks and the
tests can call the same stage functions and hand results between processes (they pickle and they
turn into JSON with :func:`dataclasses.asdict`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import StrEnum


class DocType(StrEnum):
    PROTOCOL = "protocol"
    GRANT_LETTER = "grant_letter"
    ANNUAL_REPORT = "annual_report"
    CASE_DOCUMENT = "case_document"
    LETTER = "letter"
    PRESENTATION = "presentation"
    OTHER = "other"
    DECISION_RECORD = "decision_record"      # one case as handled by one body (saksprotokoll, "X behandling av sak N/YYYY")
    ELECTION_PROTOCOL = "election_protocol"  # valgstyrets/fylkesvalgstyrets/stemmestyrets møtebok, EVA reports


class Status(StrEnum):
    OK = "ok"
    REJECTED = "rejected"        # could not be read or processed
    QUARANTINED = "quarantined"  # read, but failed an error-severity quality check: not loaded into analytic tables


class ReasonCode(StrEnum):
    """Why a document could not be read. Stable strings: they are stored and printed as JSON."""

    NOT_A_PDF = "not_a_pdf"
    UNSUPPORTED_FORMAT = "unsupported_format"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    NO_TEXT_LAYER = "no_text_layer"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    DECODE_ERROR = "decode_error"
    READER_CRASHED = "reader_crashed"
    STAGE_FAILED = "stage_failed"
    LOAD_FAILED = "load_failed"


#: What a user can do about each reason; appended to the message so errors say what to do.
REASON_HINTS: dict[ReasonCode, str] = {
    ReasonCode.NOT_A_PDF: "The file is named .pdf but has no PDF header; check that the download was complete.",
    ReasonCode.UNSUPPORTED_FORMAT: "Convert it to PDF, DOCX, HTML or plain text and ingest it again.",
    ReasonCode.ENCRYPTED: "Ask the sender for an unprotected copy (or remove the password) and ingest it again.",
    ReasonCode.CORRUPT: "Re-download the file or re-save it from a PDF viewer, then ingest it again.",
    ReasonCode.NO_TEXT_LAYER: "The PDF holds page images only (a scan); it needs OCR before its text can be read.",
    ReasonCode.EMPTY: "The document has pages but no text or images; check the source.",
    ReasonCode.TOO_LARGE: "If the file is genuine, raise --max-bytes or --max-memory-mb and ingest it again.",
    ReasonCode.TIMEOUT: "Raise --timeout if the file is genuine; very large or hostile files are stopped on purpose.",
    ReasonCode.DECODE_ERROR: "Save the file as UTF-8 and ingest it again.",
    ReasonCode.READER_CRASHED: "The reader process died; report the file (it is kept in the raw archive).",
    ReasonCode.STAGE_FAILED: "A pipeline stage failed on this document; report it with the message "
                             "(the file is kept) and run `kommune-etl reprocess --quarantined` after a fix.",
    ReasonCode.LOAD_FAILED: "Loading into the warehouse failed and was rolled back; check the warehouse and ingest again.",
}


@dataclass(frozen=True)
class RawDocument:
    """Bytes as fetched, before any parsing. The sha256 is the document's identity."""

    content: bytes
    source: str
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    media_type: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Page:
    """One page's text. Entity offsets elsewhere are character offsets into ``text``."""

    number: int
    text: str
    method: str = "text_layer"  # text_layer | text | html | docx | ocr | ocr_replaced_layer
    has_images: bool = False
    ocr_confidence: float | None = None  # mean Tesseract word confidence, 0–100, on OCR pages


@dataclass(frozen=True)
class ExtractedDocument:
    """What a reader returns: page-aware text plus what the file itself says about it."""

    pages: tuple[Page, ...]
    extractor: str
    media_type: str
    metadata_title: str | None = None

    @property
    def text_chars(self) -> int:
        return sum(len(p.text) for p in self.pages)


@dataclass(frozen=True)
class DocumentError:
    code: str
    message: str


class ReadError(Exception):
    """A document that cannot be read. Carries a stable reason code; never ends a run."""

    def __init__(self, code: ReasonCode, message: str):
        super().__init__(message)
        self.code = ReasonCode(code)
        self.message = message

    def as_error(self, source: str) -> DocumentError:
        hint = REASON_HINTS.get(self.code, "")
        return DocumentError(code=self.code.value, message=f"{source}: {self.message}. {hint}".strip())


@dataclass(frozen=True)
class Entity:
    """A found and normalised mention, traceable to its page and character span in that page's text.

    ``value`` is JSON-ready: kroner as a number, dates as `YYYY-MM-DD`, periods as {start, end}, codes
    as strings (`"4204"`, `"42"`; None when the name had no valid code at the document's date).
    """

    label: str
    text: str
    value: object
    page: int
    start: int
    end: int
    value_max: object = None
    source: str = "rules"
    confidence: float | None = None
    per: str | None = None  # AMOUNT: the unit of a price (`m2` in `kr 950,- pr. m2`)
    historical_code: str | None = None  # MUNICIPALITY/COUNTY without a code on the date: its last code
    successor_code: str | None = None  # … and the code on the date of what it became (None after a split)


@dataclass(frozen=True)
class Classification:
    doc_type: DocType
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class DocumentResult:
    """A document after every stage: what the warehouse loads and `extract --format json` prints."""

    sha256: str
    source: str
    byte_size: int
    media_type: str
    status: Status
    doc_type: DocType = DocType.OTHER
    doc_type_evidence: tuple[str, ...] = ()
    title: str | None = None
    document_date: date | None = None
    document_year: int | None = None
    extractor: str | None = None
    pages: tuple[Page, ...] = ()
    entities: tuple[Entity, ...] = ()
    structures: object = None  # transforms.structures.records.Structures (kept untyped here: no import cycle)
    pii: tuple[tuple[int, str], ...] = ()  # (page, kind) of personal data found (masked unless configured off)
    text_truncated_chars: int = 0  # characters cut beyond Limits.max_text_chars (a quality warning when > 0)
    error: DocumentError | None = None
    processed_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def page_count(self) -> int:
        return len(self.pages)
