"""Municipalities and counties in text, with the official code valid at the document's date.

Codes change with reforms (Halden: 0101 until 2019, 3001 in 2020–2023, 3101 from 2024), so a name
resolves against the validity periods in SSB KLASS 131. Names that are also ordinary words (`Sola`,
`Hol`, `Time`) fire only with `kommune`, as a table cell or in `X og Y kommune`; a name glued to
another capitalised word (`Oslo Economics`, `Thon Hotel Innlandet`) is part of another name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property

MUNICIPALITY = "MUNICIPALITY"
COUNTY = "COUNTY"

#: Municipality names that are ordinary Norwegian words or common name parts.
COMMON_WORD_NAMES = frozenset({
    "Hol", "Sola", "Nome", "Time", "Vik", "Bø", "Nes", "Moss", "Sel", "Lund", "Fet", "Gran", "Ski", "Ås", "Os",
    "Re", "Hå", "Vang", "Eid", "Hof", "Sund", "Rana", "Hole", "Leka", "Vega", "Lom", "Flå", "Ål", "Lier", "Tana",
    "Heim", "Fjord", "Nesna", "Bo", "Loppa", "Ørland", "Verran", "Agdenes", "Frosta", "Grue", "Hurum", "Lunner",
    "Hemne", "Snåsa", "Rissa", "Stranda", "Sande", "Herøy", "Våler", "Bremanger", "Røst", "Værøy", "Dønna",
    "Meløy", "Evje", "Fyresdal", "Sirdal", "Audnedal", "Tydal", "Hasvik", "Lesja", "Skaun", "Stor-Elvdal",
    "Karlsøy", "Lyngen", "Bamble", "Kvam", "Masfjorden", "Fedje", "Austevoll", "Aukra",
})
_ALLOWED_BEFORE = {"Digi", "Helse", "Statsforvalteren", "Fylkesmannen"}
_JOINERS = {"og", "i", "på", "for", "til", "fra", "med", "av", "ved", "mellom", "samt"}
_SUFFIX = re.compile(r"[\s\u00a0]+(?:kommune|Kommune|KOMMUNE|kommunes|fylke|fylkeskommune|Fylkeskommune|fylkeskommunes)\b")
_AND_KOMMUNE = re.compile(r"[\s\u00a0]+og[\s\u00a0]+[A-ZÆØÅ][\w-]+[\s\u00a0]+kommun")
_TABLE_CELL_AFTER = re.compile(
    r"[ \t\u00a0]*(?:</b>)?[ \t\u00a0]*(?:\t|$|(?:<b>)?(?:Kr\.?[ \u00a0])?\(?\d{1,3}[ \u00a0]\d{3})", re.MULTILINE)
_TABLE_CELL_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:\d{4,8}[ \t]+)?(?:<b>)?[ \t]*$")
_PREV_WORD = re.compile(r"([\w-]+)[ \u00a0]*$")
_NEXT_WORD = re.compile(r"^[ \u00a0]*([\w-]+)")


@dataclass(frozen=True)
class Unit:
    """One validity period of one municipality or county."""

    label: str
    code: str
    name: str
    names: tuple[str, ...]
    valid_from: date
    valid_to: date | None  # exclusive

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class PlaceMatch:
    label: str
    value: str | None
    start: int
    end: int
    text: str
    name: str
    candidates: tuple[str, ...] = ()


class Gazetteer:
    """Every name form of every municipality and county period, searchable in one regex."""

    def __init__(self, units: list[Unit]):
        self.units = units
        self.by_name: dict[str, list[Unit]] = {}
        for unit in units:
            for name in unit.names:
                self.by_name.setdefault(name, []).append(unit)

    @classmethod
    def from_rows(cls, municipalities, counties) -> Gazetteer:
        def unit(label: str, row: dict[str, str]) -> Unit:
            names = tuple(n for n in row["names"].split("|") if n)
            return Unit(label, row["code"], row["name"], names, date.fromisoformat(row["valid_from"]),
                        date.fromisoformat(row["valid_to"]) if row["valid_to"] else None)
        return cls([unit(MUNICIPALITY, r) for r in municipalities] + [unit(COUNTY, r) for r in counties])

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        names = sorted(self.by_name, key=len, reverse=True)
        alternation = "|".join(re.escape(n) for n in names)
        return re.compile(rf"(?<![\w-])(?P<name>{alternation})(?P<genitive>s)?(?![\w-])")

    def resolve(self, name: str, label: str, on: date) -> list[Unit]:
        return [u for u in self.by_name.get(name, []) if u.label == label and u.valid_on(on)]

    def last_code(self, name: str, label: str) -> str | None:
        """The code a name had most recently (Viken → 30), for names no longer valid."""
        units = sorted((u for u in self.by_name.get(name, []) if u.label == label), key=lambda u: u.valid_from)
        return units[-1].code if units else None

    def labels_for(self, name: str) -> set[str]:
        return {u.label for u in self.by_name.get(name, [])}


def find_places(text: str, on: date, gazetteer: Gazetteer, mentioned_counties: set[str] = frozenset()) -> list[PlaceMatch]:
    """Municipality and county mentions in ``text`` with codes valid on ``on`` (pure)."""
    found = []
    for m in gazetteer.pattern.finditer(text):
        name = m["name"]
        if m["genitive"] and name + "s" in gazetteer.by_name:
            continue
        before, after = text[max(0, m.start() - 60): m.start()], text[m.end(): m.end() + 40]
        has_suffix = bool(_SUFFIX.match(after))
        table_cell = bool(_TABLE_CELL_BEFORE.search(before) and _TABLE_CELL_AFTER.match(after))
        if not _plausible(name, before, after, has_suffix, table_cell):
            continue
        label = _label(name, gazetteer, after, table_cell)
        units = gazetteer.resolve(name, label, on)
        if len(units) > 1 and mentioned_counties:
            narrowed = [u for u in units if u.code[:2] in mentioned_counties]
            units = narrowed or units
        value = units[0].code if len({u.code for u in units}) == 1 else None
        end = m.end() if not m["genitive"] else m.end() - 1
        found.append(PlaceMatch(label, value, m.start(), end, text[m.start(): end], name,
                                tuple(sorted({u.code for u in units})) if value is None else ()))
    return found


def _plausible(name: str, before: str, after: str, has_suffix: bool, table_cell: bool) -> bool:
    if has_suffix:
        return True
    if name in COMMON_WORD_NAMES:
        return table_cell or bool(_AND_KOMMUNE.match(after))
    previous = _PREV_WORD.search(before)
    if previous and previous.group(1)[:1].isupper() and previous.group(1) not in _ALLOWED_BEFORE \
            and not before.rstrip(" \u00a0").endswith((".", ":", "\n", ",", "(", "-", "–", ">")):
        return False  # `Thon Hotel Innlandet`, `Ingrid Trønnes`: part of another name
    following = _NEXT_WORD.match(after)
    if following and following.group(1)[:1].isupper() and following.group(1) not in _JOINERS \
            and not after.startswith((",", ".", ")", ":", ";", "\n", "\t", "/")) and not table_cell:
        return False  # `Oslo Economics`, `Bergen Byarkiv`
    return True


def _label(name: str, gazetteer: Gazetteer, after: str, table_cell: bool) -> str:
    labels = gazetteer.labels_for(name)
    if len(labels) == 1:
        return labels.pop()
    if re.match(r"[\s\u00a0]+(?:fylke|fylkeskommune|Fylkeskommune)\b", after):
        return COUNTY
    if re.match(r"[\s\u00a0]+(?:kommune|Kommune)\b", after):
        return MUNICIPALITY
    return COUNTY if table_cell else MUNICIPALITY  # Oslo: a county row in a table, the city in prose


@cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer built from the shipped KLASS 131 municipality and county periods."""
    from kommune_etl.refdata import load

    return Gazetteer.from_rows(load("municipalities.csv"), load("counties.csv"))
