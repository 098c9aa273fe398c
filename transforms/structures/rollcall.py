"""Named voters resolved to the people on a meeting's attendance list, and the checks a roll call must pass.

Protocols shorten names in vote lists (`Per Aunan` for Per Espen Aunan, `Janne K. J. Larsen` for Janne
Kathrine Jørstad Larsen, `Nina Groven` for Nina Egenæs Groven). A written name resolves to an attendee
when its first and last names agree, every written middle part matches a middle name (whole or as an
initial, in order), the parties do not disagree, and exactly one attendee fits. Anything else stays as
written: a wrong link is worse than none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kommune_etl.transforms.actors import party_code
from kommune_etl.transforms.structures.records import Attendee

_PARTS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?\.?", re.UNICODE)


@dataclass(frozen=True)
class WrittenVoter:
    name: str
    party: str | None = None


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold().rstrip(".")


@lru_cache(maxsize=4096)
def _name_parts(name: str) -> tuple[str, ...]:
    """`Siri-Marie Øvrum Nesgård` → [siri, marie, øvrum, nesgård]; hyphenated parts count separately."""
    return tuple(_fold(p) for p in _PARTS.findall(name.replace("-", " ")))


def _given_and_rest(name: str) -> tuple[tuple[str, ...], str] | None:
    parts = _name_parts(name)
    if len(parts) < 2:
        return None
    return parts[:-1], parts[-1]


def _middle_fits(written: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Every written middle part is a full middle name or its initial, in order."""
    position = 0
    for part in written:
        while position < len(full):
            candidate = full[position]
            position += 1
            if candidate == part or (len(part) == 1 and candidate.startswith(part)):
                break
        else:
            return False
    return True


def name_fits(written: str, full: str) -> bool:
    """Could `written` be a shortened form of `full`? (Same last name, same first name or its initial.)"""
    w, f = _given_and_rest(written), _given_and_rest(full)
    if not w or not f:
        return False
    (w_given, w_last), (f_given, f_last) = w, f
    full_parts = (*f_given, f_last)
    if w_last != f_last:
        # a hyphenated or double surname written in part (`Hembre-Ingul` vs `Ingul`) is not enough
        return False
    first = w_given[0]
    if not (first == f_given[0] or (len(first) == 1 and f_given[0].startswith(first))):
        return False
    return _middle_fits(w_given[1:], full_parts[1:-1])


def _same_party(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    code_a, code_b = party_code(a) or a.upper(), party_code(b) or b.upper()
    return code_a == code_b


@lru_cache(maxsize=64)
def _index(attendees: tuple[Attendee, ...]) -> tuple[dict[str, list[Attendee]], dict[str, list[Attendee]]]:
    """Attendees by folded full name and by last name part, built once per attendance list."""
    people = [a for a in attendees if a.role in ("member", "substitute")] or list(attendees)
    by_name: dict[str, list[Attendee]] = {}
    by_last: dict[str, list[Attendee]] = {}
    for a in people:
        by_name.setdefault(" ".join(_name_parts(a.name)), []).append(a)
        parts = _name_parts(a.name)
        if parts:
            by_last.setdefault(parts[-1], []).append(a)
    return by_name, by_last


def resolve(voters: Iterable[WrittenVoter], attendees: Sequence[Attendee]) -> list[str | None]:
    """The attendee name each written voter is, or None where no single attendee fits."""
    by_name, by_last = _index(tuple(attendees))
    resolved: list[str | None] = []
    for voter in voters:
        parts = _name_parts(voter.name)
        candidates = by_name.get(" ".join(parts)) or [
            a for a in by_last.get(parts[-1] if parts else "", ()) if name_fits(voter.name, a.name) and _same_party(voter.party, a.party)]
        names = {a.name for a in candidates}
        resolved.append(names.pop() if len(names) == 1 else None)
    return resolved


def roll_call_issues(label: str, stated_for: int | None, stated_against: int | None,
                     named_for: Sequence[str], named_against: Sequence[str], unresolved: Sequence[str],
                     members_present: int) -> list[str]:
    """Stated counts against named voters, against the members present, and no one voting twice."""
    issues = []
    for side, stated, named in (("for", stated_for, named_for), ("against", stated_against, named_against)):
        if stated is not None and named and stated != len(named):
            issues.append(f"{label}: {stated} stated {side}, {len(named)} named")
    if members_present and stated_for is not None and stated_against is not None \
            and stated_for + stated_against > members_present:
        issues.append(f"{label}: {stated_for} for + {stated_against} against = {stated_for + stated_against} "
                      f"> {members_present} members present")
    twice = sorted(set(named_for) & set(named_against))
    if twice:
        issues.append(f"{label}: voted both for and against: {', '.join(twice)}")
    if unresolved:
        issues.append(f"{label}: not on the attendance list: {', '.join(unresolved)}")
    return issues
