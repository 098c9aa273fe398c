"""Municipalities and counties in text, with the official code valid at the document's date.

Codes change with reforms (Halden: 0101 until 2019, 3001 in 2020–2023, 3101 from 2024), so a name
resolves against the validity periods in SSB KLASS 131. A name with no code on the document's date (Søgne
in 2025) keeps its last code (`historical_code` 1018) and the code of what it became on that date
(`successor_code` 4204, following SSB's change tables through every reform; null after a split). Names that are also ordinary words (`Sola`,
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
    "Berg", "Eide", "Borge",  # surnames and farm names as often as municipalities
    "Stad",  # nynorsk for place: `Stad for førebels oppteljing`
})
_ALLOWED_BEFORE = {"Digi", "Helse", "Statsforvalteren", "Fylkesmannen"}
_JOINERS = {"og", "i", "på", "for", "til", "fra", "med", "av", "ved", "mellom", "samt"}
_SUFFIX = re.compile(r"[\s\u00a0]+(?:kommune|Kommune|KOMMUNE|kommunes|fylke|fylkeskommune|Fylkeskommune|fylkeskommunes)\b")
_AND_KOMMUNE = re.compile(r"[\s\u00a0]+og[\s\u00a0]+[A-ZÆØÅ][\w-]+[\s\u00a0]+kommun")
_TABLE_CELL_AFTER = re.compile(
    r"[ \t\u00a0]*(?:</b>)?[ \t\u00a0]*(?:\t|$|(?:<b>)?(?:Kr\.?[ \u00a0])?\(?\d{1,3}[ \u00a0]\d{3})", re.MULTILINE)
_TABLE_CELL_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:\d{4,8}[ \t]+)?(?:<b>)?[ \t]*$")
_PREV_WORD = re.compile(r"([\w-]+)[ \u00a0]*$")
#: `Steinkjer utvikling AS`, `Levanger kommunale eiendom KF`: a company's name; the place in it is no mention of the
#: place, wherever the same words recur in the document (`Steinkjer utvikling er kommunens aktør`).
_COMPANY = re.compile(r"(?<![\w-])(?P<head>[A-ZÆØÅ][\w-]+(?:[ \u00a0]+[\w-]+){1,3}?)[ \u00a0]+(?:AS|ASA|SA|KF|IKS|BA|HF|SF|DA|ANS)\b")
#: `Steinkjer skole`, `Levanger sykehus`, `Steinkjer skolekorps`, `Levanger fotballklubb`, `Steinkjer
#: Næringsforum`: an institution or association named after the place, not a mention of the municipality.
_INSTITUTION_AFTER = re.compile(
    r"[ \u00a0]*\n?[ \u00a0]*[\w-]*(?:skole|skule|vgs|videregående|sykehus|sjukehus|kirke|kyrkje|stasjon|museum|bibliotek|"
    r"barnehage|hotell|lufthavn|flyplass|kulturhus|hall|legesenter|helsesenter|sykehjem|sjukeheim|omsorgssenter|"
    r"korps|forening|foreningen|klubb|klubben|idrettslag|kor|koret|forum|sparebank|turlag|historielag|janitsjar|"
    r"by|sentrum)\b",  # `Gatebruksplan for Levanger by`, `Bergen sentrum`: the town, not the municipality
    re.IGNORECASE)
#: `prosjektet «Innovasjonspartnerskap velferdsteknologi Agder»`: a place ending a quoted name is part of that name.
_ENDS_A_QUOTED_NAME = re.compile(r"[ \u00a0]*»")
#: The election template names polling districts in its per-district lines: `Torsken — valgtingsstemmer ordinære: …`
#: and in the opening-hours table `Hemnes 16:00 – 20:00`. A district is no mention of a municipality of that name.
_DISTRICT_LINE_AFTER = re.compile(r"[ \u00a0]*(?:[—–-][ \u00a0]*(?:valgtingsstemmer|forhåndsstemmer|førehandsrøyster|valtingsrøyster)|"
                                  r"\d{1,2}[:.]\d{2}[ \u00a0]*[—–-])", re.IGNORECASE)
#: A four-digit number right before a name on its line: the name's own code (`5006 Steinkjer`), a postcode
#: (`0032 Oslo`) or the number of something else the name stands for (EVA's polling district `0024 Torsken`).
_NUMBER_BEFORE = re.compile(r"(?:^|(?<=[\s,]))(?P<number>\d{4})[ \t\u00a0]+$")
_ADDRESS_BEFORE = re.compile(r"(?i)(?:postboks|pb\.|boks|gate\b|gata\b|vei\b|veien\b|veg\b|vegen\b|plass\b|,(?=[ \t]|$))[^\n]*$")
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
    county: str | None = None  # a municipality's county code

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
    historical_code: str | None = None  # the last code, when the name had none on the date
    successor_code: str | None = None  # the code on the date of what it became (None after a split)


class Gazetteer:
    """Every name form of every municipality and county period, searchable in one regex."""

    def __init__(self, units: list[Unit], changes: list[tuple[str, str, date]] = ()):
        self.units = units
        self.by_name: dict[str, list[Unit]] = {}
        self.by_code: dict[tuple[str, str], list[Unit]] = {}
        for unit in units:
            for name in unit.names:
                self.by_name.setdefault(name, []).append(unit)
            self.by_code.setdefault((unit.label, unit.code), []).append(unit)
        self.changes: dict[tuple[str, date], list[str]] = {}
        for old, new, on in changes:
            self.changes.setdefault((old, on), []).append(new)

    @classmethod
    def from_rows(cls, municipalities, counties, changes=()) -> Gazetteer:
        def unit(label: str, row: dict[str, str]) -> Unit:
            names = tuple(n for n in row["names"].split("|") if n)
            return Unit(label, row["code"], row["name"], names, date.fromisoformat(row["valid_from"]),
                        date.fromisoformat(row["valid_to"]) if row["valid_to"] else None, row.get("county") or None)
        return cls([unit(MUNICIPALITY, r) for r in municipalities] + [unit(COUNTY, r) for r in counties],
                   [(r["old_code"], r["new_code"], date.fromisoformat(r["changed_on"])) for r in changes])

    def history(self, name: str, label: str, on: date) -> tuple[str | None, str | None]:
        """(historical_code, successor_code) of a name that had no code on ``on``: its last period that ended
        before ``on``, and what that period's area belonged to on ``on``."""
        ended = [u for u in self.by_name.get(name, []) if u.label == label and u.valid_to is not None and u.valid_to <= on]
        if not ended:
            return None, None  # not yet created (Senja in 2019), or never ended
        last = max(ended, key=lambda u: u.valid_from)
        successors = self._successors(last, on) if label == MUNICIPALITY else self._county_successors(last, on)
        return last.code, successors.pop() if len(successors) == 1 else None

    def _successors(self, unit: Unit, on: date, depth: int = 0) -> set[str]:
        """Codes valid on ``on`` that ``unit``'s area went to, following change after change."""
        if unit.valid_on(on):
            return {unit.code}
        if unit.valid_to is None or depth > 10:
            return set()
        found: set[str] = set()
        for new in self.changes.get((unit.code, unit.valid_to), ()):
            following = [u for u in self.by_code.get((MUNICIPALITY, new), []) if u.valid_from == unit.valid_to]
            for nxt in following:
                found |= self._successors(nxt, on, depth + 1)
        return found

    def _county_successors(self, county: Unit, on: date) -> set[str]:
        """A county's successor: the county (on ``on``) of every municipality it held when it ended, if one."""
        held = [u for u in self.units if u.label == MUNICIPALITY and u.county == county.code and u.valid_to == county.valid_to]
        successors = {code for u in held for code in self._successors(u, on)}
        return {u.county for code in successors for u in self.by_code.get((MUNICIPALITY, code), []) if u.valid_on(on)}

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
    companies = {c["head"].lower() for c in _COMPANY.finditer(text)}
    for m in gazetteer.pattern.finditer(text):
        name = m["name"]
        if m["genitive"] and name + "s" in gazetteer.by_name:
            continue
        if companies and any(text.startswith(head, m.start()) or text[m.start():m.start() + len(head)].lower() == head
                             for head in companies if head.startswith(name.lower())):
            continue
        before, after = text[max(0, m.start() - 60): m.start()], text[m.end(): m.end() + 40]
        numbered = _NUMBER_BEFORE.search(before)
        if numbered and not _is_code_of(gazetteer, name, numbered["number"]) and not _in_address(before[: numbered.start()]):
            continue  # `0024 Torsken`: a numbered polling district (or other area) named after the place
        if _INSTITUTION_AFTER.match(after) or _DISTRICT_LINE_AFTER.match(after) or _ENDS_A_QUOTED_NAME.match(after) \
                and "«" in before[before.rfind("»") + 1:] and " " in before[before.rfind("«"):]:
            continue
        has_suffix = bool(_SUFFIX.match(after))
        table_cell = bool(_TABLE_CELL_BEFORE.search(before) and _TABLE_CELL_AFTER.match(after))
        if not _plausible(name, before, after, has_suffix, table_cell):
            continue
        label = _label(name, gazetteer, after, table_cell and not _is_postcode(gazetteer, name, numbered))
        units = gazetteer.resolve(name, label, on)
        if len(units) > 1 and mentioned_counties:
            narrowed = [u for u in units if u.code[:2] in mentioned_counties]
            units = narrowed or units
        value = units[0].code if len({u.code for u in units}) == 1 else None
        historical, successor = gazetteer.history(name, label, on) if not units else (None, None)
        end = m.end() if not m["genitive"] else m.end() - 1
        found.append(PlaceMatch(label, value, m.start(), end, text[m.start(): end], name,
                                tuple(sorted({u.code for u in units})) if value is None else (), historical, successor))
    return found + _county_councils(text, on, gazetteer, mentioned_counties | _counties_of(found))


#: How a county council is abbreviated: its name's initials and FK (`Trøndelag fylkeskommune` → TFK, `Møre og
#: Romsdal` → MRFK), except where usage differs. One acronym can stand for several councils (TFK: Trøndelag,
#: Telemark, Troms), so it counts only where the document's other places leave one.
_COUNCIL_ACRONYM = re.compile(r"(?<![\w-])(?P<acronym>[A-ZÆØÅ]{1,3}FK)(?![\w-])")
_ACRONYM_EXCEPTIONS = {"Vestland": "VLFK"}


def council_acronym(county_name: str) -> str:
    if county_name in _ACRONYM_EXCEPTIONS:
        return _ACRONYM_EXCEPTIONS[county_name]
    words = [w for w in re.split(r"[\s-]+", county_name) if w and w != "og"]
    return "".join(w[0].upper() for w in words) + "FK"


def _counties_of(found: list[PlaceMatch]) -> set[str]:
    return {m.value[:2] for m in found if m.value}


def _county_councils(text: str, on: date, gazetteer: Gazetteer, counties: set[str]) -> list[PlaceMatch]:
    found = []
    for m in _COUNCIL_ACRONYM.finditer(text):
        units = [u for u in gazetteer.units if u.label == COUNTY and u.valid_on(on)
                 and m["acronym"] == council_acronym(u.name.split(" - ")[0])]
        if len(units) > 1:
            units = [u for u in units if u.code in counties]
        if len(units) == 1:
            found.append(PlaceMatch(COUNTY, units[0].code, m.start(), m.end(), m["acronym"], units[0].name))
    return found


def find_places_narrowed(text: str, on: date, gazetteer: Gazetteer) -> list[PlaceMatch]:
    """`find_places`, with names two municipalities share (`Herøy`, `Våler`) narrowed by the counties the text
    names or implies through its unambiguous municipalities."""
    first = find_places(text, on, gazetteer)
    counties = {m.value if m.label == COUNTY else m.value[:2] for m in first if m.value}
    return find_places(text, on, gazetteer, counties) if counties else first


def _in_address(before_number: str) -> bool:
    """The text before a postcode: the same line (`Langesgate 13, 0165 Oslo`) or, when the postcode starts its
    line, the line above (`Postboks 8112 Dep` / `0032 Oslo`)."""
    return bool(_ADDRESS_BEFORE.search(before_number.rstrip().rsplit("\n", 1)[-1]))


def _is_code_of(gazetteer: Gazetteer, name: str, number: str) -> bool:
    return any(u.code == number for u in gazetteer.by_name.get(name, []))


def _is_postcode(gazetteer: Gazetteer, name: str, numbered: re.Match[str] | None) -> bool:
    """`0032 Oslo` in an address: the post town is the municipality, never the county of the same name."""
    return bool(numbered) and not _is_code_of(gazetteer, name, numbered["number"])


def _plausible(name: str, before: str, after: str, has_suffix: bool, table_cell: bool) -> bool:
    if has_suffix:
        return True
    previous = _PREV_WORD.search(before)
    if previous and previous.group(1)[:1].isupper() and previous.group(1) not in _ALLOWED_BEFORE \
            and not before.rstrip(" \u00a0").endswith((".", ":", "\n", ",", "(", "-", "–", ">")):
        return False  # `Thon Hotel Innlandet`, `Ingrid Trønnes`, `Kari Berg og …`: part of another name
    if name in COMMON_WORD_NAMES:
        return table_cell or bool(_AND_KOMMUNE.match(after))
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

    return Gazetteer.from_rows(load("municipalities.csv"), load("counties.csv"), load("municipality_changes.csv"))
