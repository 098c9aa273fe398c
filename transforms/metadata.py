"""Title and document date: what a document calls itself and the date it speaks from.

The document date drives code validity (a municipality's number depends on the date), so it is
chosen with care: a labelled date (`Dato:`, `Møtedato`) wins; otherwise a system's print stamp, or a
date on a short line near the top of the first page (a date inside a sentence speaks of something else);
otherwise none, with the year from the title (`Årsmelding 2023`) when it gives one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from kommune_etl.models import Page
from kommune_etl.transforms.normalise.dates import find_dates

_LABEL = re.compile(r"(?im)^[ \t]*(?:møtedato|mødedato|dato|date|møtetid|tid)\b[ \t]*:?")
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_TOP_OF_PAGE_CHARS = 1500
_LABEL_WINDOW_CHARS = 2500
_YEAR_HEAD_CHARS = 300
_TITLE_MAX = 200
_HEADING_LINE_CHARS = 60


@dataclass(frozen=True)
class DocumentMetadata:
    title: str | None
    document_date: date | None
    document_year: int | None

    def reference_date(self, today: date | None = None) -> date:
        """The date codes are resolved at: the document date, else mid-year of its year, else today."""
        if self.document_date:
            return self.document_date
        if self.document_year:
            return date(self.document_year, 7, 1)
        return today or date.today()


def extract_metadata(pages: tuple[Page, ...], metadata_title: str | None = None) -> DocumentMetadata:
    first_text = pages[0].text if pages else ""
    title = _title(first_text, metadata_title)
    document_date = _document_date(pages)
    year = document_date.year if document_date else _year_from(f"{title or ''}\n{first_text[:_YEAR_HEAD_CHARS]}")
    if year is None:
        year = _latest_dated_year(pages)
    return DocumentMetadata(title, document_date, year)


def _title(first_page: str, metadata_title: str | None) -> str | None:
    if metadata_title and len(metadata_title) > 3 and not metadata_title.lower().startswith(("microsoft", "untitled")):
        return metadata_title[:_TITLE_MAX]
    for line in first_page.splitlines():
        line = " ".join(line.lstrip("# ").split())
        if len(line) >= 4 and any(ch.isalpha() for ch in line):
            return line[:_TITLE_MAX]
    return None


def _document_date(pages: tuple[Page, ...]) -> date | None:
    for page in pages[:2]:
        head = page.text[:_LABEL_WINDOW_CHARS]
        for label in _LABEL.finditer(head):
            window = head[label.end(): label.end() + 80]
            dates = find_dates(window)
            if dates and dates[0].start < 40:
                return dates[0].value
    stamp = _print_stamp(pages)
    if stamp:
        return stamp
    if pages:
        head = pages[0].text[:_TOP_OF_PAGE_CHARS]
        for found in find_dates(head):
            if _on_a_heading_line(head, found.start, found.end):
                return found.value
    return None


def _on_a_heading_line(text: str, start: int, end: int) -> bool:
    """A date that stands on a short line (`Oslo, 5. september 2017`, `18.03.2025`) dates the document; one inside
    a sentence (`vedtatt i utvalget 07.03.2019, og …`) speaks of something else."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start: line_end if line_end >= 0 else len(text)]
    return len(line.strip()) <= _HEADING_LINE_CHARS


_STAMP = re.compile(r"(?m)^[ \t]*(?P<day>\d{2})\.(?P<month>\d{2})\.(?P<year>\d{4})[ \t]+\d{2}:\d{2}(?::\d{2})?\b")


def _print_stamp(pages: tuple[Page, ...]) -> date | None:
    """The date a system printed in its page footers (`10.09.2019 17:56:07 Valprotokoll … Side 2`): the same
    date and time on most pages is when the document was made, whatever dates its text speaks of."""
    seen = Counter(stamp for page in pages[:50] for stamp in {m.group(0).strip() for m in _STAMP.finditer(page.text)})
    if not seen:
        return None
    stamp, count = seen.most_common(1)[0]
    if count < min(2, len(pages)):
        return None
    m = _STAMP.match(stamp)
    try:
        return date(int(m["year"]), int(m["month"]), int(m["day"]))
    except ValueError:
        return None


def _latest_dated_year(pages: tuple[Page, ...]) -> int | None:
    """An undated document speaks from no earlier than the latest full date it mentions."""
    years = [d.value.year for page in pages for d in find_dates(page.text)]
    return max(years) if years else None


def _year_from(head: str) -> int | None:
    match = _TITLE_YEAR.search(head)
    return int(match.group(1)) if match else None
