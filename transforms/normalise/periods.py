"""Periods: `våren 2025`, `første halvår 2025`, `2. tertial`, `3. kvartal 2024`, `2022-2025`, `økonomiplan
2025-28`, `medio mars 2025`, `uke 12 2025` → (start, end) dates, both inclusive.

Conventions (those of the answer keys): spring = Mar–May, summer = Jun–Aug, autumn = Sep–Nov,
winter = Dec–Feb; a year range runs 1 Jan–31 Dec; `2025/26` and a one-year `2024-25` are school years
(Aug–Jul); primo/medio/ultimo split a month in thirds and a year into Jan–Mar / Jun–Jul / Oct–Dec.
A period without a year uses ``default_year`` when given, else it is skipped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from kommune_etl.transforms.normalise.dates import MONTHS

_MONTH = "|".join(sorted((m for m in MONTHS if len(m) > 3), key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
_SEASONS = {
    "vår": (3, 5), "våren": (3, 5), "våre": (3, 5), "sommer": (6, 8), "sommeren": (6, 8),
    "høst": (9, 11), "høsten": (9, 11), "haust": (9, 11), "hausten": (9, 11), "vinter": (12, 2), "vinteren": (12, 2),
}
_SEASON = "|".join(sorted(_SEASONS, key=len, reverse=True))
_ORDINAL = {"første": 1, "1.": 1, "andre": 2, "2.": 2, "tredje": 3, "3.": 3, "fjerde": 4, "4.": 4, "siste": -1}
_ORD = r"(?:første|andre|tredje|fjerde|siste|[1-4]\.)"

_PATTERNS = [
    ("season", re.compile(rf"\b(?P<season>{_SEASON})\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("half", re.compile(rf"\b(?P<ord>{_ORD})\s*halvår(?:et)?(?:\s+(?P<year>{_YEAR}))?\b", re.IGNORECASE)),
    ("tertial", re.compile(rf"(?<!\w)(?P<ord>{_ORD})\s*tertial(?!\w)(?:\s+(?P<year>{_YEAR}))?", re.IGNORECASE)),
    ("quarter", re.compile(rf"(?<!\w)(?P<ord>{_ORD})\s*kvartal(?!\w)(?:\s+(?P<year>{_YEAR}))?", re.IGNORECASE)),
    ("week", re.compile(rf"\buke\s+(?P<week>[1-5]?\d)(?:\s*[,/]?\s*(?P<year>{_YEAR}))?\b", re.IGNORECASE)),
    ("part_month", re.compile(rf"\b(?P<part>primo|medio|ultimo)\s+(?P<month>{_MONTH})\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("part_year", re.compile(rf"\b(?P<part>primo|medio|ultimo)\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("start_year", re.compile(rf"\b(?:starten|begynnelsen)\s+av\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("end_year", re.compile(rf"\b(?:slutten|utgangen\s+av\s+første\s+halvdel)\s+av\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("last_part", re.compile(rf"\bsiste\s+del\s+av\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("month", re.compile(rf"(?<![\d.]\s)(?<![\d.])\b(?P<month>{_MONTH})\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
    ("school_year", re.compile(rf"(?<![\d/-])(?P<year>{_YEAR})/(?P<end>\d\d)(?![\d/])")),
    ("year_range", re.compile(rf"(?<![\d/.-])(?P<year>{_YEAR})\s*[-–/]\s*(?P<end>{_YEAR}|\d\d)(?![\d/-])")),
    ("year_of", re.compile(rf"\b(?:tilskuddsåret|budsjettåret|regnskapsåret|kalenderåret)\s+(?P<year>{_YEAR})\b", re.IGNORECASE)),
]


@dataclass(frozen=True)
class PeriodMatch:
    start_date: date
    end_date: date
    start: int
    end: int
    text: str


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def find_periods(text: str, default_year: int | None = None) -> list[PeriodMatch]:
    found: list[PeriodMatch] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            span = _span(kind, m, default_year)
            if span and span[0] <= span[1]:
                found.append(PeriodMatch(span[0], span[1], m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda f: f.start)


def _span(kind: str, m: re.Match[str], default_year: int | None) -> tuple[date, date] | None:
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else default_year
    if year is None:
        return None
    if kind == "season":
        first, last = _SEASONS[g["season"].lower()]
        if first > last:  # winter runs into the next year
            return date(year, first, 1), month_end(year + 1, last)
        return date(year, first, 1), month_end(year, last)
    if kind in ("half", "tertial", "quarter"):
        parts = {"half": 2, "tertial": 3, "quarter": 4}[kind]
        index = _ORDINAL[g["ord"].lower()]
        index = parts if index == -1 else index
        if index > parts:
            return None
        months = 12 // parts
        first = (index - 1) * months + 1
        return date(year, first, 1), month_end(year, first + months - 1)
    if kind == "week":
        week = int(g["week"])
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            return None
        return monday, monday + timedelta(days=6)
    if kind == "part_month":
        month = MONTHS[g["month"].lower()]
        bounds = {"primo": (1, 10), "medio": (11, 20), "ultimo": (21, calendar.monthrange(year, month)[1])}
        first, last = bounds[g["part"].lower()]
        return date(year, month, first), date(year, month, last)
    if kind == "part_year":
        first, last = {"primo": (1, 3), "medio": (6, 7), "ultimo": (10, 12)}[g["part"].lower()]
        return date(year, first, 1), month_end(year, last)
    if kind == "start_year":
        return date(year, 1, 1), date(year, 3, 31)
    if kind == "end_year":
        return date(year, 10, 1), date(year, 12, 31)
    if kind == "last_part":
        return date(year, 9, 1), date(year, 12, 31)
    if kind == "month":
        month = MONTHS[g["month"].lower()]
        return date(year, month, 1), month_end(year, month)
    if kind in ("school_year", "year_range"):
        end_text = g["end"]
        end_year = int(end_text) if len(end_text) == 4 else (year // 100) * 100 + int(end_text)
        if end_year <= year or end_year - year > 30:
            return None
        if len(end_text) == 2 and end_year == year + 1:
            return date(year, 8, 1), date(end_year, 7, 31)  # `2025/26`, `2024-25`: a school year
        return date(year, 1, 1), date(end_year, 12, 31)
    if kind == "year_of":
        return date(year, 1, 1), date(year, 12, 31)
    return None
