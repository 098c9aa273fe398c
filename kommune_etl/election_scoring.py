"""Score a read election protocol against one answer key in the HNygard/valgprotokoller JSON format.

Key format (see the corpus README): `keyfigures_*` (section A's key figures, the turnout as "66,07 %"),
`numbers` (tables by their heading: B1.1 {Forkastet, Godkjente}, B1.2 {Innenriks, Utenriks}, B2.1.1 /
B2.2.1 / C2.1 {Kryss i manntall, Ant. sedler}, D2.1 {Godkjente, Blanke, Forkastet, Total}, D1.4 / D2.4
per party {Foreløpig, Endelig, Avvik}), `comments` (remarks) and `error` (the parser stopped early).

Every value the key has is a field, hit or missed. The key is a third party's reading and has known
faults; they are not scored but reported as `key_faults` with the reason:
- a row label that is two of the protocol's row labels glued together (`SentrumslistaRøst Samarbeidsliste`):
  the key's parser joined two layout rows and kept the second row's values, so the first row is lost;
- `error: true`: the parser stopped early; only what the key has is scored.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kommune_etl.transforms.structures.election_records import ElectionProtocol

_KEY_FIGURES = {
    "keyfigures_antallStemmeberettigede": "eligible_voters",
    "keyfigures_totaltAntallKryssIManntallet": "marked_in_register",
    "keyfigures_oppmøteprosent": "turnout_percent",
    "keyfigures_totaltAntallGodkjenteForhåndsstemmegivninger": "advance_votings_approved",
    "keyfigures_totaltAntallGodkjenteValgtingsstemmegivninger": "election_day_votings_approved",
    "keyfigures_totaltAntallForkastedeStemmegivninger": "votings_rejected",
    "keyfigures_totaltAntallGodkjenteStemmesedler": "ballots_approved",
    "keyfigures_totaltAntallForkastedeStemmesedler": "ballots_rejected",
}
_PARTY_COLUMNS = {"Foreløpig": "preliminary", "Endelig": "final", "Avvik": "deviation"}
_TOTAL_LABEL = re.compile(r"^Totalt antall partifordelte", re.I)
#: Key row labels (bokmål, as the key's parser writes them) → the reader's row ids, per table kind.
_B11_ROWS = ((r"1\. juli", "early"), (r"10\. august", "domestic"), (r"brevstemmer", "letters_abroad"),
             (r"øvrige", "other_abroad"), (r"beredskap", "contingency"), (r"^Sum ", "sum"), (r"^Totalt antall$", "total"))
_B11_COLUMNS = {"Godkjente": "approved", "Forkastet": "rejected"}
_B12_ROWS = ((r"^Sum forkast", "sum"), (r"^Godkjente", "approved"), (r"^Totalt antall", "total"))
_B12_COLUMNS = {"Innenriks": "domestic", "Utenriks": "abroad"}
_BALLOT_ROWS = ((r"^Godkjente$", "approved"), (r"^Blanke$", "blank"), (r"^Tvilsomme$", "doubtful"), (r"^Total", "total"))
_BALLOT_COLUMNS = {"Kryss i manntall": "marked_in_register", "Ant. sedler": "ballots"}
_COUNTED_ROWS = ((r"^Ordinære", "ordinary"), (r"^Særskilt", "special"), (r"^Beredskap", "contingency"),
                 (r"^Fremmede", "other_municipality"),
                 (r"^Total", "total"), (r"minst fire", "early_count"), (r"etter kl", "late_count"))
_COUNTED_COLUMNS = {"Godkjente": "approved", "Blanke": "blank", "Forkastet": "rejected", "Total": "total"}
_PARAGRAPH = re.compile(r"§ ?\d+ ?- ?\d+ ?a? ?\(\d\) ?[a-g]\)?")


@dataclass(frozen=True)
class FieldScore:
    group: str            # key_figures | D1.4 | D2.4 | B1.1 | B1.2 | B2.1.1 | B2.2.1 | C2.1 | D2.1
    field: str            # e.g. "D2.4/Høyre/final"
    expected: object
    got: object

    @property
    def hit(self) -> bool:
        return self.expected == self.got


@dataclass(frozen=True)
class KeyFault:
    """A key value that is not scored because the key is wrong, and why (with what the protocol prints)."""

    table: str
    key_row: str
    reason: str

    def __str__(self) -> str:
        return f"{self.table}: key row {self.key_row!r}: {self.reason}"


@dataclass(frozen=True)
class KeyScore:
    key: str
    fields: tuple[FieldScore, ...]
    key_faults: tuple[KeyFault, ...]  # values not scored because the key is wrong, with the reason

    @property
    def hits(self) -> int:
        return sum(f.hit for f in self.fields)

    @property
    def misses(self) -> tuple[FieldScore, ...]:
        return tuple(f for f in self.fields if not f.hit)

    @property
    def share(self) -> float:
        return self.hits / len(self.fields) if self.fields else 1.0

    def by_group(self) -> dict[str, tuple[int, int]]:
        """group → (hits, fields)."""
        totals: Counter = Counter()
        hits: Counter = Counter()
        for f in self.fields:
            totals[f.group] += 1
            hits[f.group] += f.hit
        return {g: (hits[g], totals[g]) for g in totals}


def _number(value) -> int | float | None:
    """A key value as the reader writes it: "—" is None, "66,07 %" is 66.07, ["Totalt … 1 055", "1 055"] is 1055."""
    if isinstance(value, list):
        value = value[-1]
    if isinstance(value, (int, float)) or value is None:
        return value
    text = str(value).strip()
    if text in {"—", "-", ""}:
        return None
    if text.endswith("%"):
        return float(text.rstrip(" %").replace(",", "."))
    return int(text.replace(" ", "").replace("\u00a0", ""))


def _norm(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip()


def _table_of(key_heading: str) -> str:
    return key_heading.split(" ", 1)[0]


def score_key_figures(protocol: ElectionProtocol, key: dict) -> list[FieldScore]:
    return [FieldScore("key_figures", name, _number(key[k]), getattr(protocol.key_figures, name))
            for k, name in _KEY_FIGURES.items() if k in key]


def _glued(label: str, ours: list[str]) -> tuple[str, str] | None:
    """(first, second) when the key's label is two consecutive protocol rows joined without a space."""
    for first, second in zip(ours, ours[1:]):
        if label == first + second:
            return first, second
    return None


def score_party_table(protocol: ElectionProtocol, table: str, rows: dict) -> tuple[list[FieldScore], list[KeyFault]]:
    """A D1.4/D2.4 key table: every party's (and the total row's) Foreløpig / Endelig / Avvik."""
    ours = {_norm(c.party): c for c in protocol.counts if c.table == table}
    order = [_norm(c.party) for c in protocol.counts if c.table == table]
    totals = {t.column: t.value for t in protocol.totals if t.table == table}
    fields: list[FieldScore] = []
    faults: list[KeyFault] = []
    for label, values in rows.items():
        label = _norm(label)
        if _TOTAL_LABEL.match(label):
            fields += [FieldScore(table, f"{table}/total/{col}", _number(v), totals.get(_PARTY_COLUMNS[k]))
                       for k, v in values.items() if (col := _PARTY_COLUMNS.get(k))]
            continue
        row = ours.get(label)
        if row is None and (glued := _glued(label, order)):
            first, second = glued
            lost = ours[first]
            faults.append(KeyFault(table, label, f"glues the protocol's rows {first!r} and {second!r} and keeps the second "
                                   f"row's values; the first is lost, the protocol prints: {first} {lost.preliminary} "
                                   f"{lost.final} {lost.deviation}"))
            row = ours[second]
            fields += [FieldScore(table, f"{table}/{second}/{col}", _number(v), getattr(row, col))
                       for k, v in values.items() if (col := _PARTY_COLUMNS.get(k))]
            continue
        fields += [FieldScore(table, f"{table}/{label}/{col}", _number(v), getattr(row, col) if row else "not read")
                   for k, v in values.items() if (col := _PARTY_COLUMNS.get(k))]
    return fields, faults


def _cells(protocol: ElectionProtocol, table: str) -> dict[tuple[str, str], int | None]:
    return {(c.row, c.column): c.value for c in protocol.cells if c.table == table}


def _row_id(label: str, patterns) -> str | None:
    return next((row for rx, row in patterns if re.search(rx, label, re.I)), None)


def score_cell_table(protocol: ElectionProtocol, heading: str, rows: dict) -> tuple[list[FieldScore], list[KeyFault]]:
    """B1.1, B1.2, B2.1.1, B2.2.1, C2.1/C4.1, D2.1: every cell the key has."""
    table = _table_of(heading)
    if table == "B1.1":
        patterns, columns = _B11_ROWS, _B11_COLUMNS
    elif table == "B1.2":
        patterns, columns = _B12_ROWS, _B12_COLUMNS
    elif table in ("D1.1", "D2.1"):
        patterns, columns = _COUNTED_ROWS, _COUNTED_COLUMNS
    else:
        patterns, columns = _BALLOT_ROWS, _BALLOT_COLUMNS
    cells = _cells(protocol, table)
    rejections = {re.sub(r"\s", "", r.reason): r for r in protocol.rejections if r.table == table}
    fields: list[FieldScore] = []
    faults: list[KeyFault] = []
    for label, values in rows.items():
        label = _norm(label)
        if table == "B1.2" and (m := _PARAGRAPH.search(label)):
            reason = re.sub(r"\s", "", m.group(0))
            got = rejections.get(reason)
            fields += [FieldScore(table, f"{table}/{m.group(0)}/{col}", _number(v), getattr(got, col) if got else "not read")
                       for k, v in values.items() if (col := columns.get(k))]
            continue
        row = _row_id(label, patterns)
        if row is None:
            split = _split_glued_label(label, [rx for rx, _ in patterns])
            if split:
                first, second = split
                lost = ", ".join(f"{key_column} {_printed(cells.get((_row_id(first, patterns), col)))}"
                                 for key_column, col in columns.items())
                faults.append(KeyFault(table, label, f"glues the rows {first!r} and {second!r} and keeps the second row's "
                                       f"values; the first is lost, the protocol prints: {first}: {lost}"))
                row = _row_id(second, patterns)
        if row is None:
            fields.append(FieldScore(table, f"{table}/{label}", "row not known to the scorer", None))
            continue
        if isinstance(values, dict):
            fields += [FieldScore(table, f"{table}/{row}/{col}", _number(v), cells.get((row, col), "not read"))
                       for k, v in values.items() if (col := columns.get(k))]
        else:
            fields.append(FieldScore(table, f"{table}/{row}/count", _number(values), cells.get((row, "count"), "not read")))
    return fields, faults


def _printed(value: int | None) -> str:
    return "—" if value is None else str(value)


def _split_glued_label(label: str, patterns: list[str]) -> tuple[str, str] | None:
    """`GodkjenteBlanke` → ("Godkjente", "Blanke") when both halves are row labels of the template."""
    for i in range(1, len(label)):
        first, second = label[:i], label[i:]
        if second[:1].isupper() and any(re.search(rx, first, re.I) for rx in patterns) and \
                any(re.search(rx, second, re.I) for rx in patterns):
            return first, second
    return None


def score(protocol: ElectionProtocol, key: dict, name: str = "") -> KeyScore:
    """Every key figure and every cell of every table the key has, against the protocol as read."""
    fields = score_key_figures(protocol, key)
    faults: list[KeyFault] = []
    if key.get("error"):
        message = " ".join(str(key.get("errorMessage", "the parser stopped early")).split())
        faults.append(KeyFault("*", "error", f"the key's parser stopped early ({message[:100]}); only what the key has is scored"))
    for heading, rows in (key.get("numbers") or {}).items():
        if not isinstance(rows, dict) or not rows:
            continue
        table = _table_of(heading)
        if table in ("D1.4", "D2.4"):
            f, k = score_party_table(protocol, table, rows)
        else:
            f, k = score_cell_table(protocol, heading, rows)
        fields += f
        faults += k
    return KeyScore(name, tuple(fields), tuple(faults))


# -------------------------------------------------------------------------------------------------
# Helpers for a CLI (the only I/O here: reading keys)
# -------------------------------------------------------------------------------------------------

def load_key(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_pairs(keys_dir: Path) -> list[tuple[str, str]]:
    """`keys/PAIRS.tsv`: (pdf file name, key file name) per line."""
    pairs = []
    for line in (Path(keys_dir) / "PAIRS.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pdf, key = line.split("\t")[:2]
            pairs.append((pdf.strip(), key.strip()))
    return pairs


def summarise(scores: list[KeyScore]) -> dict[str, dict[str, int | float]]:
    """Per group across keys: hits, fields and share; `all` for the lot."""
    totals: Counter = Counter()
    hits: Counter = Counter()
    for s in scores:
        for group, (h, n) in s.by_group().items():
            hits[group] += h
            totals[group] += n
            hits["all"] += h
            totals["all"] += n
    return {g: {"hits": hits[g], "fields": totals[g], "share": hits[g] / totals[g] if totals[g] else 1.0} for g in totals}


def format_score(s: KeyScore) -> str:
    """One line per key plus its misses and key faults, for a terminal."""
    lines = [f"{s.key}: {s.hits}/{len(s.fields)} ({100 * s.share:.1f} %)"]
    lines += [f"  miss {f.field}: key {f.expected!r}, read {f.got!r}" for f in s.misses]
    lines += [f"  key fault: {k}" for k in s.key_faults]
    return "\n".join(lines)
