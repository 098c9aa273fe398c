"""Plain text and Markdown: keep the words, drop the markup.

The bundled samples carry `<b>`/`<sup>` tags, Markdown headings, emphasis and autolinks left over
from conversion. Tabs (table cells) and non-breaking spaces are kept: later stages read them.
Form feeds separate pages.
"""

from __future__ import annotations

import re

from kommune_etl.models import ExtractedDocument, Page, ReadError, ReasonCode

_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_FOOTNOTE_MARK = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?(?:b|i|u|em|strong|sup|sub|span|br)\b[^>\n]*>", re.IGNORECASE)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^)\s]+)\)")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def decode_text(content: bytes) -> str:
    """UTF-8 first; Windows-1252 (common in older Norwegian files) only when UTF-8 fails."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        decoded = content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ReadError(ReasonCode.DECODE_ERROR, f"text is neither UTF-8 nor Windows-1252 (byte {exc.start})") from exc
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in decoded[:4096]):
        raise ReadError(ReasonCode.DECODE_ERROR, "binary data in a text file")
    return decoded


def strip_markup(text: str) -> str:
    """Remove inline HTML tags and Markdown syntax, keeping their text (pure; offsets change)."""
    text = _AUTOLINK.sub(r"\1", text)
    # a footnote mark stays a superscript, so `21.12.2023<sup>1</sup>` does not become the number 20231
    text = _FOOTNOTE_MARK.sub(lambda m: m.group(1).translate(_SUPERSCRIPT_DIGITS), text)
    text = _INLINE_TAG.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return text


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(content: bytes) -> ExtractedDocument:
    text = strip_markup(normalise_newlines(decode_text(content)))
    pages = tuple(Page(number=i, text=chunk, method="text") for i, chunk in enumerate(text.split("\f"), start=1))
    if not any(p.text.strip() for p in pages):
        raise ReadError(ReasonCode.EMPTY, "the text file is empty")
    return ExtractedDocument(pages=pages, extractor="text", media_type="text/plain")
