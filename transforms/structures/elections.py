"""Election protocols of the national election system (EVA: one JasperReports template, bokmål and nynorsk).

Reads the valgstyre's protocol (valgprotokoll / valgstyrets møtebok), the stemmestyre's book and the
system's small reports from page texts: key figures, per-party counts (preliminary vs final), rejected
votings, seats, elected candidates and remarks. The reader keys on the template's section codes
(A1 … E2.2) and its bokmål and nynorsk labels, never on particular files.

A text layer gives exact numbers in one of two shapes: a row per line (`Høyre 103 104 1`) or a table's
labels followed by its values column by column (pdfium's order for the fixed-layout tables). OCR'd
pages (and scans that carry someone else's OCR layer) give the same rows with misreads, so every
number is checked against the totals the protocol itself states (`reconcile`); a value whose digits
were not read is None with an issue, never a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import product

from kommune_etl.models import Page
from kommune_etl.transforms.actors import party_code as _shipped_party_code
from kommune_etl.transforms.structures.election_records import (
    Elected,
    ElectionProtocol,
    KeyFigures,
    PartyCount,
    Rejection,
    Remark,
    Seats,
    TableCell,
    TableTotal,
)

#: |final − preliminary| at or above this is listed as a finding (`deviation: …`) by `reconcile`.
DEVIATION_THRESHOLD = 3
#: Confidence given to a scan's own (third-party) OCR text layer, whose word confidences are unknown.
FOREIGN_LAYER_CONFIDENCE = 0.75

# ---------------------------------------------------------------------------------------------------
# Lines, footers, sections
# ---------------------------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0\u2007\u2009\u202f]+")
_FOOTER_STAMP = re.compile(r"^\W{0,3}(?P<day>\d{2})\.(?P<month>\d{2})\.(?P<year>\d{4}) ?(?P<time>[\dO]{2}:[\dO]{2}:[\dO]{2})\b")
#: Table rules that OCR reads as characters (`Partiet De Kristne | 6`), standing alone between words.
_TABLE_RULES = re.compile(r"(?<!\S)[|\[\]{}_=]+(?!\S)")
_PAGE_MARK = re.compile(r"^(?:Side|Sida)\s*[:\dSIl]*(?:\s*/\s*\d+)?$")
_SECTION_CODE = r"[A-E]\d{1,2}(?:\.\d{1,2}){0,2}"
_CODED_HEADING = re.compile(rf"^(?P<code>{_SECTION_CODE})\s+(?P<title>(?:-\s*[A-E]\d|[A-ZÆØÅ]).*)$")
_TOP_HEADING = re.compile(
    r"^(?P<code>[A-E])\s+(?P<title>(?:Administrative|Forel[øo]pig|F[øo]rebels|Endelig|Endeleg|Valgoppgj|"
    r"Valoppgj|Behandling av mott|Andre (?:forhold|tilhøve)).*)$")
#: On OCR'd pages codes come back as `BI .1`, `Al`, `Di`, `82.1.1`: repaired only where the title fits.
_OCR_CODE_TOKEN = re.compile(r"^(?P<code>[A-E8ÅÆ][0-9IilO|]{0,2}(?:\s?[.,][0-9IilO|]{1,2}){0,2})\s+(?P<title>[A-ZÆØÅa-zæøå].*)$")
_OCR_CODE_CHARS = str.maketrans({"I": "1", "i": "1", "l": "1", "|": "1", "O": "0", ",": ".", " ": ""})
_SECTION_TITLE = {
    "A1": r"val(g)?styret|mandag|søndag", "A2": r"val(g)?tinget|stemmestyret",
    "B1.1": r"totalt mott", "B1.2": r"behandl", "B2.1.1": r"behandl", "B2.1.2": r"partifordel",
    "B2.2.1": r"behandl", "B2.2.2": r"partifordel", "C1": r"oversikt|stemmesedler i urnen",
    "C2": r"partifordel|førebels|foreløpig", "C2.1": r"(antall|tal på) val", "C2.2": r"partifordel",
    "C4.1": r"(antall|tal på) val", "C4.2": r"partifordel", "D1.1": r"opptal", "D1.2": r"forkast",
    "D1.3": r"godkjen", "D1.4": r"a[vw]+ik", "D2.1": r"opptal", "D2.2": r"forkast", "D2.3": r"godkjen",
    "D2.4": r"a[vw]+ik", "D3": r"totaloversikt", "E1": r"mandat", "E1.1": r"beregning|utrekning",
    "E2": r"kandidat", "E2.1": r"beregning|utrekning", "E2.2": r"val(g)?(te|de) repr",
}


@dataclass
class _Section:
    code: str
    title: str
    lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.lines]

    @property
    def pages(self) -> set[int]:
        return {page for page, _ in self.lines}


@dataclass
class _Doc:
    """The protocol's lines without page footers, cut into sections by the template's codes."""

    lines: list[tuple[int, str]]
    front: list[tuple[int, str]]              # before the first section heading (title page, key figures, seats)
    sections: dict[str, _Section]
    stamps: list[str]                         # footer print stamps, page order, as ISO strings
    page_source: dict[int, str]               # text | ocr | foreign
    page_confidence: dict[int, float | None]

    def section(self, code: str) -> _Section | None:
        return self.sections.get(code)

    def is_exact(self, pages: Iterable[int]) -> bool:
        return all(self.page_source.get(p) == "text" for p in pages)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _page_sources(pages: Sequence[Page]) -> dict[int, str]:
    """`foreign` marks a scan's own OCR layer: text on pages that are all images (a logo page is not)."""
    imaged = sum(1 for p in pages if p.has_images and p.text.strip())
    scanned_layer = len(pages) >= 2 and imaged >= max(2, 0.8 * len(pages))
    sources = {}
    for page in pages:
        if page.method.startswith("ocr"):
            sources[page.number] = "ocr"
        elif scanned_layer and page.has_images:
            sources[page.number] = "foreign"
        else:
            sources[page.number] = "text"
    return sources


def _heading(line: str, tolerant: bool) -> tuple[str, str] | None:
    if m := _CODED_HEADING.match(line):
        return m["code"], m["title"]
    if m := _TOP_HEADING.match(line):
        return m["code"], m["title"]
    if tolerant and (m := _OCR_CODE_TOKEN.match(line)):
        raw = m["code"]
        code = ("B" + raw[1:] if raw[0] == "8" else "A" + raw[1:] if raw[0] in "ÅÆ" else raw).translate(_OCR_CODE_CHARS)
        pattern = _SECTION_TITLE.get(code)
        if pattern and re.match(pattern, m["title"], re.I):
            return code, m["title"]
    return None


def _depth(code: str) -> int:
    return 0 if len(code) == 1 else 1 + code.count(".")


def _build_doc(pages: Sequence[Page]) -> _Doc:
    sources = _page_sources(pages)
    confidence = {p.number: None if sources[p.number] == "text" else
                  (p.ocr_confidence / 100 if p.ocr_confidence is not None else
                   FOREIGN_LAYER_CONFIDENCE if sources[p.number] == "foreign" else 0.5) for p in pages}
    lines: list[tuple[int, str]] = []
    stamps: list[str] = []
    for page in pages:
        for raw in page.text.splitlines():
            text = _clean(raw) if sources[page.number] == "text" else _clean(_TABLE_RULES.sub(" ", raw)).lstrip(",.;:'`|—– ")
            if not text:
                continue
            if m := _FOOTER_STAMP.match(text):
                stamps.append(f"{m['year']}-{m['month']}-{m['day']}T{m['time'].replace('O', '0')}")
                continue
            if _PAGE_MARK.match(text):
                continue
            lines.append((page.number, text))
    front: list[tuple[int, str]] = []
    sections: dict[str, _Section] = {}
    run: list[_Section] = []          # consecutive headings without a body: the body goes to the deepest
    current: _Section | None = None
    for page, text in lines:
        found = _heading(text, sources.get(page) != "text")
        if found:
            code, title = found
            section = sections.get(code) or sections.setdefault(code, _Section(code, title))
            run.append(section)
            current = max(run, key=lambda s: _depth(s.code))
            continue
        run = []
        if current is None:
            front.append((page, text))
        else:
            current.lines.append((page, text))
    return _Doc(lines, front, sections, stamps, sources, confidence)


# ---------------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------------

class _Dash:
    """A printed dash ("—"): the cell has no value, which is not 0."""

    def __repr__(self) -> str:
        return "DASH"


class _Unreadable:
    """A token in a number's place whose digits were not read with confidence (OCR)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"UNREADABLE({self.text!r})"


class _Repaired(int):
    """An OCR cell read as the one value its evidence allows: a boxed digit (`8)`: a 0 against a cell's edge, as
    often as not) by the row's own arithmetic (deviation = final − preliminary), a digit look-alike letter by
    its shape; `printed` keeps what OCR saw and `why` the evidence."""

    printed: str
    why: str

    def __new__(cls, value: int, printed: str, why: str = "final − preliminary"):
        number = super().__new__(cls, value)
        number.printed, number.why = printed, why
        return number


DASH = _Dash()
_DASHES = {"—", "–", "-", "−", "--"}
_OCR_EDGE_JUNK = "|:;)([]{}'\"`´!_~"
_DIGITS = re.compile(r"^-?\d+$")
_OCR_ZERO = {"o", "O", "0)", "(0"}
#: Pieces of a legal reference (`10-1`, `(1)`, `10-2(1)`) are words of a label, not numbers.
_LEGAL_REFERENCE_WORD = re.compile(r"^\d+-\d+\w*(?:\(\d\)\w?\)?)?$")
_PARENTHESISED = re.compile(r"^\(\d\)$")
#: What Tesseract makes of empty table cells, shading and rules next to the numbers.
_OCR_CELL_NOISE = {"i", "|", "E", "EE", "Ee", "ee", "e", "En", "Em", "EG", "NE", ";", ":", ".", ",", "'", "`", "~"}
_BOXED_DIGIT = re.compile(r"^[(\[|]?[1-9][)\]|]$")
_HAS_DIGIT = re.compile(r"\d")
_NUMBERISH = re.compile(r"^[\d\s'|!lI.,:;()\[\]—–-]+$")
_PERCENT = re.compile(r"(?P<value>\d{1,3},\d{1,2}) ?%")
_DECIMAL = r"-?\d{1,3}(?: \d{3})*,\d{2}"

Token = str | _Dash | _Unreadable


def _token(word: str, ocr: bool) -> Token | None:
    """A number-shaped word as a digit string, DASH or UNREADABLE; None when it is a word."""
    if word in _DASHES:
        return DASH
    if _DIGITS.match(word):
        return word
    if not ocr or _LEGAL_REFERENCE_WORD.match(word):
        return None
    stripped = word.strip(_OCR_EDGE_JUNK)
    if stripped in _OCR_ZERO or stripped == "o":
        return "0"
    if _BOXED_DIGIT.match(word):
        return _Unreadable(word)        # `8)`, `4)`: a 0 against a cell's edge, as often as not
    if _DIGITS.match(stripped):
        return stripped
    if stripped in _DASHES:
        return DASH
    if _HAS_DIGIT.search(word) and _NUMBERISH.match(word):
        return _Unreadable(word)
    return None


def _tail_tokens(line: str, ocr: bool) -> tuple[str, list[Token]]:
    """Split a row into its label and the run of number tokens that ends it."""
    words = line.split(" ")
    tokens: list[Token] = []
    while words:
        if ocr and len(words) > 1 and _LEGAL_REFERENCE_WORD.match(words[-2]) and _PARENTHESISED.match(words[-1]):
            break                           # `§ 10-1 (1) …`: the `(1)` belongs to the reference
        tok = _token(words[-1], ocr)
        if tok is None:
            if ocr and words[-1] in _OCR_CELL_NOISE and len(words) > 1:
                words.pop()                 # a cell's shading or rule read as `i`, `E`, `EE` between label and number
                continue
            break
        tokens.insert(0, tok)
        words.pop()
    if ocr:
        while words and words[-1] in {"|", "[", "]", "=", "==", "—"}:   # table rules read as characters
            words.pop()
    return " ".join(words), tokens


def _segmentations(tokens: Sequence[Token], k: int) -> Iterator[list[int | None | _Unreadable]]:
    """Every way to read `tokens` as k numbers, thousands written as separate 3-digit groups (`1 055`)."""
    if k == 0:
        if not tokens:
            yield []
        return
    if len(tokens) < k:
        return
    first = tokens[0]
    if first is DASH or isinstance(first, _Unreadable):
        for rest in _segmentations(tokens[1:], k - 1):
            yield [None if first is DASH else first, *rest]
        return
    digits = first.lstrip("-")
    if len(digits) > 1 and digits.startswith("0"):
        return
    end = 1
    while True:
        value = int("".join(tokens[:end]))
        for rest in _segmentations(tokens[end:], k - 1):
            yield [value, *rest]
        if (end < len(tokens) and len(digits) <= 3 and digits != "0" and isinstance(tokens[end], str)
                and len(tokens[end]) == 3 and tokens[end].isdigit()):
            end += 1
            continue
        return


Check = Callable[[Sequence[int | None]], bool]


def _read_numbers(tokens: Sequence[Token], k: int, check: Check | None = None) -> tuple[list, bool] | None:
    """The reading of `tokens` as k numbers that passes `check` (or the only reading); (values, checked)."""
    options = list(_segmentations(tokens, k))
    if not options:
        return None
    if check is not None:
        for option in options:
            plain = [None if isinstance(v, _Unreadable) else v for v in option]
            if all(v is not None for v in plain) and check(plain):
                return option, True
        for option in options:
            if repaired := _repair_boxed_digits(option, check):
                return repaired, True
    return options[0], len(options) == 1


def _repair_boxed_digits(option: list, check: Check) -> list | None:
    """The one reading of a row's boxed digits (each its digit or 0) that passes the row's check, if only one does."""
    boxed = [i for i, v in enumerate(option) if isinstance(v, _Unreadable) and _BOXED_DIGIT.match(v.text)]
    if not boxed or any(v is None or (isinstance(v, _Unreadable) and i not in boxed) for i, v in enumerate(option)):
        return None
    candidates = [sorted({int(re.sub(r"\D", "", option[i].text)), 0}) for i in boxed]
    passing = []
    for combo in product(*candidates):
        values = list(option)
        for i, value in zip(boxed, combo):
            values[i] = value
        if check(values):
            passing.append(combo)
    if len(passing) != 1:
        return None
    repaired = list(option)
    for i, value in zip(boxed, passing[0]):
        repaired[i] = _Repaired(value, option[i].text)
    return repaired


#: Letters Tesseract reads for a lone digit in a table cell (`Helsepartiet A 4` for `Helsepartiet 4 4`).
_DIGIT_LOOKALIKES = {"A": "4", "S": "5", "B": "8", "O": "0", "I": "1", "l": "1", "Z": "2", "G": "6", "T": "7"}


def _lookalike_cell(label: str, tokens: Sequence[Token], k: int) -> tuple[str, tuple] | None:
    """A row one number short whose label ends in a lone digit look-alike: that letter is the first cell.

    The value is kept as repaired (what OCR printed is noted) and the column's printed total still checks it,
    so a wrong repair shows as a sum that does not add up, never as a silent number."""
    head, _, last = label.rpartition(" ")
    if not head or last not in _DIGIT_LOOKALIKES or len(tokens) != k - 1:
        return None
    if any(not isinstance(t, str) or not _DIGITS.match(t) for t in tokens):
        return None
    return head, (_Repaired(int(_DIGIT_LOOKALIKES[last]), last, "a letter OCR reads for that digit"),
                  *(int(t) for t in tokens))


def _value(v) -> int | None:
    return None if v is None or isinstance(v, _Unreadable) or v is DASH else int(v)


def _line_value(line: str, ocr: bool) -> Token | None:
    """A line that is one number (a column-layout cell): digits, a dash, or unreadable digits."""
    label, tokens = _tail_tokens(line, ocr)
    if label:
        return None
    if not tokens:
        return None
    read = _read_numbers(tokens, 1)
    if read:
        value = read[0][0]
        return DASH if value is None else value if isinstance(value, _Unreadable) else str(value)
    return _Unreadable(line) if ocr else None


# ---------------------------------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------------------------------

#: Party names as ballots print them in nynorsk or without the parties.csv spelling → the bokmål name.
_PARTY_SPELLINGS = {
    "høgre": "Høyre", "arbeidarpartiet": "Arbeiderpartiet", "framstegspartiet": "Fremskrittspartiet",
    "kristeleg folkeparti": "Kristelig Folkeparti", "miljøpartiet dei grøne": "Miljøpartiet De Grønne",
    "raudt": "Rødt", "sosialistisk venstreparti": "SV - Sosialistisk Venstreparti",
    "demokratene": "Norgesdemokratene", "demokratene i norge": "Norgesdemokratene",
}


@cache
def _party_names() -> dict[str, str]:
    """Full party names from the shipped list (and their former names: `tidl. Helsepartiet`) → code."""
    from kommune_etl.refdata import load

    names: dict[str, str] = {}
    for row in load("parties.csv"):
        if row["code"] in {"UAVH", "TVF"}:
            continue
        name = row["name"]
        current, _, former = name.partition(" (tidl. ")
        for form in (name, current, current.split(" - ")[-1], former.rstrip(")")):
            if form:
                names[form.casefold()] = row["code"]
    return names


def party_code(written: str) -> str | None:
    """The official code for a party name as the protocol writes it (bokmål or nynorsk), else None."""
    written = _clean(written)
    if code := _shipped_party_code(written):
        return code
    spelled = _PARTY_SPELLINGS.get(written.casefold(), written)
    return _shipped_party_code(spelled) or _party_names().get(spelled.casefold())


# ---------------------------------------------------------------------------------------------------
# Front matter: kind, election, language, area, key figures
# ---------------------------------------------------------------------------------------------------

_TITLE = re.compile(r"Va\w{0,3}protokoll for (?P<body>fylkesval(?:g)?styret|val(?:g)?styret|stemmestyret)", re.I)
_REPORT_TITLE = re.compile(r"^(?P<title>Valgdeltakelse|Valdeltaking|Kretsrapport val(?:g)?lokale.*|Ny kandidatrangering per parti"
                           r"|Partifordeling.*|Valgresultat.*|Valresultat.*|Oversikt over valgte.*|Valgte representanter.*)$")
_ELECTION_HEADER = re.compile(r"^(?:Kommunestyre- og fylkestingsval(?:g)?et|Kommunestyreval(?:g)?et|Fylkestingsval(?:g)?et"
                              r"|Stortingsval(?:g)?et|Sametingsval(?:g)?et) ?(?P<year>\d{4})$")
_ELECTION_NAME = re.compile(r"(?P<which>Kommunestyre|Fylkesting|Storting|Sameting)s? ?val(?:g)?et ?(?P<year>(?:19|20)\d{2})?", re.I)
_PROTOCOL_FOR = re.compile(r"protokoll for \w+ - (?P<election>.+)$", re.I)
_REPORT_FOR = re.compile(r"^(?:Kretsrapport|Valgresultat|Valresultat|Partifordeling)\b.* - (?P<election>.+)$", re.I)
_ELECTION_ONLY = re.compile(r"^(?:\d{2})?(?:Kommunestyre|Fylkesting|Storting|Sameting)s?val(?:g)?et(?:\d{4})?$", re.I)
_COMBINED = re.compile(r"^Kommunestyre- og fylkestingsval(?:g)?et (?P<year>\d{4})$")
_AREA_FIELD = re.compile(r"^(?P<field>Kommune|Fylke|Valgdistrikt|Valdistrikt|Krets|Krins|År|Ar) ?: ?(?P<value>.*)$")
_TITLE_AREA = re.compile(r"^(?P<area>.+?) kommune, (?P<county>.+?)(?: fylke| valgdistrikt| valdistrikt)?$")
_REPORT_AREA = re.compile(r"^(?P<number>\d{4,6}) (?P<area>[A-ZÆØÅ][^\d]*?)(?: kommune)?$")
_NN_MARKERS = re.compile(r"\b(?:Valprotokoll|valstyret|Nøkkeltal|Namn|Leiar|tilhøve|førehands\w*|stemmesetlar|oppteljing|"
                         r"Endeleg|Førebels|Godkjende|Forkasta|mottekne|Tvilsame|krinsar)\b")
_NB_MARKERS = re.compile(r"\b(?:Valgprotokoll|valgstyret|Nøkkeltall|Navn|Leder|forhold|forhånds\w*|stemmesedler|opptelling|"
                         r"Endelig|Foreløpig|Godkjente|Forkastet|mottatte|Tvilsomme|kretser)\b")
_ELECTIONS = {"kommunestyre": "kommunestyrevalg", "fylkesting": "fylkestingsvalg", "storting": "stortingsvalg",
              "sameting": "sametingsvalg"}


@dataclass(frozen=True)
class Detection:
    """Whether pages are one of the election system's documents, and what showed it."""

    is_protocol: bool
    kind: str | None
    evidence: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.is_protocol


def _head_lines(page: Page, n: int = 14) -> list[str]:
    """A page's first lines without the footer stamp line (short pages put the footer among them)."""
    lines = [_clean(line) for line in page.text.splitlines() if line.strip()]
    return [line for line in lines if not _FOOTER_STAMP.match(line)][:n]


def _title_kind(line: str) -> str | None:
    if m := _TITLE.search(line):
        body = m["body"].lower().replace("valstyret", "valgstyret")
        return {"valgstyret": "valgstyret", "fylkesvalgstyret": "fylkesvalgstyret", "stemmestyret": "stemmestyret"}[body]
    return None


def detect_election(pages: Sequence[Page]) -> Detection:
    """Title of the template (`Valgprotokoll for valgstyret`) plus the template's footer, sections or key figures.

    The title may stand on any page: municipalities file the protocol behind the minutes that approve it.
    """
    evidence: list[str] = []
    kind = None
    for page in pages:
        for line in _head_lines(page):
            if found := _title_kind(line):
                kind = found
                evidence.append(f"title: {line!r} (page {page.number})")
                break
        if kind:
            break
    if kind is None and pages:
        head = _head_lines(pages[0], 8)
        header = next((line for line in head[:6] if _ELECTION_HEADER.match(line)), None)
        report = next((line for line in head if _REPORT_TITLE.match(line)), None)
        if header and report:
            kind = "report"
            evidence += [f"election header: {header!r}", f"report title: {report!r}"]
    if kind is None:
        return Detection(False, None, ("no election-system title",))
    text = "\n".join(p.text for p in pages)
    stamp = re.search(r"^\W{0,3}\d{2}\.\d{2}\.\d{4} ?\d{2}:\d{2}:\d{2}.*Side.*$", text, re.M)
    if stamp:
        evidence.append(f"footer: {stamp.group(0).strip()!r}")
    codes = sorted({m[1] for m in re.finditer(rf"^({_SECTION_CODE}) [A-ZÆØÅ]", text, re.M)})
    if codes:
        evidence.append("sections: " + " ".join(codes[:12]) + (" …" if len(codes) > 12 else ""))
    if re.search(r"Nøkkeltal+ i val", text):
        evidence.append("key figures heading")
    strong = bool(stamp) + (len(codes) >= 3) + ("key figures heading" in evidence)
    if kind == "report":
        return Detection(bool(stamp) or len(codes) >= 1 or len(text) > 200, kind, tuple(evidence))
    return Detection(strong >= 1, kind, tuple(evidence))


_COVER = re.compile(r"Va\w{0,3}protokoll for (?:fylkes)?val(?:g)?styret i$", re.I)


def protocol_parts(pages: Sequence[Page]) -> list[tuple[Page, ...]]:
    """The protocols in a bundle, each from its cover page (or its first page) on; pages before the first
    protocol (the minutes that approve it) are left out. A single protocol is one part."""
    starts: list[int] = []
    for i, page in enumerate(pages):
        head = _head_lines(page, 8)
        cover = any(_COVER.search(line) for line in head)
        header = any(_PROTOCOL_FOR.search(line) for line in head)
        polling_station = any(_title_kind(line) == "stemmestyret" for line in head[:4])
        if cover or polling_station or (header and not (starts and starts[-1] == i - 1)):
            starts.append(i)
    if not starts:
        return [tuple(pages)] if pages else []
    return [tuple(pages[a:b]) for a, b in zip(starts, starts[1:] + [len(pages)])]


def is_election_protocol(pages: Sequence[Page]) -> bool:
    """True for the election system's protocols and reports; `detect_election` gives the evidence."""
    return detect_election(pages).is_protocol


def election_evidence(pages: Sequence[Page]) -> tuple[str, ...]:
    return detect_election(pages).evidence


def _language(text: str) -> str:
    return "nn" if len(_NN_MARKERS.findall(text)) > len(_NB_MARKERS.findall(text)) else "nb"


def _election(doc: _Doc, kind: str) -> tuple[str | None, int | None, bool]:
    """(election, year, combined): the protocol's own title line first (`… for valgstyret - Kommunestyrevalget 2019`).

    A polling-station book serves both elections of 2019 (`Kommunestyre- og fylkestingsvalget 2019`): it
    is filed under kommunestyrevalg and `combined` says so.
    """
    head = [text for page, text in doc.lines if page <= 3][:60]
    titled = [m["election"] for line in head if (m := _PROTOCOL_FOR.search(line) or _REPORT_FOR.search(line))]
    alone = [line for line in head if _ELECTION_ONLY.match(line.replace(" ", ""))]
    combined = next((m for line in head[:4] if (m := _COMBINED.match(line))), None)
    if kind == "stemmestyret" and not titled and combined:
        return "kommunestyrevalg", int(combined["year"]), True
    for line in titled + alone:
        if m := _ELECTION_NAME.search(line.replace(" ", "")):
            year = int(m["year"]) if m["year"] else next((int(y) for ln in head if (y := _year_of(ln))), None)
            return _ELECTIONS[m["which"].lower()], year, False
    for line in head:
        if m := _COMBINED.match(line):
            return "kommunestyrevalg", int(m["year"]), True
    return None, None, False


def _year_of(line: str) -> str | None:
    m = re.search(r"\b((?:19|20)\d{2})\b", line)
    return m.group(1) if m else None


def _front_fields(doc: _Doc) -> dict[str, str]:
    fields: dict[str, str] = {}
    for _, text in doc.front + [ln for s in doc.sections.values() if s.code in ("A", "A1") for ln in s.lines[:3]]:
        if m := _AREA_FIELD.match(text):
            key = {"Valdistrikt": "Valgdistrikt", "Krins": "Krets", "Ar": "År"}.get(m["field"], m["field"])
            fields.setdefault(key, m["value"].strip(" —–-|:;.,'\""))
    return fields


def _area(doc: _Doc, kind: str) -> tuple[str | None, str | None, str | None]:
    """(area, county, district) as written."""
    fields = _front_fields(doc)
    county = fields.get("Fylke") or fields.get("Valgdistrikt") or None
    area = fields.get("Fylke") if kind == "fylkesvalgstyret" else fields.get("Kommune")
    if not area or not county:
        for _, text in doc.front[:12]:
            if m := _TITLE_AREA.match(text):
                area = area or m["area"]
                county = county or m["county"]
                break
    if not area and kind == "report":
        for _, text in doc.front[:8]:
            if m := _REPORT_AREA.match(text):
                area = m["area"]
                break
    return area or None, county or None, fields.get("Krets") or None


_KEY_FIGURE_LABELS = (
    ("eligible_voters", re.compile(r"^(Antall stemmeberettigede|Tal på personar med røysterett)", re.I)),
    ("marked_in_register", re.compile(r"kryss i mann?tal", re.I)),
    ("turnout_percent", re.compile(r"^Oppmøteprosent", re.I)),
    ("advance_votings_approved", re.compile(r"godkjente? f(?:or|øre)h\w+(?:stemmegiv|røystegjev|stemmegjev)", re.I)),
    ("election_day_votings_approved", re.compile(r"godkjente? val(?:g)?tings", re.I)),
    ("votings_rejected", re.compile(r"forkast\w* (?:stemmegiv|røystegjev|stemmegjev)", re.I)),
    ("ballots_approved", re.compile(r"godkjente? stemmese(?:dl|tl)", re.I)),
    ("ballots_rejected", re.compile(r"forkast\w* stemmese(?:dl|tl)", re.I)),
)
_KEY_FIGURES_HEADING = re.compile(r"^N[øo]kke\w{0,6} i val", re.I)
_SEATS_HEADING = re.compile(r"^Representantfordeling|^Mandatfordeling$", re.I)


def _key_figures(doc: _Doc, issues: list[str]) -> tuple[KeyFigures, set[int]]:
    """Section "Nøkkeltall": a value beside its label (OCR) or all values after the labels in label order
    (a text layer), where the turnout percentage can stand anywhere: it is the one with a % sign."""
    lines = doc.lines
    start = next((i for i, (_, t) in enumerate(lines) if _KEY_FIGURES_HEADING.match(t)), None)
    if start is None:
        return KeyFigures(), set()
    page = lines[start][0]
    found: dict[str, object] = {}
    waiting: list[str] = []          # labels printed without their value, in order
    stream: list[Token] = []         # values printed without their label, in order
    percent: float | None = None
    for p, text in lines[start + 1:]:
        if p != page or _SEATS_HEADING.match(text):
            break
        ocr = doc.page_source[p] != "text"
        if m := _PERCENT.search(text):
            percent = float(m["value"].replace(",", "."))
        label = next((name for name, rx in _KEY_FIGURE_LABELS if rx.search(text)), None)
        if label and label not in found and label not in waiting:
            if label == "turnout_percent":
                continue                 # the % value is recognised wherever it stands
            _, tokens = _tail_tokens(text, ocr)
            read = _read_numbers(tokens, 1) if tokens else None
            if read:
                found[label] = read[0][0]
            else:
                waiting.append(label)
        elif not m and (value := _line_value(text, ocr)) is not None:
            stream.append(value)
    found["turnout_percent"] = percent
    if len(stream) == len(waiting):
        found.update(zip(waiting, stream))
    elif waiting:
        issues.append(f"unreadable: key figures: {len(stream)} values for {len(waiting)} labels; left unread")
    values: dict[str, int | float | None] = {}
    for name, _ in _KEY_FIGURE_LABELS:
        raw = found.get(name)
        if isinstance(raw, _Unreadable):
            issues.append(f"unreadable: key figures {name}: {raw.text!r}")
        values[name] = raw if isinstance(raw, float) else int(raw) if isinstance(raw, str) else _value(raw)
    return KeyFigures(**values), {page}


# ---------------------------------------------------------------------------------------------------
# Per-party tables
# ---------------------------------------------------------------------------------------------------

_TOTAL_ROW = re.compile(r"^(?:Totalt? (?:antall|tal)(?: på)? partifordelte|Sum$|Sum\b|Subtotal\b)", re.I)
_HEADER_ROW = re.compile(r"^(?:Parti|Valglistens navn|Namn på vallista)\b|^(?:(?:Antall|Tal|Endelig|Endeleg|Foreløpig|Førebels"
                         r"|Avvik|Opptalte stemmesedler|Prosent) ?)+$", re.I)   # a header of column words only, alone on its line
_COLUMN_WORD = re.compile(r"^(?:Antall|Tal|Endelig|Endeleg|Foreløpig|Førebels|Avvik|Forhånd|Førehand|Valgting|Valting|Total)$", re.I)


@dataclass(frozen=True)
class _Row:
    label: str
    values: tuple
    page: int
    checked: bool


def _avvik_check(values: Sequence[int | None]) -> bool:
    prelim, final, dev = values
    return final - prelim == dev


def _sum_check(values: Sequence[int | None]) -> bool:
    return sum(values[:-1]) == values[-1]


def _rows(lines: Sequence[tuple[int, str]], k: int, sources: dict[int, str], check: Check | None = None) -> list[_Row]:
    """Rows `label n1 … nk` (a label may wrap onto the line before); column layouts as a fallback.

    A column layout (a scan's OCR layer) lists the labels, then each column's values one per line.
    """
    rows: list[_Row] = []
    labels: list[tuple[int, str]] = []
    pending: list[str] = []
    stream: list[tuple[int, Token]] = []
    for page, text in lines:
        ocr = sources.get(page) != "text"
        if _HEADER_ROW.match(text) or (ocr and _COLUMN_WORD.match(text)):
            continue
        label, tokens = _tail_tokens(text, ocr)
        if not label:
            if not tokens:
                continue
            read = _read_numbers(tokens, k, check)
            if read and len(pending) == 1 and not stream:       # the numbers of a row whose label stood alone
                rows.append(_Row(pending[0], tuple(read[0]), page, read[1]))
                pending = []
                labels.pop()
                continue
            value = _line_value(text, ocr)
            if value is not None:
                stream.append((page, value))
            continue
        if tokens:
            read = _read_numbers(tokens, k, check)
            if read:
                full = _clean(f"{pending[0]} {label}") if len(pending) == 1 and not _TOTAL_ROW.match(label) else label
                if len(pending) == 1 and full != label:
                    labels.pop()
                rows.append(_Row(full, tuple(read[0]), page, read[1]))
                pending = []
                continue
            if ocr and (lookalike := _lookalike_cell(label, tokens, k)):
                rows.append(_Row(lookalike[0], lookalike[1], page, False))
                pending = []
                continue
            if ocr and not _HAS_DIGIT.search(label):
                rows.append(_Row(label, tuple(_Unreadable(" ".join(map(str, tokens))) for _ in range(k)), page, False))
                pending = []
                continue
        labels.append((page, text))
        pending.append(text)
    total_at = next((i for i, (_, text) in enumerate(labels) if _TOTAL_ROW.match(text)), None)
    if total_at is not None and not rows:
        labels = labels[:total_at + 1]          # what follows the total row is not the table's
    if not rows and labels and stream and len(stream) == k * len(labels):
        n = len(labels)
        for i, (page, text) in enumerate(labels):
            cells = [stream[j * n + i][1] for j in range(k)]
            values = tuple(None if c is DASH else c if isinstance(c, _Unreadable) else int(c) for c in cells)
            plain = [_value(v) for v in values]
            ok = check(plain) if check and all(v is not None for v in plain) else check is None
            rows.append(_Row(text, values, page, ok))
    elif not rows and labels and stream:
        return [_Row("", (_Unreadable(f"a column layout with {len(stream)} values for {len(labels)} rows"),), 0, False)]
    return rows


def _party_table(doc: _Doc, code: str, columns: tuple[str, ...], issues: list[str], table: str | None = None,
                 lines: Sequence[tuple[int, str]] | None = None,
                 notes: list[str] | None = None) -> tuple[list[PartyCount], list[TableTotal], set[int]]:
    """A per-party table: party rows to PartyCount (columns among preliminary/final/deviation) and its total row."""
    name = table or code
    if lines is None:
        section = doc.section(code)
        if section is None:
            return [], [], set()
        lines = section.lines
    check = _avvik_check if columns == ("preliminary", "final", "deviation") else None
    derive_deviation = False
    if check and _deviation_column_lost(lines, doc.page_source):
        # OCR kept the header's Foreløpig and Endelig but not Avvik (a column of lone digits at the page's edge,
        # which Tesseract drops): read the two and compute Avvik, which the template prints as final − preliminary.
        # Both columns are still checked against their printed totals, so the computed column is as sure as they.
        columns, check = ("preliminary", "final"), None
        if notes is None:
            issues.append(f"unreadable: {name} deviation: the column is not in the OCR text")
        else:
            derive_deviation = True
            notes.append(f"{name} deviation: the column is not in the OCR text; computed as final − preliminary")
    counts: list[PartyCount] = []
    totals: list[TableTotal] = []
    rows = _rows(lines, len(columns), doc.page_source, check)
    if len(rows) == 1 and not rows[0].label:
        issues.append(f"unreadable: {name}: {rows[0].values[0].text}")
        return [], [], {p for p, _ in lines}
    for row in rows:
        values = dict(zip(columns, row.values))
        if derive_deviation:
            values["deviation"] = _difference(values["final"], values["preliminary"])
        if notes is not None:
            notes += [f"{name} {row.label} {column}: OCR read {v.printed!r}, taken as {int(v)} ({v.why})"
                      for column, v in values.items() if isinstance(v, _Repaired)]
        unread = {column: v.text for column, v in values.items() if isinstance(v, _Unreadable)}
        if unread:
            issues.append(f"unreadable: {name} {row.label} {', '.join(unread)}: "
                          + ", ".join(dict.fromkeys(repr(t) for t in unread.values())))
        if _TOTAL_ROW.match(row.label):
            totals += [TableTotal(name, column, _value(v)) for column, v in values.items()]
            continue
        counts.append(PartyCount(name, row.label, party_code(row.label), _value(values.get("preliminary")),
                                 _value(values.get("final")), _value(values.get("deviation"))))
    return counts, totals, {p for p, _ in lines}


def _difference(final, preliminary) -> int | None:
    """final − preliminary where both were read as numbers; None where either is a dash or unread."""
    final, preliminary = _value(final), _value(preliminary)
    return None if final is None or preliminary is None else final - preliminary


_PRELIMINARY_FINAL_HEADER = re.compile(r"^(?:Parti\b.*)?\b(?:Foreløpig|Førebels)\b.*\b(?:Endelig|Endeleg)\b(?P<rest>.*)$", re.I)


def _deviation_column_lost(lines: Sequence[tuple[int, str]], sources: dict[int, str]) -> bool:
    """An OCR'd D1.4/D2.4 whose header names two of the three columns, and whose rows carry two numbers."""
    for page, text in lines[:4]:
        if sources.get(page) == "text":
            return False
        m = _PRELIMINARY_FINAL_HEADER.match(text)
        if m:
            if re.search(r"A\w{0,2}vik", m["rest"]):
                return False
            rows = [_tail_tokens(t, True)[1] for p, t in lines if sources.get(p) != "text"]
            return sum(len(r) == 2 for r in rows) > sum(len(r) >= 3 for r in rows)
    return False


#: The per-party tables of the valgstyre's protocol and the columns each one carries.
_PARTY_TABLES = (
    ("B2.1.2", ("preliminary",)), ("B2.2.2", ("preliminary",)), ("C2.2", ("preliminary",)), ("C4.2", ("preliminary",)),
    ("C4.5", ("preliminary",)), ("C4.8", ("preliminary",)), ("D1.3", ("final",)), ("D1.4", ("preliminary", "final", "deviation")),
    ("D2.3", ("final",)), ("D2.4", ("preliminary", "final", "deviation")),
)


# ---------------------------------------------------------------------------------------------------
# Fixed-layout count tables (B1.1, B1.2, B2.x.1, C2.1/C4.x, D1.1, D2.1)
# ---------------------------------------------------------------------------------------------------

_B11_ROWS = (
    ("early", re.compile(r"1\. ?juli|tidl[ie]g", re.I)), ("domestic", re.compile(r"10\. ?august", re.I)),
    ("letters_abroad", re.compile(r"brevstemme", re.I)), ("other_abroad", re.compile(r"(?:øvrige|andre) f", re.I)),
    ("contingency", re.compile(r"beredskap", re.I)), ("sum", re.compile(r"^Sum ", re.I)),
)
_B11_TOTAL = re.compile(r"^Totalt? (?:antall|tal)\b(?! f)", re.I)
_APPROVED_WORD = re.compile(r"^Godkjen(?:te|de)$", re.I)
_REJECTED_WORD = re.compile(r"^Forkast(?:et|a)$", re.I)
_BALLOT_ROWS = (("approved", re.compile(r"^Godkjen", re.I)), ("blank", re.compile(r"^Blanke", re.I)),
                ("doubtful", re.compile(r"^Tvils", re.I)), ("total", re.compile(r"^Total", re.I)))
_MARKED_WORD = re.compile(r"^Kryss i mann?tal", re.I)
_BALLOTS_WORD = re.compile(r"^(?:Ant\. sedler|Talet på setlar|Antall sedler)$", re.I)
_COUNTED_ROWS = (("ordinary", re.compile(r"^Ordinære", re.I)), ("special", re.compile(r"^Særskil", re.I)),
                 ("contingency", re.compile(r"^Beredskap", re.I)), ("other_municipality", re.compile(r"^(?:Fremmede|Framande)", re.I)),
                 ("early_count", re.compile(r"(?:minst fire|fire timar|Opptalt minst|Talt opp minst)", re.I)),
                 ("late_count", re.compile(r"etter kl\. ?17", re.I)), ("total", re.compile(r"^Totalt? (?:antall|tal)", re.I)))
_REASON = re.compile(r"§ ?\d+ ?- ?\d+ ?a? ?\(\d\) ?[a-g]\)?")
_SECTION_10_1A = re.compile(r"10 ?- ?1 ?a", re.I)
_B12_SUM = re.compile(r"^Sum forkast", re.I)
_B12_APPROVED = re.compile(r"^Godkjen\w+ f", re.I)
_B12_TOTAL = re.compile(r"^Totalt? (?:antall|tal) f", re.I)


def _column_stream(lines: Sequence[tuple[int, str]], sources: dict[int, str]) -> list[tuple[str | None, int, Token]]:
    """(column header seen last, page, value) for every one-number line: a column layout's cells in order."""
    out: list[tuple[str | None, int, Token]] = []
    header: str | None = None
    for page, text in lines:
        ocr = sources.get(page) != "text"
        if _APPROVED_WORD.match(text):
            header = "approved"
            continue
        if _REJECTED_WORD.match(text):
            header = "rejected"
            continue
        if _MARKED_WORD.match(text) and not _BALLOTS_WORD.search(text):
            header = "marked_in_register"
            continue
        if _BALLOTS_WORD.match(text):
            header = "ballots"
            continue
        value = _line_value(text, ocr)
        if value is not None:
            out.append((header, page, value))
    return out


def _cell(table: str, row: str, column: str, token, issues: list[str]) -> TableCell:
    if isinstance(token, _Unreadable):
        issues.append(f"unreadable: {table} {row} {column}: {token.text!r}")
        return TableCell(table, row, column, None)
    if token is DASH or token is None:
        return TableCell(table, row, column, None)
    return TableCell(table, row, column, int(token))


def _labelled_rows(lines: Sequence[tuple[int, str]], row_patterns, k: int, sources: dict[int, str],
                   check: Check | None = None) -> dict[str, tuple]:
    """Rows found by their label pattern, k numbers each (labels may wrap onto the next line)."""
    found: dict[str, tuple] = {}
    pending = ""
    for page, text in lines:
        ocr = sources.get(page) != "text"
        label, tokens = _tail_tokens(text, ocr)
        full = _clean(f"{pending} {label}")
        read = _read_numbers(tokens, k, check) if tokens else None
        if read:
            name = next((n for text_ in (label, full) for n, rx in row_patterns if rx.search(text_) and n not in found), None)
            if name:
                found[name] = tuple(read[0])
            pending = ""
        else:
            pending = full if label and len(full) < 200 else ""
    return found


def _b11(doc: _Doc, key: KeyFigures, issues: list[str]) -> list[TableCell]:
    """B1.1 advance votings received: 6 rows × (approved, rejected) and the total."""
    section = doc.section("B1.1")
    if section is None:
        return []
    table = "B1.1"
    names = [n for n, _ in _B11_ROWS]
    rows = _labelled_rows(section.lines, _B11_ROWS, 2, doc.page_source)
    cells: list[TableCell] = []
    if len(rows) == len(names):
        header = next((t for _, t in section.lines if _REJECTED_WORD.match(t.split(" ")[0]) or
                       re.search(r"(Forkast\w* Godkjen|Godkjen\w* Forkast)", t)), "")
        order = ("approved", "rejected") if re.search(r"Godkjen\w* Forkast", header) else ("rejected", "approved")
        for name in names:
            for column, token in zip(order, rows[name]):
                cells.append(_cell(table, name, column, token if token is not None else DASH, issues))
    else:
        stream = _column_stream(section.lines, doc.page_source)
        headed = [c for c in stream if c[0] in ("approved", "rejected")]
        if len(headed) >= 12:
            by_column: dict[str, list[Token]] = {"approved": [], "rejected": []}
            for column, _, token in headed:
                by_column[column].append(token)
            columns = {c: v[:6] for c, v in by_column.items()}
            extra = [t for c, v in by_column.items() for t in v[6:]]
        elif len(stream) >= 12:
            values = [t for _, _, t in stream]
            first, second = values[:6], values[6:12]
            # pdfium prints the approved column first; the key figure tells when it is the other way round
            approved_first = _int(first[5]) == key.advance_votings_approved or _int(second[5]) != key.advance_votings_approved
            columns = {"approved": first, "rejected": second} if approved_first else {"approved": second, "rejected": first}
            extra = values[12:]
        else:
            return []
        for column, tokens in columns.items():
            for name, token in zip(names, tokens):
                cells.append(_cell(table, name, column, token, issues))
        if extra:
            cells.append(_cell(table, "total", "count", extra[-1], issues))
        return cells
    total = next((t for _, t in section.lines if _B11_TOTAL.match(t)), None)
    if total:
        _, tokens = _tail_tokens(total, doc.page_source.get(section.lines[0][0]) != "text")
        read = _read_numbers(tokens, 1) if tokens else None
        if read:
            cells.append(_cell(table, "total", "count", read[0][0], issues))
    return cells


def _int(token) -> int | None:
    return int(token) if isinstance(token, str) else token if isinstance(token, int) else None


_OCR_PARAGRAPH = re.compile(r"(?:§|\$8?|&|8) ?10 ?- ?1 ?(?P<a>a)? ?\(1\) ?(?P<letter>[a-gå&])(?![\w])")


def _paragraph(label: str, exact: bool) -> str | None:
    """The legal ground in a B1.2 label: as printed on a text layer; on OCR'd text rebuilt from its parts
    (`$8 10-1 (1) å` is `§ 10-1 (1) a`)."""
    if exact:
        m = _REASON.search(label)
        return _clean(m.group(0)) if m else None
    m = _OCR_PARAGRAPH.search(label)
    if not m:
        return None
    letter = {"å": "a", "&": "e"}.get(m["letter"], m["letter"])
    return f"§ 10-1{m['a'] or ''} (1) {letter}"


def _b12(doc: _Doc, issues: list[str]) -> tuple[list[Rejection], list[TableCell]]:
    """B1.2 advance votings rejected per legal ground (domestic, abroad), with sum, approved and total."""
    section = doc.section("B1.2")
    if section is None:
        return [], []
    table = "B1.2"
    exact = doc.is_exact(section.pages)
    rows = _b12_rows(section.lines, doc.page_source, exact)
    rejections: list[Rejection] = []
    cells: list[TableCell] = []
    if any(reason for reason, _ in rows):
        for reason, values in rows:
            if reason.startswith("§") and len(values) == 2:
                rejections.append(Rejection(table, reason, _checked(table, reason, "domestic", values[0], issues),
                                            _checked(table, reason, "abroad", values[1], issues)))
            elif reason == "sum" and len(values) == 2:
                cells += [_cell(table, "sum", c, v, issues) for c, v in zip(("domestic", "abroad"), values)]
            elif reason in ("approved", "total") and len(values) == 1:
                cells.append(_cell(table, reason, "count", values[0], issues))
        return rejections, cells
    # a text layer lists the labels, then the domestic column, the abroad column, approved and total
    joined = " ".join(section.texts)
    reasons = [_clean(m.group(0)) for m in _REASON.finditer(joined)]
    stream = [t for _, _, t in _column_stream(section.lines, doc.page_source)]
    n = len(reasons) + 1
    if not reasons or len(stream) < 2 * n:
        issues.append(f"unreadable: {table}: {len(stream)} values for {len(reasons)} grounds")
        return [], []
    domestic, abroad, rest = stream[:n], stream[n:2 * n], stream[2 * n:]
    for reason, d, a in zip(reasons, domestic, abroad):
        rejections.append(Rejection(table, reason, _checked(table, reason, "domestic", d, issues),
                                    _checked(table, reason, "abroad", a, issues)))
    cells += [_cell(table, "sum", "domestic", domestic[-1], issues), _cell(table, "sum", "abroad", abroad[-1], issues)]
    for name, token in zip(("approved", "total"), rest):
        cells.append(_cell(table, name, "count", token, issues))
    return rejections, cells


def _b12_rows(lines: Sequence[tuple[int, str]], sources: dict[int, str], exact: bool) -> list[tuple[str, list]]:
    """B1.2 printed a row per line: (ground or sum/approved/total, values). A label may wrap either way
    around the line with the numbers (`… fastslå hvem 0 0` / `velgeren er § 10-1 (1) b`)."""
    rows: list[list] = []       # [label, values]
    pending: list[str] = []
    for page, text in lines:
        ocr = sources.get(page) != "text"
        label, tokens = _tail_tokens(text, ocr)
        read = None
        if tokens and label:
            read = _read_numbers(tokens, 2) or _read_numbers(tokens, 1)
        if read:
            rows.append([_clean(" ".join(pending + [label])), list(read[0])])
            pending = []
        elif label and not tokens:
            if rows and not pending and not _paragraph(rows[-1][0], exact) and _paragraph(text, exact) \
                    and not (_B12_SUM.match(rows[-1][0]) or _B12_APPROVED.match(rows[-1][0]) or _B12_TOTAL.match(rows[-1][0])):
                rows[-1][0] = _clean(f"{rows[-1][0]} {text}")
            else:
                pending.append(text)
    out: list[tuple[str, list]] = []
    for label, values in rows:
        name = _paragraph(label, exact) or ("sum" if _B12_SUM.match(label) else "approved" if _B12_APPROVED.match(label)
                                           else "total" if _B12_TOTAL.match(label) else None)
        if name:
            out.append((name, values))
    return out


def _checked(table: str, row: str, column: str, token, issues: list[str]) -> int | None:
    """A single value (None for a dash or digits not read, with an issue)."""
    return _cell(table, row, column, token, issues).value


def _ballot_table(doc: _Doc, code: str, issues: list[str]) -> list[TableCell]:
    """B2.1.1-style: rows approved/blank/doubtful/total × (marked in register, ballots); marks are dashes but the total."""
    section = doc.section(code)
    if section is None or not section.lines:
        return []
    names = [n for n, _ in _BALLOT_ROWS]
    rows = _labelled_rows(section.lines, _BALLOT_ROWS, 2, doc.page_source)
    cells: list[TableCell] = []
    if len(rows) == 4:
        for name in names:
            for column, token in zip(("marked_in_register", "ballots"), rows[name]):
                cells.append(_cell(code, name, column, DASH if token is None else token, issues))
        return cells
    stream = _column_stream(section.lines, doc.page_source)
    headed = [c for c in stream if c[0] in ("marked_in_register", "ballots")]
    if headed and any(c[0] == "ballots" for c in headed):
        marked = [t for c, _, t in headed if c == "marked_in_register"]
        ballots = [t for c, _, t in headed if c == "ballots"]
        marked = [DASH] * (4 - len(marked)) + marked if len(marked) <= 4 else marked[-4:]
    elif len(stream) == 8:
        values = [t for _, _, t in stream]
        marked, ballots = values[:4], values[4:]
    else:
        return []
    if len(ballots) != 4:
        issues.append(f"unreadable: {code}: {len(ballots)} ballot values for 4 rows")
        return []
    for name, m, b in zip(names, marked, ballots):
        cells += [_cell(code, name, "marked_in_register", m, issues), _cell(code, name, "ballots", b, issues)]
    return cells


_LEADING_NUMBERS = re.compile(r"^(?P<numbers>\d[\d ]*?) (?P<label>[A-ZÆØÅ].*)$")


def _unwrap_rows(lines: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """pdfium can print a wrapped row's last numbers before its label (`2 1 321 Opptalt … valglokalet` then
    `stenger 1 312 7`): put them back at the end (`Opptalt … valglokalet stenger 1 312 7 2 1 321`)."""
    out: list[tuple[int, str]] = []
    carried: tuple[str, str] | None = None
    for page, text in lines:
        if carried:
            out.append((page, f"{carried[0]} {text} {carried[1]}"))
            carried = None
        elif m := _LEADING_NUMBERS.match(text):
            carried = (m["label"], m["numbers"])
        else:
            out.append((page, text))
    return out


def _counted_table(doc: _Doc, code: str, issues: list[str]) -> list[TableCell]:
    """D1.1/D2.1: rows × (approved, blank, rejected, total), each row checked approved+blank+rejected = total."""
    section = doc.section(code)
    if section is None:
        return []
    rows = _labelled_rows(_unwrap_rows(section.lines), _COUNTED_ROWS, 4, doc.page_source, _sum_check)
    cells: list[TableCell] = []
    for name, values in rows.items():
        for column, token in zip(("approved", "blank", "rejected", "total"), values):
            cells.append(_cell(code, name, column, DASH if token is None else token, issues))
    return cells


# ---------------------------------------------------------------------------------------------------
# Seats, council size, elected
# ---------------------------------------------------------------------------------------------------

_COUNCIL_SIZE = re.compile(r"kst\.? ?repr\.?\s*=?\s*[\d ]*?\d\s*x\s*(?P<size>\d{1,3})\b", re.I)
_MANDATE_LIST = re.compile(r"^(?:Mandatene ble fordelt|Mandata vart fordelte)", re.I)
_MANDATE_ROW = re.compile(r"^(?P<nr>\d{1,3}) (?P<party>.+?) (?P<quotient>\d{1,3}(?: \d{3})*,\d+)$")
_LIST_NAME = re.compile(r"^(?:Valglistens navn|Namn på vallista|Namnet på vallista) ?: ?(?P<party>.+)$", re.I)
_ELECTED_ROW = re.compile(r"^(?P<nr>\d{1,3}) (?P<name>.+?) ?(?P<mark>\*{1,2})? (?P<year>(?:18|19|20)\d{2})$")
_VOTES_ROW = re.compile(rf"^(?P<nr>\d{{1,3}}) (?P<name>.+?) ?(?P<mark>\*{{1,2}})? (?P<bonus>{_DECIMAL}) (?P<personal>{_DECIMAL}) "
                        rf"(?P<cross>{_DECIMAL}) (?P<total>{_DECIMAL}) (?P<rank>\d{{1,3}})$")
_CANDIDATE_HEADER = re.compile(r"^(?:Nr\.|Antall stemmesedler|Talet på stemmesetlar|Stemmetillegg på|Antall rettede)", re.I)


def _seats(doc: _Doc, issues: list[str]) -> tuple[list[Seats], list[TableTotal], set[int]]:
    """Table "Representantfordeling" (after the key figures): party rows and the stated sum."""
    lines = doc.lines
    start = next((i for i, (_, t) in enumerate(lines) if _SEATS_HEADING.match(t)), None)
    if start is None:
        return [], [], set()
    block: list[tuple[int, str]] = []
    for page, text in lines[start + 1:]:
        if _heading(text, doc.page_source.get(page) != "text") or page != lines[start][0]:
            break
        block.append((page, text))
        if _TOTAL_ROW.match(text) and _HAS_DIGIT.search(text):
            break
    if block and not any(_TOTAL_ROW.match(t) and _HAS_DIGIT.search(t) for _, t in block):
        # a column layout: the Sum label comes before the numbers, so read on to the end of the page
        tail = [(p, t) for p, t in lines[start + 1 + len(block):] if p == lines[start][0]]
        block += [(p, t) for p, t in tail if not _heading(t, True)][:40]
    seats: list[Seats] = []
    totals: list[TableTotal] = []
    for row in _rows(block, 1, doc.page_source):
        value = row.values[0]
        if isinstance(value, _Unreadable) or value is None:
            issues.append(f"unreadable: seats {row.label}: {getattr(value, 'text', value)!r}")
            continue
        if _TOTAL_ROW.match(row.label):
            totals.append(TableTotal("seats", "seats", value))
            break
        seats.append(Seats(row.label, party_code(row.label), value))
    return seats, totals, {p for p, _ in block}


def _mandate_list(doc: _Doc) -> list[tuple[int, str]]:
    """E1 "Mandatene ble fordelt som følger": (seat number, party) in the order they were won."""
    rows: list[tuple[int, str]] = []
    started = False
    for page, text in doc.lines:
        if _MANDATE_LIST.match(text):
            started = True
            continue
        if not started:
            continue
        if m := _MANDATE_ROW.match(text):
            rows.append((int(m["nr"]), m["party"]))
        elif _heading(text, doc.page_source.get(page) != "text"):
            break
    return rows


def _seat_party(written: str, seats: Sequence[Seats]) -> str:
    """The seat table's party for a name in the E1 mandate list, which clips long names (`… Høyre` for `… Høyre og Venstre`)."""
    code = party_code(written)
    for seat in seats:
        if seat.party == written or (code and seat.party_code == code):
            return seat.party_code or seat.party
    clipped = [seat for seat in seats if seat.party.startswith(written)]
    if len(clipped) == 1:
        return clipped[0].party_code or clipped[0].party
    return code or written


def _council_size(doc: _Doc, mandates: list[tuple[int, str]], seat_totals: list[TableTotal]) -> tuple[int | None, str]:
    """As the protocol states it: `antall kst.repr.= 1061 x 25`, else the last seat of E1, else the seats' Sum."""
    stated = Counter(int(m["size"]) for _, t in doc.lines if (m := _COUNCIL_SIZE.search(t)))
    if stated:
        return stated.most_common(1)[0][0], "E1.1 antall kst.repr."
    if mandates:
        return max(n for n, _ in mandates), "E1 mandate list"
    if seat_totals and seat_totals[0].value:
        return seat_totals[0].value, "Representantfordeling Sum"
    return None, ""


def _given_name_first(name: str) -> str:
    """The template prints board members surname first (`Thue Kamilla`); people write `Kamilla Thue`."""
    words = name.split()
    if len(words) < 2:
        return _person_case(name)
    return _person_case(" ".join(words[1:] + words[:1]))


def _person_case(name: str) -> str:
    """All-caps names (`SELNES LISE`) as people write them; mixed case is kept as written."""
    if name.upper() != name:
        return name
    return "-".join(part.capitalize() for part in name.lower().split("-")).title() if name else name


def _elected(doc: _Doc, issues: list[str]) -> list[Elected]:
    """E2.2: every candidate of every list, starred rows elected (`**` representative, `*` alternate), the rest
    `candidate`; personal votes from E2.1."""
    section = doc.section("E2.2")
    if section is None:
        return []
    votes = _personal_votes(doc)
    elected: list[Elected] = []
    party: str | None = None
    pending = ""
    for _page, text in section.lines:
        if m := _LIST_NAME.match(text):
            party, pending = _clean(m["party"]), ""
            continue
        if _CANDIDATE_HEADER.match(text):
            continue
        candidate = _join_wrapped([pending, text]) if pending else text
        if m := _ELECTED_ROW.match(candidate):
            pending = ""
            if party is None:
                continue
            rank, name = int(m["nr"]), _join_wrapped([m["name"]])
            personal = votes.get((party, rank))
            if personal is not None and _name_key(personal[0]) != _name_key(name):
                personal = None
            role = {"**": "representative", "*": "alternate"}.get(m["mark"] or "", "candidate")
            elected.append(Elected(party_code(party), party, rank, name, int(m["year"]), role,
                                   personal[1] if personal else None))
        elif re.match(r"^\d{1,3} \D", text) or pending:
            pending = candidate if len(candidate) < 120 else ""
    return elected


def _join_wrapped(lines: Sequence[str]) -> str:
    """A row wrapped over lines, joined; a name broken after its hyphen (`Strøm-` / `Andresen`) is one word."""
    return _WRAPPED_HYPHEN.sub("-", _clean(" ".join(lines)))


_WRAPPED_HYPHEN = re.compile(r"(?<=\w)- (?=\w)")


def _name_key(name: str) -> str:
    """A name to compare E2.1 with E2.2: a wrapped line there loses the hyphen (`StrømAndresen`)."""
    return re.sub(r"[\s-]", "", name).casefold()


def _personal_votes(doc: _Doc) -> dict[tuple[str, int], tuple[str, int]]:
    """E2.1 rows by (list, new ranking) → (name, personal votes); rows may wrap over three lines."""
    section = doc.section("E2.1")
    if section is None:
        return {}
    out: dict[tuple[str, int], tuple[str, int]] = {}
    party: str | None = None
    buffer: list[str] = []
    for _, text in section.lines:
        if m := _LIST_NAME.match(text):
            party, buffer = _clean(m["party"]), []
            continue
        if _CANDIDATE_HEADER.match(text):
            buffer = []
            continue
        buffer.append(text)
        m = _VOTES_ROW.match(_join_wrapped(buffer))
        if m and party:
            personal = float(m["personal"].replace(" ", "").replace(",", "."))
            out[(party, int(m["rank"]))] = (_clean(m["name"]), round(personal))
            buffer = []
        elif len(buffer) >= 3:
            buffer = buffer[-2:]
    return out


# ---------------------------------------------------------------------------------------------------
# Board, remarks
# ---------------------------------------------------------------------------------------------------

_ROLES = {"leder": "chair", "leiar": "chair", "nestleder": "deputy_chair", "nestleiar": "deputy_chair",
          "medlem": "member", "varamedlem": "deputy_member", "sekretær": "secretary"}
_BOARD_ROW = re.compile(r"^(?P<name>[A-ZÆØÅ][\w'’.-]*(?: [\w'’.-]+){0,5}) (?P<role>Leder|Leiar|Nestleder|Nestleiar|Medlem|Varamedlem)\b", re.I)
_SECRETARY = re.compile(r"^Sekretær ?: ?(?P<name>\S.*)?$", re.I)
_BOARD_SKIP = re.compile(r"^(?:Medlem(?:mer|er) \(|Navn|Namn|Funksjon|Sekretær)", re.I)


def _board(doc: _Doc, kind: str) -> list[tuple[str, str]]:
    """A1 Valgstyret (A2 in a polling-station book): `Surname Given Role` rows, and the secretary; a scan's
    own layer may list all names and then all roles."""
    code = "A2" if kind == "stemmestyret" else "A1"
    section = doc.section(code)
    if section is None:
        return []
    board: list[tuple[str, str]] = []
    names: list[str] = []
    roles: list[str] = []
    secretary = None
    for _, text in section.lines:
        if m := _SECRETARY.match(text):
            secretary = m["name"]
            continue
        if _BOARD_SKIP.match(text):
            continue
        if m := _BOARD_ROW.match(text):
            board.append((_given_name_first(m["name"]), _ROLES[m["role"].lower()]))
        elif text.lower() in _ROLES:
            roles.append(_ROLES[text.lower()])
        elif re.fullmatch(r"[A-ZÆØÅ][\w'’.-]+(?: [A-ZÆØÅ][\w'’.-]+){1,5}", text):
            names.append(text)
    if not board and names and len(names) == len(roles):
        board = [(_given_name_first(n), r) for n, r in zip(names, roles)]
    if secretary and _clean(secretary):
        board.append((_given_name_first(_clean(secretary)), "secretary"))
    return board


_INSTRUCTION = re.compile(r"^\((?:Årsak|Arsak)\b")


def _remarks(doc: _Doc) -> list[Remark]:
    """Sections titled Merknad: the free text, without the template's printed instruction in brackets."""
    remarks: list[Remark] = []
    for section in doc.sections.values():
        if not re.match(r"^Merknad", section.title, re.I):
            continue
        texts: list[str] = []
        in_instruction = False
        for _, text in section.lines:
            if _INSTRUCTION.match(text):
                in_instruction = not text.endswith(")")
                continue
            if in_instruction:
                in_instruction = not text.endswith(")")
                continue
            texts.append(text)
        if texts:
            remarks.append(Remark(section.code, "\n".join(texts)))
    return remarks


# ---------------------------------------------------------------------------------------------------
# Stemmestyret and reports
# ---------------------------------------------------------------------------------------------------

_ELECTION_BLOCK = re.compile(r"^(?P<election>Kommunestyreval(?:g)?et|Fylkestingsval(?:g)?et|Stortingsval(?:g)?et|Sametingsval(?:g)?et)"
                             r"(?: \d{4})?$")


def _polling_station_counts(doc: _Doc, issues: list[str]) -> tuple[list[PartyCount], list[TableTotal]]:
    """Stemmestyret C2: one party list per election (`Fylkestingsvalget` / `Kommunestyrevalget`)."""
    section = doc.section("C2")
    if section is None:
        return [], []
    counts: list[PartyCount] = []
    totals: list[TableTotal] = []
    block: list[tuple[int, str]] = []
    name: str | None = None

    def flush():
        if name and block:
            c, t, _ = _party_table(doc, "C2", ("preliminary",), issues, table=f"C2 {name}", lines=block)
            counts.extend(c)
            totals.extend(t)

    for page, text in section.lines:
        if m := _ELECTION_BLOCK.match(text):
            flush()
            name, block = m["election"], []
            continue
        block.append((page, text))
    flush()
    return counts, totals


_C1_ROWS = (("approved", re.compile(r"^Godkjen", re.I)), ("blank", re.compile(r"^Blanke", re.I)),
            ("doubtful", re.compile(r"^Tvils", re.I)), ("total", re.compile(r"^Total", re.I)))
_C1_COLUMNS = re.compile(r"^(?P<first>Fylkesting|Kommunestyre|Storting|Sameting)\w* (?P<second>Fylkesting|Kommunestyre|Storting|Sameting)\w*\b")
_MARKED_TOTAL = re.compile(r"^Søndag Mandag Total$|^Sundag Måndag Total$", re.I)


def _polling_station_ballots(doc: _Doc, counts: Sequence[PartyCount], issues: list[str]) -> tuple[list[TableCell], int | None]:
    """Stemmestyret C1: ballots in the urn per election (rows as the template prints them) and the register marks.

    The value columns come in the text layer in the other order than the header line names them (checked
    against the per-election sums in C2 wherever the book has C2); C2, when present, decides.
    """
    section = doc.section("C1")
    if section is None:
        return [], None
    rows = [name for name, rx in _C1_ROWS if any(rx.match(t) for t in section.texts)]
    header = next((m for t in section.texts if (m := _C1_COLUMNS.match(t))), None)
    if not header or "approved" not in rows:
        return [], None
    names = {"Fylkesting": "Fylkestingsvalget", "Kommunestyre": "Kommunestyrevalget", "Storting": "Stortingsvalget",
             "Sameting": "Sametingsvalget"}
    printed = [names[header["first"]], names[header["second"]]]
    by_row, marked = _c1_rows(section.lines, doc.page_source)
    if len(by_row) == len(rows):
        # a row per line (OCR of the page): the columns in the order the header prints them
        columns, first, second = printed, [by_row[r][0] for r in rows], [by_row[r][1] for r in rows]
    else:
        values, marked = _c1_column_layout(section.lines, doc.page_source)
        if len(values) != 2 * len(rows):
            issues.append(f"unreadable: C1: {len(values)} values for {len(rows)} rows in two columns")
            return [], marked
        # a text layer gives each column's values in turn, the header's second column first
        columns, first, second = printed[::-1], values[:len(rows)], values[len(rows):]
    sums = {t.table[3:]: t.value for t in _c2_sums(counts)}
    at = rows.index("approved")
    if all(c in sums for c in columns) and _int(first[at]) == sums[columns[1]] and _int(second[at]) == sums[columns[0]]:
        columns = columns[::-1]
    cells = []
    for column, tokens in zip(columns, (first, second)):
        for row, token in zip(rows, tokens):
            cells.append(_cell(f"C1 {column}", row, "ballots", token, issues))
    return cells, marked


def _c1_rows(lines: Sequence[tuple[int, str]], sources: dict[int, str]) -> tuple[dict[str, list], int | None]:
    """C1 printed a row per line: `Godkjente stemmesedler 1 294 1322 — — —` (two elections, then the marks
    Sunday, Monday, total, which stand on the first or the last row)."""
    found: dict[str, list] = {}
    marked = None
    for page, text in lines:
        ocr = sources.get(page) != "text"
        label, tokens = _tail_tokens(text, ocr)
        name = next((n for n, rx in _C1_ROWS if rx.match(label)), None) if label else None
        if not name or name in found or not tokens:
            continue
        read = _read_numbers(tokens, 5) or _read_numbers(tokens, 2)
        if read:
            found[name] = read[0][:2]
            if len(read[0]) == 5 and isinstance(read[0][4], int):
                marked = marked or read[0][4]
    return found, marked


def _c1_column_layout(lines: Sequence[tuple[int, str]], sources: dict[int, str]) -> tuple[list[Token], int | None]:
    """C1 as a text layer gives it: the labels, each column's values one per line, then the register marks."""
    values: list[Token] = []
    marked = None
    after_marks = False
    for page, text in lines:
        ocr = sources.get(page) != "text"
        if _MARKED_TOTAL.match(text):
            after_marks = True
            continue
        if after_marks:
            _, tokens = _tail_tokens(text, ocr)
            numbers = [int(t) for t in tokens if isinstance(t, str)]
            if marked is None and numbers and ((len(numbers) == 3 and numbers[0] + numbers[1] == numbers[2]) or
                                               (len(numbers) == 2 and numbers[0] == numbers[1]) or len(numbers) == 1):
                marked = numbers[-1]
            continue
        if (value := _line_value(text, ocr)) is not None:
            values.append(value)
    return values, marked


def _c2_sums(counts: Sequence[PartyCount]) -> list[TableTotal]:
    """Per-election sums of the C2 party lists as computed from the rows (used only to order C1's columns)."""
    sums: Counter = Counter()
    for c in counts:
        if c.table.startswith("C2 ") and c.preliminary is not None:
            sums[c.table] += c.preliminary
    return [TableTotal(table, "preliminary", value) for table, value in sums.items()]


_KRETS_REPORT_TOTAL = re.compile(r"^(?:Subtotal)\b")


def _district_report_counts(doc: _Doc, issues: list[str]) -> tuple[list[PartyCount], list[TableTotal]]:
    """Kretsrapport: per polling district, party rows `name count percent` and a Subtotal."""
    counts: list[PartyCount] = []
    totals: list[TableTotal] = []
    district: str | None = None
    naming = False
    for _page, text in doc.lines:
        if text.startswith(("Valglistens navn", "Namn på vallista")):      # the next line names the district
            naming = True
            continue
        if naming:
            district, naming = text, False
            continue
        if district is None:
            continue
        m = re.match(r"^(?P<party>\D+?) (?P<count>\d{1,3}(?: \d{3})*) (?P<pct>\d{1,3},\d{2})$", text)
        if not m:
            continue
        table = f"Kretsrapport {district}"
        if _KRETS_REPORT_TOTAL.match(m["party"]):
            totals.append(TableTotal(table, "preliminary", int(m["count"].replace(" ", ""))))
            continue
        counts.append(PartyCount(table, m["party"], party_code(m["party"]), int(m["count"].replace(" ", "")), None, None))
    return counts, totals


def _ranking_report_counts(doc: _Doc) -> list[PartyCount]:
    """Ny kandidatrangering: each list's ballots (`Valglistens navn: X` / `Antall stemmesedler: 682`)."""
    counts: list[PartyCount] = []
    party: str | None = None
    for _, text in doc.lines:
        if m := _LIST_NAME.match(text):
            party = _clean(m["party"])
        elif party and (m := re.match(r"^(?:Antall stemmesedler|Talet på stemmesetlar) ?: ?(?P<n>\d[\d ]*)$", text)):
            counts.append(PartyCount("Kandidatrangering", party, party_code(party), None, int(m["n"].replace(" ", "")), None))
            party = None
    return counts


def _turnout_report(doc: _Doc) -> KeyFigures:
    """Valgdeltakelse: the last `Total` row (eligible, advance votings, %, election-day votings, %, % total)."""
    rows = [t for _, t in doc.lines if re.match(r"^Total \d", t)]
    if not rows:
        return KeyFigures()
    m = re.match(r"^Total (?P<eligible>\d+) (?P<advance>\d+) [\d,]+% (?P<day>\d+) [\d,]+% (?P<total>\d{1,3},\d{2})%$", rows[-1])
    if not m:
        return KeyFigures()
    return KeyFigures(eligible_voters=int(m["eligible"]), turnout_percent=float(m["total"].replace(",", ".")),
                      advance_votings_approved=int(m["advance"]), election_day_votings_approved=int(m["day"]))


# ---------------------------------------------------------------------------------------------------
# The protocol
# ---------------------------------------------------------------------------------------------------

def extract_elections(pages: tuple[Page, ...]) -> tuple[ElectionProtocol, ...]:
    """Every protocol in `pages` (a bundle may hold the minutes, the municipal and the county protocol)."""
    if not detect_election(pages):
        return ()
    found = (_extract_part(part) for part in protocol_parts(pages))
    return tuple(p for p in found if p is not None)


def extract_election(pages: tuple[Page, ...]) -> ElectionProtocol | None:
    """The election protocol in `pages` (the first, in a bundle), or None when they are not one of the
    election system's documents."""
    protocols = extract_elections(pages)
    return protocols[0] if protocols else None


@dataclass
class _Reading:
    """What the table readers found in one protocol, gathered before it becomes an ElectionProtocol."""

    issues: list[str] = field(default_factory=list)
    pages: dict[str, set[int]] = field(default_factory=dict)     # table → the pages it was read from
    key: KeyFigures = field(default_factory=KeyFigures)
    counts: list[PartyCount] = field(default_factory=list)
    totals: list[TableTotal] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    seats: list[Seats] = field(default_factory=list)
    elected: list[Elected] = field(default_factory=list)
    council_size: int | None = None
    notes: list[str] = field(default_factory=list)

    def guarded(self, table: str, read: Callable[[], object], empty: object) -> object:
        """A table whose layout this reader has not met costs that table (an issue), not the protocol."""
        try:
            return read()
        except Exception as exc:  # noqa: BLE001 - recorded as an issue, never raised
            self.issues.append(f"unreadable: {table}: the reader failed ({type(exc).__name__}: {exc})")
            return empty

    def seen(self, table: str, section: _Section | None) -> None:
        if section is not None:
            self.pages.setdefault(table, section.pages)


def _read_valgstyret(doc: _Doc, r: _Reading) -> None:
    issues = r.issues
    r.key, r.pages["key_figures"] = r.guarded("key_figures", lambda: _key_figures(doc, issues), (KeyFigures(), set()))
    for code, columns in _PARTY_TABLES:
        c, t, p = r.guarded(code, lambda: _party_table(doc, code, columns, issues, notes=r.notes), ([], [], set()))
        if c or t:
            r.counts += c
            r.totals += t
            r.pages[code] = p
    r.rejections, b12 = r.guarded("B1.2", lambda: _b12(doc, issues), ([], []))
    r.cells += r.guarded("B1.1", lambda: _b11(doc, r.key, issues), []) + b12
    for code in ("B2.1.1", "B2.2.1", "C2.1", "C4.1", "C4.4", "C4.7"):
        r.cells += r.guarded(code, lambda: _ballot_table(doc, code, issues), [])
    for code in ("D1.1", "D2.1"):
        r.cells += r.guarded(code, lambda: _counted_table(doc, code, issues), [])
    for table in dict.fromkeys(c.table for c in r.cells):
        r.seen(table, doc.section(table))
    if r.rejections:
        r.seen("B1.2", doc.section("B1.2"))
    r.seats, seat_totals, seat_pages = r.guarded("seats", lambda: _seats(doc, issues), ([], [], set()))
    if r.seats or seat_totals:
        r.totals += seat_totals
        r.pages["seats"] = seat_pages
    mandates = r.guarded("E1", lambda: _mandate_list(doc), [])
    r.council_size, how = _council_size(doc, mandates, seat_totals)
    if how:
        r.notes.append(f"council size from {how}")
    won = Counter(_seat_party(p, r.seats) for _, p in mandates)
    r.totals += [TableTotal(f"E1 {party}", "seats", n) for party, n in sorted(won.items())]
    r.elected = r.guarded("E2.2", lambda: _elected(doc, issues), [])
    if r.elected:
        r.seen("E2.2", doc.section("E2.2"))


def _read_polling_station(doc: _Doc, r: _Reading) -> None:
    r.counts, r.totals = r.guarded("C2", lambda: _polling_station_counts(doc, r.issues), ([], []))
    if r.counts:
        r.seen("C2", doc.section("C2"))
    r.cells, marked = r.guarded("C1", lambda: _polling_station_ballots(doc, r.counts, r.issues), ([], None))
    if r.cells:
        r.seen("C1", doc.section("C1"))
    r.key = KeyFigures(marked_in_register=marked)


def _read_report(doc: _Doc, r: _Reading) -> None:
    r.counts, r.totals = r.guarded("Kretsrapport", lambda: _district_report_counts(doc, r.issues), ([], []))
    r.counts += r.guarded("Kandidatrangering", lambda: _ranking_report_counts(doc), [])
    if any(re.match(r"^(?:Valgdeltakelse|Valdeltaking)$", t) for _, t in doc.lines[:8]):
        r.key = r.guarded("key_figures", lambda: _turnout_report(doc), KeyFigures())


def _extract_part(pages: tuple[Page, ...]) -> ElectionProtocol | None:
    detection = detect_election(pages)
    if not detection:
        return None
    doc = _build_doc(pages)
    kind = detection.kind or "valgstyret"
    text = "\n".join(t for _, t in doc.lines)
    election, year, combined = _election(doc, kind)
    area, county, district = _area(doc, kind)
    r = _Reading()
    if combined:
        r.notes.append("covers kommunestyrevalg and fylkestingsvalg; counts per election in the table names")
    {"stemmestyret": _read_polling_station, "report": _read_report}.get(kind, _read_valgstyret)(doc, r)
    sources = set(doc.page_source.values())
    protocol = ElectionProtocol(
        election=election or "kommunestyrevalg", year=year, kind=kind, language=_language(text),
        document_date=doc.stamps[0] if doc.stamps else None, area_name=area,
        board=tuple(r.guarded("board", lambda: _board(doc, kind), [])) if kind != "report" else (),
        key_figures=r.key, counts=tuple(r.counts), rejections=tuple(r.rejections), seats=tuple(r.seats),
        elected=tuple(e for e in r.elected if e.role != "candidate"),
        candidates=tuple(e for e in r.elected if e.role == "candidate"), remarks=tuple(r.guarded("remarks", lambda: _remarks(doc), [])),
        council_size=r.council_size, confidence={}, issues=(), county=county, district=district,
        totals=tuple(r.totals), cells=tuple(r.cells),
        source="text" if sources == {"text"} else "ocr" if "text" not in sources else "mixed",
        pages=len(pages), notes=tuple(r.notes))
    issues = list(dict.fromkeys(r.issues + list(reconcile(protocol))))
    return replace(protocol, issues=tuple(issues), confidence=_confidence(doc, r.pages, issues))


def _issue_table(issue: str) -> str:
    """The table an issue is about: its first word (`D2.4 final: …`, `unreadable: B1.2 …`, `key figures: …`)."""
    words = issue.removeprefix("unreadable: ").split(" ")
    if words[0] == "key":
        return "key_figures"
    return words[0].rstrip(":")


def _confidence(doc: _Doc, table_pages: dict[str, set[int]], issues: Sequence[str]) -> dict[str, float | None]:
    """Per table: None when read from a text layer; else the pages' OCR confidence (the lowest), halved when
    the table has a read problem (a value not read, or numbers that do not add up)."""
    troubled = {_issue_table(i) for i in issues if not i.startswith("deviation:")}
    out: dict[str, float | None] = {}
    for table, pages in table_pages.items():
        pages = {p for p in pages if p in doc.page_confidence}
        if not pages or doc.is_exact(pages):
            out[table] = None
            continue
        known = [doc.page_confidence[p] for p in pages if doc.page_confidence[p] is not None]
        base = min(known) if known else 0.5
        out[table] = round(base * (0.5 if table.split(" ")[0] in troubled else 1.0), 3)
    return out


# ---------------------------------------------------------------------------------------------------
# Reconciliation
# ---------------------------------------------------------------------------------------------------

def _fmt(n: int | float) -> str:
    return f"{n:,}".replace(",", " ")


def reconcile(protocol: ElectionProtocol, deviation_threshold: int = DEVIATION_THRESHOLD) -> tuple[str, ...]:
    """Warnings (never exceptions) where the protocol's numbers do not add up, plus the counting deviations.

    Read problems name the table and the difference; `deviation: …` lines are findings, not read problems:
    preliminary vs final differences at or above `deviation_threshold` (what journalists look for).
    """
    issues: list[str] = []
    issues += _check_party_sums(protocol)
    issues += _check_deviation_rows(protocol)
    issues += _check_seats(protocol)
    issues += _check_key_figures(protocol)
    issues += _check_cells(protocol)
    issues += _deviations(protocol, deviation_threshold)
    return tuple(issues)


def _check_party_sums(protocol: ElectionProtocol) -> list[str]:
    issues = []
    tables = dict.fromkeys(c.table for c in protocol.counts)
    for table in tables:
        rows = [c for c in protocol.counts if c.table == table]
        for total in (t for t in protocol.totals if t.table == table):
            values = [getattr(r, total.column) for r in rows]
            if total.value is None:
                issues.append(f"{table} {total.column}: the stated total was not read")
            elif any(v is None for v in values):
                missing = sum(v is None for v in values)
                issues.append(f"{table} {total.column}: {missing} party value(s) not read; sum not checked")
            elif sum(values) != total.value:
                issues.append(f"{table} {total.column}: parties sum to {_fmt(sum(values))}, the table states "
                              f"{_fmt(total.value)} (difference {sum(values) - total.value:+d})")
    return issues


def _check_deviation_rows(protocol: ElectionProtocol) -> list[str]:
    issues = []
    for c in protocol.counts:
        if None in (c.preliminary, c.final, c.deviation):
            continue
        if c.final - c.preliminary != c.deviation:
            issues.append(f"{c.table} {c.party}: final {c.final} − preliminary {c.preliminary} ≠ deviation {c.deviation}")
    return issues


def _check_seats(protocol: ElectionProtocol) -> list[str]:
    if not protocol.seats:
        return []
    issues = []
    total = sum(s.seats for s in protocol.seats)
    if protocol.council_size is not None and total != protocol.council_size:
        issues.append(f"seats: parties sum to {total}, the council size stated is {protocol.council_size} "
                      f"(difference {total - protocol.council_size:+d})")
    for stated in (t for t in protocol.totals if t.table == "seats"):
        if stated.value is not None and stated.value != total:
            issues.append(f"seats: parties sum to {total}, the table's Sum states {stated.value} (difference {total - stated.value:+d})")
    representatives = Counter(e.party_code or e.party for e in protocol.elected if e.role == "representative")
    if protocol.elected:
        for seat in protocol.seats:
            party = seat.party_code or seat.party
            if representatives.get(party, 0) != seat.seats:
                issues.append(f"E2.2: {seat.party} has {seat.seats} seats but E2.2 marks {representatives.get(party, 0)} "
                              "representatives (**)")
    won = {t.table[3:]: t.value for t in protocol.totals if t.table.startswith("E1 ")}
    if won:
        by_party = {s.party_code or s.party: s.seats for s in protocol.seats}
        for party in sorted(set(won) | set(by_party)):
            if won.get(party, 0) != by_party.get(party, 0):
                issues.append(f"E1: {party} has {by_party.get(party, 0)} seats in Representantfordeling but wins "
                              f"{won.get(party, 0)} in the E1 mandate list")
    return issues


def _check_key_figures(protocol: ElectionProtocol) -> list[str]:
    k = protocol.key_figures
    issues = []
    if protocol.kind not in ("valgstyret", "fylkesvalgstyret"):
        return issues
    missing = [name for name, value in vars(k).items() if value is None]
    if missing and len(missing) < len(vars(k)):
        issues.append("key figures: not read: " + ", ".join(missing))
    if None not in (k.marked_in_register, k.advance_votings_approved, k.election_day_votings_approved):
        approved = k.advance_votings_approved + k.election_day_votings_approved
        if approved != k.marked_in_register:
            issues.append(f"key figures: approved votings {_fmt(approved)} (advance + election day) ≠ marked in register "
                          f"{_fmt(k.marked_in_register)} (difference {approved - k.marked_in_register:+d})")
    counted = {(c.table, c.row, c.column): c.value for c in protocol.cells if c.table in ("D1.1", "D2.1") and c.row == "total"}
    parts = [counted.get((t, "total", col)) for t in ("D1.1", "D2.1") for col in ("approved", "blank")]
    if None not in parts and len(counted) == 8 and k.ballots_approved is not None and sum(parts) != k.ballots_approved:
        issues.append(f"key figures: approved ballots {_fmt(k.ballots_approved)} ≠ D1.1 + D2.1 approved and blank "
                      f"{_fmt(sum(parts))} (difference {k.ballots_approved - sum(parts):+d})")
    rejected = [counted.get((t, "total", "rejected")) for t in ("D1.1", "D2.1")]
    if None not in rejected and len(counted) == 8 and k.ballots_rejected is not None and sum(rejected) != k.ballots_rejected:
        issues.append(f"key figures: rejected ballots {_fmt(k.ballots_rejected)} ≠ D1.1 + D2.1 rejected {_fmt(sum(rejected))} "
                      f"(difference {k.ballots_rejected - sum(rejected):+d})")
    if None not in (k.marked_in_register, k.eligible_voters, k.turnout_percent) and k.eligible_voters:
        computed = 100 * k.marked_in_register / k.eligible_voters
        if abs(computed - k.turnout_percent) > 0.006:
            issues.append(f"key figures: turnout {k.turnout_percent:.2f} % ≠ marked/eligible {computed:.2f} %")
    return issues


def _check_cells(protocol: ElectionProtocol) -> list[str]:
    """approved + rejected = total in the fixed-layout tables."""
    issues = []
    grid: dict[str, dict[tuple[str, str], int | None]] = {}
    for c in protocol.cells:
        grid.setdefault(c.table, {})[(c.row, c.column)] = c.value
    for table, cells in grid.items():
        if table == "B1.1":
            for column in ("approved", "rejected"):
                parts = [cells.get((r, column)) for r, _ in _B11_ROWS[:-1]]
                stated = cells.get(("sum", column))
                if None not in parts and stated is not None and sum(parts) != stated:
                    issues.append(f"B1.1 {column}: rows sum to {_fmt(sum(parts))}, Sum states {_fmt(stated)} "
                                  f"(difference {sum(parts) - stated:+d})")
            a, r, t = cells.get(("sum", "approved")), cells.get(("sum", "rejected")), cells.get(("total", "count"))
            if None not in (a, r, t) and a + r != t:
                issues.append(f"B1.1: approved {_fmt(a)} + rejected {_fmt(r)} ≠ total {_fmt(t)} (difference {a + r - t:+d})")
        elif table == "B1.2":
            reasons = [x for x in protocol.rejections if x.table == "B1.2"]
            for column, attr in (("domestic", "domestic"), ("abroad", "abroad")):
                # the § 10-1a grounds (votings in the polling station) print their count in both columns, and
                # the abroad Sum leaves them out
                values = [getattr(x, attr) for x in reasons if attr == "domestic" or not _SECTION_10_1A.search(x.reason)]
                stated = cells.get(("sum", column))
                if values and None not in values and stated is not None and sum(values) != stated:
                    issues.append(f"B1.2 {column}: grounds sum to {sum(values)}, Sum states {stated} (difference {sum(values) - stated:+d})")
            d, a, ap, t = cells.get(("sum", "domestic")), cells.get(("sum", "abroad")), cells.get(("approved", "count")), cells.get(("total", "count"))
            if None not in (d, a, ap, t) and d + a + ap != t:
                issues.append(f"B1.2: rejected {d + a} + approved {_fmt(ap)} ≠ total {_fmt(t)} (difference {d + a + ap - t:+d})")
        elif table.startswith("C1 "):
            parts = [cells.get((r, "ballots")) for r in ("approved", "blank", "doubtful") if (r, "ballots") in cells]
            total = cells.get(("total", "ballots"))
            if None not in parts and total is not None and sum(parts) != total:
                issues.append(f"{table}: approved + blank + doubtful = {_fmt(sum(parts))} ≠ total {_fmt(total)} "
                              f"(difference {sum(parts) - total:+d})")
            listed = [c.preliminary for c in protocol.counts if c.table == "C2 " + table[3:]]
            approved = cells.get(("approved", "ballots"))
            if listed and None not in listed and approved is not None and sum(listed) != approved:
                issues.append(f"{table}: approved ballots {_fmt(approved)} ≠ C2 party lists {_fmt(sum(listed))} "
                              f"(difference {approved - sum(listed):+d})")
        elif any(col == "ballots" for _, col in cells):
            parts = [cells.get((r, "ballots")) for r in ("approved", "blank", "doubtful")]
            total = cells.get(("total", "ballots"))
            if None not in parts and total is not None and sum(parts) != total:
                issues.append(f"{table} ballots: approved + blank + doubtful = {_fmt(sum(parts))} ≠ total {_fmt(total)} "
                              f"(difference {sum(parts) - total:+d})")
        else:
            rows = {r for r, _ in cells}
            for row in rows:
                a, b, r, t = (cells.get((row, c)) for c in ("approved", "blank", "rejected", "total"))
                if None not in (a, b, r, t) and a + b + r != t:
                    issues.append(f"{table} {row}: approved + blank + rejected = {_fmt(a + b + r)} ≠ total {_fmt(t)} "
                                  f"(difference {a + b + r - t:+d})")
    return issues


def _deviations(protocol: ElectionProtocol, threshold: int) -> list[str]:
    out = []
    for c in protocol.counts:
        if c.preliminary is None or c.final is None:
            continue
        difference = c.final - c.preliminary
        if c.deviation is not None and abs(difference) >= threshold:
            out.append(f"deviation: {c.table} {c.party}: preliminary {_fmt(c.preliminary)}, final {_fmt(c.final)} ({difference:+d})")
    return out


def read_problems(protocol: ElectionProtocol, tables: Iterable[str] | None = None) -> tuple[str, ...]:
    """The issues that say a number did not add up or was not read (not the deviation findings), for all
    tables or only `tables` (`key_figures`, `seats`, `D1.4`, …)."""
    wanted = set(tables) if tables is not None else None
    return tuple(i for i in protocol.issues if not i.startswith("deviation:")
                 and (wanted is None or _issue_table(i) in wanted))


#: What a journalist reads first: the key figures, the counting control (D1.4/D2.4) and the seats; for a
#: polling-station book its ballot counts and party lists.
CORE_TABLES = ("key_figures", "D1.4", "D2.4", "seats", "C1", "C2")


def reconciles(protocol: ElectionProtocol, strict: bool = True) -> bool:
    """The core was read and adds up: key figures complete, D1.4 and D2.4 read (or a polling-station book's
    lists), and no read problem anywhere (`strict`) or in the core tables only (not `strict`)."""
    if read_problems(protocol, None if strict else CORE_TABLES):
        return False
    if protocol.kind in ("valgstyret", "fylkesvalgstyret"):
        tables = {c.table for c in protocol.counts}
        return None not in vars(protocol.key_figures).values() and {"D1.4", "D2.4"} <= tables
    return bool(protocol.counts or protocol.cells or any(v is not None for v in vars(protocol.key_figures).values()))
