"""Decide a document's format from its bytes first and its name second.

Names lie (a `.pdf` that is an HTML error page is common on municipal portals), so magic bytes win.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import PurePath

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
UNKNOWN = "application/octet-stream"

_TEXT_SUFFIXES = {".txt": TEXT, ".text": TEXT, ".md": MARKDOWN, ".markdown": MARKDOWN}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def sniff_media_type(content: bytes, name: str = "") -> str:
    """Return the media type of ``content``; ``name`` breaks ties between text flavours."""
    head = content[:1024]
    suffix = PurePath(name).suffix.lower()
    if b"%PDF-" in head or (suffix == ".pdf" and b"%PDF-" in content):
        return PDF
    if head.startswith(b"PK\x03\x04") and _is_docx(content):
        return DOCX
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html")) or suffix in _HTML_SUFFIXES:
        return HTML
    if suffix in _TEXT_SUFFIXES and _looks_textual(head):
        return _TEXT_SUFFIXES[suffix]
    if suffix == ".pdf":
        return PDF  # claims to be a PDF but has no header: the PDF reader rejects it as not_a_pdf
    if _looks_textual(head):
        return TEXT
    return UNKNOWN


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _looks_textual(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the 1024-byte boundary is still text
        if exc.start >= len(head) - 3:
            return True
    # older Norwegian files are Windows-1252 (`M\xf8te`): text when it decodes to printable characters
    decoded = head.decode("cp1252", errors="replace")
    controls = sum(1 for c in decoded if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\ufffd")
    return controls <= len(decoded) // 100
