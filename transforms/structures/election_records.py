"""Typed records for election protocols (valgprotokoll / valgstyrets møtebok / stemmestyrets møtebok).

Field names are the output contract. Numbers are integers; a dash printed in the protocol ("—") is
None, never 0. Names of elected candidates are given name first, as people write them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ELECTIONS = ("kommunestyrevalg", "fylkestingsvalg", "stortingsvalg", "sametingsvalg")
KINDS = ("valgstyret", "fylkesvalgstyret", "stemmestyret", "report")


@dataclass(frozen=True)
class KeyFigures:
    """Section "Nøkkeltall i valggjennomføringen" (nn: "Nøkkeltal i valgjennomføringa")."""

    eligible_voters: int | None = None
    marked_in_register: int | None = None
    turnout_percent: float | None = None
    advance_votings_approved: int | None = None
    election_day_votings_approved: int | None = None
    votings_rejected: int | None = None
    ballots_approved: int | None = None
    ballots_rejected: int | None = None


@dataclass(frozen=True)
class PartyCount:
    """One party's row in a per-party table (D1.4/D2.4 carry preliminary, final and deviation)."""

    table: str                     # section code as printed: "D1.4", "D2.4", "B2.1.2", "C2 Kommunestyrevalget" …
    party: str                     # as written
    party_code: str | None         # official code where the shipped list resolves it
    preliminary: int | None
    final: int | None
    deviation: int | None


@dataclass(frozen=True)
class TableTotal:
    """A total row as printed ("Totalt antall partifordelte stemmesedler", "Sum"), for reconciliation."""

    table: str
    column: str                    # preliminary | final | deviation | seats | count
    value: int | None


@dataclass(frozen=True)
class TableCell:
    """A cell of a fixed-layout count table (B1.1, B2.1.1, C2.1, D2.1 …) under template row/column ids."""

    table: str
    row: str                       # approved | blank | doubtful | total | early | domestic | … (see elections.py)
    column: str                    # approved | rejected | marked_in_register | ballots | blank | total …
    value: int | None


@dataclass(frozen=True)
class Rejection:
    """B1.2: advance votings rejected per legal ground, as the paragraph is printed (`§ 10-1 (1) f`)."""

    table: str
    reason: str
    domestic: int | None
    abroad: int | None


@dataclass(frozen=True)
class Seats:
    party: str
    party_code: str | None
    seats: int


@dataclass(frozen=True)
class Elected:
    party_code: str | None
    party: str
    rank: int                      # the list's new ranking after the count (E2.2 "Nr.")
    name: str                      # given name first
    birth_year: int | None
    role: str                      # representative | alternate
    personal_votes: int | None     # E2.1 "Personstemmer" (without list bonus and cross-list votes)


@dataclass(frozen=True)
class Remark:
    table: str                     # "D1.5", "C2.3" …
    text: str


@dataclass(frozen=True)
class ElectionProtocol:
    election: str                  # kommunestyrevalg | fylkestingsvalg | stortingsvalg | sametingsvalg
    year: int | None
    kind: str                      # valgstyret | fylkesvalgstyret | stemmestyret | report
    language: str                  # nb | nn
    document_date: str | None      # ISO 8601 of the footer print stamp (`2019-09-12T11:03:20`)
    area_name: str | None          # the municipality (or county) as written
    board: tuple[tuple[str, str], ...]   # (name given name first, role: chair | deputy_chair | member | deputy_member | secretary)
    key_figures: KeyFigures
    counts: tuple[PartyCount, ...]
    rejections: tuple[Rejection, ...]
    seats: tuple[Seats, ...]
    elected: tuple[Elected, ...]
    remarks: tuple[Remark, ...]
    council_size: int | None
    confidence: dict[str, float | None]
    issues: tuple[str, ...]
    # beyond the contract: what the reconciliation and the scorer need, and where the protocol is from
    county: str | None = None
    district: str | None = None    # the polling district (krets) of a stemmestyret book
    totals: tuple[TableTotal, ...] = ()
    cells: tuple[TableCell, ...] = ()
    source: str = "text"           # text | ocr | mixed: how the pages' text was obtained
    pages: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)  # what was seen but not read (e.g. an unreadable value)
    candidates: tuple[Elected, ...] = ()  # E2.2's candidates not elected (role `candidate`), in list order
