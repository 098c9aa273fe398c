"""One case through several bodies: handlings (and case documents) linked into cases, by archive case or by text.

A case (arkivsak `2026/309`) goes from a committee to the executive board to the council, each with its own case
number (`2/2026` in hovedutvalget, `12/2026` in formannskapet). Handlings join when they share the archive case, or
when one's proposal or decision is the other's proposal word for word (the recommendation passed on: at least
`MIN_TEXT` letters and digits, so that `Saken tas til orientering` joins nothing). Joins stay inside a municipality;
a handling whose municipality is unknown may join by its archive case or text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MIN_TEXT = 40
_PREFIX = 120


@dataclass(frozen=True)
class Handling:
    key: str                 # unique per handling or case document
    scope: str | None        # municipality code, None when unknown
    archive_ref: str | None
    texts: tuple[str, ...]   # proposal, decision (a case document: its proposal)
    date: str | None = None  # ISO date of the meeting
    title: str | None = None


@dataclass(frozen=True)
class CaseLink:
    case_id: str
    key: str
    rule: str  # archive_ref | same_text | alone


def fingerprint(text: str | None) -> str | None:
    """Letters and digits of a text, lower case, list numbering aside (`1.Innherredsbyen` = `1. Innherredsbyen`)."""
    if not text:
        return None
    plain = re.sub(r"[^0-9a-zæøå]", "", text.casefold())
    return plain[:_PREFIX] if len(plain) >= MIN_TEXT else None


def link_cases(handlings: list[Handling]) -> list[CaseLink]:
    """Each handling's case and the rule that put it there (pure, deterministic)."""
    parent = list(range(len(handlings)))
    rule = ["alone"] * len(handlings)
    scope = [h.scope for h in handlings]  # per root: the group's municipality, once one of its handlings names it

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int, why: str) -> None:
        ri, rj = root(i), root(j)
        if ri != rj and (scope[ri] is None or scope[rj] is None or scope[ri] == scope[rj]):  # never two municipalities
            parent[max(ri, rj)] = min(ri, rj)
            scope[min(ri, rj)] = scope[ri] or scope[rj]
            for k in (i, j):
                if rule[k] == "alone":
                    rule[k] = why

    by_ref: dict[str, list[int]] = {}
    by_text: dict[str, list[int]] = {}
    for i, h in enumerate(handlings):
        if h.archive_ref:
            by_ref.setdefault(_archive_key(h.archive_ref), []).append(i)
        for text in {fingerprint(t) for t in h.texts} - {None}:
            by_text.setdefault(text, []).append(i)
    for group, why in [*((g, "archive_ref") for g in by_ref.values()), *((g, "same_text") for g in by_text.values())]:
        for i in group:
            for j in group:
                if i < j:
                    join(i, j, why)
    # a shorter text that is the start of a longer one (a recommendation with points added later) also joins
    texts = sorted(by_text)
    for a, b in zip(texts, texts[1:]):
        if b.startswith(a):
            for i in by_text[a]:
                for j in by_text[b]:
                    join(i, j, "same_text")
    members: dict[int, list[int]] = {}
    for i in range(len(handlings)):
        members.setdefault(root(i), []).append(i)
    out = []
    for group in members.values():
        refs = sorted({_archive_key(handlings[i].archive_ref) for i in group if handlings[i].archive_ref})
        seed = refs[0] if refs else min(handlings[i].key for i in group)
        where = next((handlings[i].scope for i in group if handlings[i].scope), "")
        case_id = "C" + hashlib.sha256(f"{where}|{seed}".encode()).hexdigest()[:12]
        out += [CaseLink(case_id, handlings[i].key, rule[i]) for i in group]
    return out


def _archive_key(ref: str) -> str:
    """`2026/309-3`, `26/309` and Elements' `2026000309` name the archive case 2026/309 (a suffix numbers a
    document in it)."""
    if re.fullmatch(r"(?:19|20)\d{8}", ref):
        return f"{ref[:4]}/{int(ref[4:])}"
    year, _, number = ref.partition("/")
    number = number.split("-")[0]
    if len(year) == 2:
        year = "20" + year
    return f"{year}/{int(number) if number.isdigit() else number}"
