"""Norwegian kroner amounts: find them with their spans and turn them into numbers of kroner.

A number is an amount only with a currency marker (`kr`, `kroner`, `NOK`, `,-`, `MNOK`, …) or inside a
table whose header speaks of money. Counts (`2 100 trygghetsalarmer`) are not amounts. A form that
cannot be read one way (`3 796 mill.kr`: thousands separator *and* a millions word) is reported as
ambiguous rather than guessed. Before a scale word a point is a decimal point (`1.5 millioner`), as
people type it; a price per unit (`kr 950,- pr. m2`) keeps its unit in ``per``; a minus sign
written against the number (`-250 000 kr`, `kr -250 000`) makes it negative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SPACES = " \u00a0\u202f\u2009\u2007"
_S = f"[{SPACES}]"
# 1 234 567 | 1.234.567 | 1234567 | 3,5 | 1 234,50
NUMBER = rf"\d{{1,3}}(?:{_S}\d{{3}})+(?:,\d{{1,2}})?|\d{{1,3}}(?:\.\d{{3}})+(?:,\d{{1,2}})?|\d+(?:,\d+)?"
_G = rf"{_S}*\n?{_S}*"  # the gap between a number and its words may hold one line break (PDF wrapping)
_SCALES = {
    "mill": 10**6, "mill.": 10**6, "millioner": 10**6, "million": 10**6, "mln": 10**6, "mnok": 10**6, "mkr": 10**6,
    "mrd": 10**9, "mrd.": 10**9, "milliarder": 10**9, "milliard": 10**9,
    "tnok": 10**3, "tusen": 10**3,
}
_SCALE = r"(?:millioner|million|milliarder|milliard|mill\.?|mln\.?|mrd\.?|tusen)"
#: `1.5 millioner`: before a scale word a point followed by one or two digits is a decimal point.
_SCALED_NUMBER = rf"\d+\.\d{{1,2}}(?={_G}{_SCALE}(?!\w))|{NUMBER}"
_SIGN = r"(?P<sign>[-−–])?"  # written against the number; a spaced dash is punctuation
_UNIT_SCALE = r"(?:MNOK|TNOK|MKR|mkr)"
_CURRENCY_AFTER = r"(?:kroner|kr\b\.?|NOK\b)"
_CURRENCY_BEFORE = r"(?:kr\.?|Kr\.?|KR\.?|NOK|kroner)"

# a sign counts only where it cannot be a range's dash or a hyphenated word's (`40-50`, `NOK-beløp`)
_SIGNED_START = r"(?:(?<=^)|(?<=[\s(:=]))"
_PREFIXED = re.compile(
    rf"(?<![\w.]){_CURRENCY_BEFORE}{_G}{_SIGN}(?P<num>{_SCALED_NUMBER})(?:,-|,–)?(?:{_G}(?P<scale>{_SCALE})(?![\w]))?")
_SUFFIXED = re.compile(
    rf"(?:{_SIGNED_START}{_SIGN})?(?<![\d.,])(?P<num>{_SCALED_NUMBER})(?:,-)?{_G}(?:(?P<scale>{_SCALE}){_G})?{_CURRENCY_AFTER}")
_UNIT = re.compile(rf"(?:{_SIGNED_START}{_SIGN})?(?<![\d.,])(?P<num>{_SCALED_NUMBER}){_G}(?P<scale>{_UNIT_SCALE})\b")
# `950,-` and `1 250 000,-`: the dash after the comma is written only after kroner (`kr 34,- pr. elev`)
_DASH_ONLY = re.compile(rf"(?:{_SIGNED_START}{_SIGN}|(?<![\d.,/§-]))(?P<num>\d{{1,3}}(?:[{SPACES}.]\d{{3}})+|\d+),[-–](?![\d-])")
_RANGE = re.compile(
    rf"(?<![\d.,])(?P<low>{_SCALED_NUMBER}){_S}*[-–]{_S}*(?P<high>{_SCALED_NUMBER}){_G}(?:(?P<scale>{_SCALE}){_G})?"
    rf"{_CURRENCY_AFTER}")
_PREFIXED_RANGE = re.compile(
    rf"(?<![\w.]){_CURRENCY_BEFORE}{_G}(?P<low>{_SCALED_NUMBER})(?:,-)?{_S}*[-–]{_S}*(?P<high>{_SCALED_NUMBER})(?:,-)?"
    rf"(?:{_G}(?P<scale>{_SCALE})(?![\w]))?")
#: What a price is per, right after the amount: `kr 950,- pr. m2`, `34 kr per elev`, `kr 1 200/time`.
_PER = re.compile(r"[ \u00a0]*(?:pr\.?|per|/)[ \u00a0]*(?P<unit>m²|m2|m3|kvm|[a-zæøå]{2,20}\.?)(?![\w²])", re.IGNORECASE)
_PER_UNITS = {"m²": "m2", "kvm": "m2", "mnd": "måned", "mnd.": "måned", "stk": "stykk", "stk.": "stykk"}
_BETWEEN = re.compile(
    rf"\bmellom{_G}(?P<low>{NUMBER}){_G}og{_G}(?:(?:over|under|rundt){_G})?(?P<high>{NUMBER})"
    rf"{_G}(?:(?P<scale>{_SCALE}){_G})?{_CURRENCY_AFTER}")


@dataclass(frozen=True)
class AmountMatch:
    value: Decimal | None
    start: int
    end: int
    text: str
    value_max: Decimal | None = None
    ambiguous: bool = False
    per: str | None = None  # the unit of a price (`m2` in `kr 950,- pr. m2`)


def parse_number(text: str) -> Decimal:
    """`26 640` → 26640, `1.250.000` → 1250000, `1 234,50` → 1234.50, `3,5` → 3.5 (pure)."""
    cleaned = text
    for space in SPACES:
        cleaned = cleaned.replace(space, "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(f"not a Norwegian number: {text!r}") from exc


def scale_of(word: str | None) -> int:
    if not word:
        return 1
    key = word.lower()
    return _SCALES.get(key, _SCALES.get(key.rstrip("."), 1))


def _has_thousands(num: str) -> bool:
    return bool(re.search(rf"\d[{SPACES}.]\d{{3}}", num))


def _scaled(num: str, scale_word: str | None) -> tuple[Decimal | None, bool]:
    """(value, ambiguous). A grouped number with a millions word is ambiguous: `3 796 mill.`."""
    scale = scale_of(scale_word)
    if scale > 1 and _has_thousands(num):
        return None, True
    return parse_number(num) * scale, False


def find_amounts(text: str) -> list[AmountMatch]:
    """Every kroner amount in ``text`` (ranges give value and value_max), in order, without overlaps."""
    found: list[AmountMatch] = []

    def taken(start: int, end: int) -> bool:
        return any(start < f.end and f.start < end for f in found)

    for pattern in (_BETWEEN, _PREFIXED_RANGE, _RANGE):
        for m in pattern.finditer(text):
            if taken(m.start(), m.end()):
                continue
            high, ambiguous = _scaled(m["high"], m["scale"])
            low = parse_number(m["low"]) * scale_of(m["scale"]) if not ambiguous else None
            if low is not None and high is not None and low < high / 100 and not m["scale"]:
                low = low * _magnitude(m["high"])  # `40-50 000 kr`: the low end shares the high end's thousands
            if low is not None and high is not None and low > high:
                continue
            matched = m.group(0).rstrip()
            found.append(AmountMatch(low, m.start(), m.start() + len(matched), matched, value_max=high,
                                     ambiguous=ambiguous, per=_per(text, m.start() + len(matched))))
    for pattern in (_PREFIXED, _UNIT, _SUFFIXED, _DASH_ONLY):
        for m in pattern.finditer(text):
            if taken(m.start(), m.end()):
                continue
            value, ambiguous = _scaled(m["num"], m.groupdict().get("scale"))
            if value is not None and m.groupdict().get("sign"):
                value = -value
            matched = m.group(0).rstrip()
            end = m.start() + len(matched)
            found.append(AmountMatch(value, m.start(), end, matched, ambiguous=ambiguous, per=_per(text, end)))
    for m in _CONTINUED.finditer(text):
        if taken(m.start("num"), m.end("num")):
            continue
        earlier = [f for f in found if f.end <= m.start() and m.start() - f.end <= _CONTINUED_WINDOW and f.value is not None]
        if earlier and "\n\n" not in text[earlier[-1].end:m.start()]:
            found.append(AmountMatch(parse_number(m["num"]), m.start("num"), m.end("num"), m["num"]))
    return sorted(found, key=lambda f: f.start)


#: `inntil kr 500 000. endres til 250 000.`: a grouped number right after `til`/`fra`/`med`, soon after a kroner
#: amount and followed by no word (a count would name what it counts), speaks of kroner too.
_CONTINUED = re.compile(rf"(?<![\w.,])(?:til|fra|med|på|eller|og){_G}(?P<num>\d{{1,3}}(?:[{SPACES}.]\d{{3}})+)(?=[ \u00a0]*(?:[.,;)]|$))",
                        re.MULTILINE)
_CONTINUED_WINDOW = 60


def _per(text: str, end: int) -> str | None:
    """The unit right after an amount that makes it a price per unit (`pr. m2` → `m2`), if any."""
    m = _PER.match(text, end)
    if not m:
        return None
    unit = m["unit"].lower()
    if unit in {"år", "året"}:
        return "år"
    return _PER_UNITS.get(unit, unit.rstrip("."))


def _magnitude(grouped: str) -> int:
    """`50 000` → 1000: the power of a thousand its trailing zero groups add."""
    groups = re.split(rf"[{SPACES}.]", grouped)
    magnitude = 1
    for group in reversed(groups[1:]):
        if group != "000":
            break
        magnitude *= 1000
    return magnitude


def format_amount_nb(value: int, style: str = "kr") -> str:
    """The inverse of parsing, for display and property tests: `kr 26 640,-`, `26 640 kroner`."""
    grouped = f"{value:,}".replace(",", "\u00a0")
    return {"kr": f"kr {grouped},-", "kroner": f"{grouped} kroner", "nok": f"NOK {grouped}"}[style]


def as_number(value: Decimal | None) -> int | float | None:
    """JSON-friendly: whole kroner as int, øre as float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
