"""DOCX: paragraphs and tables in document order; explicit page breaks start a new page.

Tables come out as tab-separated rows, the same shape as the text samples, so one table reader
serves both.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from kommune_etl.models import ExtractedDocument, Page, ReadError, ReasonCode

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(content: bytes) -> ExtractedDocument:
    import docx  # python-docx; imported here so the CLI starts fast

    try:
        document = docx.Document(BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReadError(ReasonCode.CORRUPT, f"not a readable DOCX package ({exc})") from exc
    pages: list[list[str]] = [[]]
    for block in document.element.body.iterchildren():
        if block.tag == f"{_W}p":
            _append_paragraph(block, pages)
        elif block.tag == f"{_W}tbl":
            for row in block.iter(f"{_W}tr"):
                cells = ["".join(t.text or "" for t in cell.iter(f"{_W}t")) for cell in row.iter(f"{_W}tc")]
                pages[-1].append("\t".join(cells))
    texts = ["\n".join(lines).strip("\n") for lines in pages]
    if not any(t.strip() for t in texts):
        raise ReadError(ReasonCode.EMPTY, "the DOCX document has no text")
    title = (document.core_properties.title or "").strip() or None
    return ExtractedDocument(
        pages=tuple(Page(i, t, method="docx") for i, t in enumerate(texts, start=1)),
        extractor="python-docx",
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        metadata_title=title,
    )


def _append_paragraph(paragraph, pages: list[list[str]]) -> None:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag == f"{_W}br" and node.get(f"{_W}type") == "page":
            pages[-1].append("".join(parts))
            parts = []
            pages.append([])
    pages[-1].append("".join(parts))
