"""HTML pages from web portals: visible text only, block elements on their own lines."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from kommune_etl.extractors.readers.text import decode_text
from kommune_etl.models import ExtractedDocument, Page, ReadError, ReasonCode

_INVISIBLE = ("script", "style", "noscript", "template", "head", "nav", "svg")
_BLANK_RUNS = re.compile(r"\n{3,}")
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "ul", "ol", "section", "article",
           "header", "footer", "blockquote", "pre", "dt", "dd", "caption", "main", "aside")


def read_html(content: bytes) -> ExtractedDocument:
    soup = BeautifulSoup(decode_text(content), "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(_INVISIBLE):
        tag.decompose()
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.append("\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.append("\t")
    lines = (" ".join(line.split(" ")).strip(" ").rstrip("\t") for line in soup.get_text("").split("\n"))
    text = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
    if not text:
        raise ReadError(ReasonCode.EMPTY, "the HTML page has no visible text")
    return ExtractedDocument(pages=(Page(1, text, method="html"),), extractor="html", media_type="text/html",
                             metadata_title=title or None)
