"""Readers turn bytes into page-aware text (:class:`~kommune_etl.models.ExtractedDocument`).

:func:`read_document` is the one entry point; it dispatches on the sniffed media type. It runs inside
the sandbox (:mod:`extractors.sandbox`), so a reader may be slow or crash without harming the run.
"""

from __future__ import annotations

from kommune_etl.extractors import sniff
from kommune_etl.extractors.readers import docx, html, pdf, text
from kommune_etl.models import ExtractedDocument, ReadError, ReasonCode

_READERS = {  # PDF has its own branch below: it takes the backend choice
    sniff.DOCX: docx.read_docx,
    sniff.HTML: html.read_html,
    sniff.TEXT: text.read_text,
    sniff.MARKDOWN: text.read_text,
}


def read_document(content: bytes, media_type: str, *, pdf_backend: str = pdf.DEFAULT_BACKEND) -> ExtractedDocument:
    if media_type == sniff.PDF:
        return pdf.read_pdf(content, backend=pdf_backend)
    reader = _READERS.get(media_type)
    if reader is None:
        raise ReadError(ReasonCode.UNSUPPORTED_FORMAT, f"unsupported format ({media_type})")
    return reader(content)


def preload_libraries(media_type: str) -> None:
    """Import the parsing libraries a media type needs, so a memory ceiling set afterwards bounds parsing only."""
    if media_type == sniff.PDF:
        import pdfminer.high_level  # noqa: F401
        import pypdfium2  # noqa: F401
    elif media_type == sniff.DOCX:
        import docx  # noqa: F401
