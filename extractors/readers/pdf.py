"""PDF text layers through two interchangeable backends.

pypdfium2 is the default: measured on the real municipal PDFs it is one to two orders of magnitude
faster than pdfminer.six and reads text inside Form XObjects in reading order (see
docs/decisions/0002-pdf-backend.md and benchmarks/pdf_backends.py). pdfminer.six is the fallback
when PDFium cannot open a file or finds no text; it recovers some damaged files PDFium refuses.

Every failure maps to a stable reason code. This module never decides time or memory limits: the
sandbox around it does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from kommune_etl.models import ExtractedDocument, Page, ReadError, ReasonCode

PYPDFIUM2 = "pypdfium2"
PDFMINER = "pdfminer"
DEFAULT_BACKEND = PYPDFIUM2
BACKENDS = (PYPDFIUM2, PDFMINER)

#: A page tree that claims more pages than this is a fuzz file or a bomb, not a municipal record.
MAX_PAGES = 5000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class PdfText:
    pages: tuple[Page, ...]
    title: str | None


def _has_image(parent, count, get, levels: int) -> bool:
    """Whether ``parent`` (a page, or a form XObject) draws an image, looking ``levels`` deep into nested forms.

    Plain PDFium calls that stop at the first image: pypdfium2's `get_objects` wraps every object of the page in
    a Python object first, which on a text page of vector drawings cost as much as reading its text (issue 21)."""
    import pypdfium2.raw as pdfium_c

    for index in range(count(parent)):
        obj = get(parent, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if (kind == pdfium_c.FPDF_PAGEOBJ_FORM and levels > 1
                and _has_image(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, levels - 1)):
            return True
    return False


class _BackendFailed(Exception):
    """The backend could not open or walk the file; the caller may try the other one."""


def read_pdf(content: bytes, backend: str = DEFAULT_BACKEND) -> ExtractedDocument:
    """Read a PDF with ``backend``, falling back to the other when it fails or finds no text."""
    if b"%PDF-" not in content:
        raise ReadError(ReasonCode.NOT_A_PDF, "no %PDF- header anywhere in the file")
    order = [backend] + [b for b in BACKENDS if b != backend]
    failures: list[str] = []
    best: tuple[str, PdfText] | None = None
    for name in order:
        try:
            result = _EXTRACTORS[name](content)
        except _BackendFailed as exc:
            failures.append(f"{name}: {exc}")
            continue
        if best is None:
            best = (name, result)
        if any(p.text.strip() for p in result.pages):
            best = (name, result)
            break
    if best is None:
        raise ReadError(ReasonCode.CORRUPT, "no PDF backend could open the file (" + "; ".join(failures) + ")")
    name, result = best
    if not result.pages:
        raise ReadError(ReasonCode.CORRUPT, "the PDF has no readable pages")
    if not any(p.text.strip() or p.has_images for p in result.pages):
        raise ReadError(ReasonCode.EMPTY, f"the PDF's {len(result.pages)} page(s) hold no text and no images")
    # image-only pages come back with empty text: the OCR stage (extractors/ocr.py) decides what to do
    return ExtractedDocument(pages=result.pages, extractor=name, media_type="application/pdf",
                             metadata_title=result.title)


def clean_page_text(text: str) -> str:
    """Normalise line ends and drop control characters PDF text layers leak (pure)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _extract_pdfium(content: bytes) -> PdfText:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ReadError(ReasonCode.ENCRYPTED, "the PDF is encrypted with a user password") from exc
        raise _BackendFailed(str(exc)) from exc
    try:
        count = len(document)
        if count > MAX_PAGES:
            raise ReadError(ReasonCode.TOO_LARGE, f"the page tree claims {count} pages (limit {MAX_PAGES})")
        pages = []
        for index in range(count):
            try:
                page = document[index]
            except pdfium.PdfiumError as exc:
                raise _BackendFailed(f"page {index + 1}: {exc}") from exc
            text = page.get_textpage().get_text_range()
            has_images = _has_image(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, 3)
            pages.append(Page(index + 1, clean_page_text(text), "text_layer", has_images))
        title = (document.get_metadata_dict().get("Title") or "").strip() or None
        return PdfText(tuple(pages), title)
    finally:
        document.close()


def _extract_pdfminer(content: bytes) -> PdfText:
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns per page about harmless oddities
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTContainer, LTImage, LTTextContainer
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.psparser import PSException

    def walk(item, sink: list[str]) -> bool:
        """Collect text depth-first (text inside Form XObjects lands in LTFigure); report images."""
        found_image = isinstance(item, LTImage)
        if isinstance(item, LTTextContainer):
            sink.append(item.get_text())
        elif isinstance(item, LTContainer):
            for child in item:
                found_image |= walk(child, sink)
        return found_image

    pages = []
    try:
        # all_texts=True runs layout analysis inside figures too, or words there glue together
        for number, layout in enumerate(extract_pages(BytesIO(content), laparams=LAParams(all_texts=True)), start=1):
            if number > MAX_PAGES:
                raise ReadError(ReasonCode.TOO_LARGE, f"more than {MAX_PAGES} pages")
            sink: list[str] = []
            has_images = walk(layout, sink)
            pages.append(Page(number, clean_page_text("".join(sink)), "text_layer", has_images))
    except PDFPasswordIncorrect as exc:
        raise ReadError(ReasonCode.ENCRYPTED, "the PDF is encrypted with a user password") from exc
    except ReadError:
        raise
    except (PSException, RecursionError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, OverflowError, ZeroDivisionError) as exc:
        # pdfminer signals damaged structure with a wide range of exceptions
        raise _BackendFailed(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # pdfminer's PDFException family and friends; narrowed by name below
        if type(exc).__module__.startswith("pdfminer"):
            raise _BackendFailed(f"{type(exc).__name__}: {exc}") from exc
        raise
    return PdfText(tuple(pages), None)


_EXTRACTORS: dict[str, Callable[[bytes], PdfText]] = {PYPDFIUM2: _extract_pdfium, PDFMINER: _extract_pdfminer}
