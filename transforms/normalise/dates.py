"""Full calendar dates in Norwegian (bokmål, nynorsk) and the Danish spellings old protocols use.

`find_dates` returns every full date with its character span; it never guesses a missing year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS: dict[str, int] = {
    "januar": 1, "jan": 1, "january": 1,
    "februar": 2, "feb": 2, "febr": 2,
    "mars": 3, "mar": 3, "marts": 3,
    "april": 4, "apr": 4,
    "mai": 5, "maj": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "desember": 12, "des": 12, "december": 12, "dec": 12,
}
_WEEKDAYS = r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|måndag|tysdag|laurdag|sundag|mandag|tisdag)"
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

# a date may follow an abbreviation's point (`pr.17.11.25`), never a number's (`1.2.3.4`)
_NUMERIC = re.compile(r"(?:(?<![\d.,/-])|(?<=[A-Za-zÆØÅæøå]\.))(?P<d>[0-3]?\d)(?P<sep>[./-])(?P<m>[01]?\d)(?P=sep)"
                      r"(?P<y>\d{4}|\d{2})(?![\d/]|[.,]\d|-\d)")
#: `01.01.2026-30.06.2026`, and `01.01.202630.06.2026` where the text layer lost the dash: a from–to pair.
_DATE_PAIR = re.compile(r"(?<![\d.,/-])(?P<first>[0-3]?\d\.[01]?\d\.(?:19|20)\d\d)[-–]?"
                        r"(?P<second>[0-3]?\d\.[01]?\d\.(?:19|20)\d\d)(?![\d,/-]|\.\d)")
_ISO = re.compile(r"(?<![\d.,/-])(?P<y>(?:18|19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d-])")
_WORDS = re.compile(
    rf"(?<![\w.])(?:{_WEEKDAYS}\s+(?:d\.\s*|den\s+)?)?(?P<d>[0-3]?\d)\.\s*(?P<month>{_MONTH_NAMES})\.?\s+(?P<y>(?:18|19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)

_COMPACT = re.compile(r"(?<![\d/-])(?P<d>[0-3]\d)(?P<m>[01]\d)(?P<y>20[0-4]\d)(?![\d/-])")
_DAY_MONTH = re.compile(rf"(?<![\w.])(?P<d>[0-3]?\d)\.\s*(?P<month>{_MONTH_NAMES})\b\.?(?!\s*(?:\d|-))", re.IGNORECASE)
#: `den 3.3.`, `fredag 14.2.`: day and month with a point after each, the year left to the sentence.
_DAY_MONTH_NUMERIC = re.compile(
    rf"(?<![\w.])(?:(?:den|{_WEEKDAYS})\s+)(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?![\d])", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d,./-])((?:19|20)\d\d)(?![\d,./-])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"])|\n")


@dataclass(frozen=True)
class DateMatch:
    value: date
    start: int
    end: int
    text: str


def make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def expand_year(two_digits: int, pivot: int = 50) -> int:
    """`18.3.25` is 2025; municipal records rarely speak of years before 1950 in two digits."""
    return 2000 + two_digits if two_digits < pivot else 1900 + two_digits


def find_dates(text: str) -> list[DateMatch]:
    """Every full date in ``text`` with its span, in text order, without overlaps."""
    found: list[DateMatch] = []
    for m in _DATE_PAIR.finditer(text):
        for part in ("first", "second"):
            day, month, year = (int(x) for x in m[part].split("."))
            value = make_date(year, month, day)
            if value is not None:
                found.append(DateMatch(value, m.start(part), m.end(part), m[part]))
    for pattern in (_WORDS, _ISO, _NUMERIC, _COMPACT):
        for m in pattern.finditer(text):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            value = _value(m)
            if value is not None:
                found.append(DateMatch(value, m.start(), m.end(), m.group(0)))
    for m in [*_DAY_MONTH.finditer(text), *_DAY_MONTH_NUMERIC.finditer(text)]:
        if any(m.start() < f.end and f.start < m.end() for f in found):
            continue
        year = sentence_year(text, m.start(), m.end())
        if year is not None:
            month = MONTHS[m["month"].lower()] if m.groupdict().get("month") else int(m["m"])
            value = make_date(year, month, int(m["d"]))
            if value is not None:
                start = m.start("d")
                end = m.end() - (1 if m.group(0).endswith(".") and m.groupdict().get("month") else 0)
                found.append(DateMatch(value, start, end, text[start:end]))
    return sorted(found, key=lambda f: f.start)


def sentence_year(text: str, start: int, end: int) -> int | None:
    """The one year written in the same sentence as text[start:end], if exactly one is."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    years = {int(y) for y in _YEAR.findall(text[left:start] + " " + text[end:right])}
    return years.pop() if len(years) == 1 else None


def _value(m: re.Match[str]) -> date | None:
    groups = m.groupdict()
    year_text = groups["y"]
    year = int(year_text) if len(year_text) == 4 else expand_year(int(year_text))
    month = MONTHS[groups["month"].lower()] if groups.get("month") else int(groups["m"])
    return make_date(year, month, int(groups["d"]))


def format_date_nb(value: date, style: str = "numeric") -> str:
    """The inverse of parsing, for property tests and display: `18.03.2025` or `18. mars 2025`."""
    if style == "numeric":
        return f"{value.day:02d}.{value.month:02d}.{value.year}"
    names = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
             "november", "desember"]
    return f"{value.day}. {names[value.month - 1]} {value.year}"
