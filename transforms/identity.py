"""Who is who across documents: appearances of a name resolved to persons, conservatively, with the rule of every merge.

A person appears as an attendee, a named voter, a proposer, a chair, an elected representative… in many documents.
Resolution is scoped: only appearances in the same scope (a municipality) are ever joined, since the same name in two
municipalities is two people unless evidence joins them. Within a scope, names join when they are written the same
(accents, hyphens and case aside), or when one is the other without middle names or with initials for them
(`Astrid Vordal` ~ `Astrid Juberg Vordal`, `S. M. Ø. Nesgård` ~ `Siri-Marie Øvrum Nesgård`), and then only when
exactly one longer form fits and the parties beside the names do not differ. A wrong merge is worse than a missed
one: an ambiguous short form stays a person of its own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

#: Accented letters people type for the plain ones (`Helèn` / `Helén`); æ, ø and å are letters of their own.
_PLAIN = str.maketrans({"é": "e", "è": "e", "ê": "e", "ë": "e", "á": "a", "à": "a", "â": "a", "ó": "o", "ò": "o",
                        "ô": "o", "ú": "u", "ù": "u", "ü": "u", "í": "i", "ì": "i", "ï": "i", "ö": "ø", "ä": "æ"})
_PARTY_AFTER = re.compile(r"\s*\(([^)]{1,12})\)\s*$")
_PARTICLES = {"von", "van", "de", "der", "la", "le", "af"}


@dataclass(frozen=True)
class Appearance:
    """One place a name stands: in which scope, document and role, with the party written beside it."""

    scope: str  # a municipality code; an unknown municipality keeps a document's people to that document
    name: str  # as written
    sha256: str
    role: str  # attendee, substitute, voter, proposer, chair, secretary, elected, alternate, board, case_handler, named
    party: str | None = None  # official party code
    body: str | None = None
    date: str | None = None  # ISO date of the meeting or document
    page: int | None = None


@dataclass
class Person:
    person_id: str
    scope: str
    name: str  # the fullest form seen
    names: set[str] = field(default_factory=set)
    parties: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Link:
    person_id: str
    name: str
    joined_to: str
    rule: str  # same_name | without_middle_names | initials


def split_party(written: str) -> tuple[str, str | None]:
    """`Helèn Rosvold Andersen (PP)` → (`Helèn Rosvold Andersen`, `PP`)."""
    m = _PARTY_AFTER.search(written)
    return (written[: m.start()].strip(), m.group(1).strip()) if m else (written.strip(), None)


def name_tokens(name: str) -> tuple[str, ...]:
    """Comparable tokens: case, accents typed for plain letters, hyphens and `Surname, Given` order aside."""
    name = unicodedata.normalize("NFC", name).strip()
    if name.count(",") == 1:  # `Nesgård, Siri-Marie Øvrum`: the protocol's surname-first form
        surname, given = (part.strip() for part in name.split(","))
        name = f"{given} {surname}"
    plain = name.casefold().translate(_PLAIN)
    return tuple(t for t in re.split(r"[\s\-]+", plain.replace(".", ". ")) if t and t not in _PARTICLES)


def name_key(name: str) -> str:
    return " ".join(name_tokens(name))


def _is_initial(token: str) -> bool:
    return len(token.rstrip(".")) == 1


def _token_fits(short: str, full: str) -> bool:
    return short == full or _is_initial(short) and full.startswith(short.rstrip("."))


def shorter_form_of(short: tuple[str, ...], full: tuple[str, ...]) -> str | None:
    """The rule by which ``short`` names the same person as ``full`` (same given name and surname, middle names left
    out or given as initials), or None. Pure; says nothing about whether they are the same person."""
    if len(short) < 2 or len(full) < 2 or short == full or short[-1] != full[-1]:
        return None
    if not _token_fits(short[0], full[0]):
        return None
    middle, rest = list(short[1:-1]), list(full[1:-1])
    for token in middle:  # each written middle part must fit a middle part of the full name, in order
        while rest and not _token_fits(token, rest[0]):
            rest.pop(0)
        if not rest:
            return None
        rest.pop(0)
    return "initials" if any(_is_initial(t) for t in short) else "without_middle_names"


def _display_rank(name: str) -> tuple:
    """The fullest form, given name first (`Siri-Marie Øvrum Nesgård` over `Nesgård, Siri-Marie Øvrum`)."""
    return (len(name_tokens(name)), "," not in name, not any(_is_initial(t) for t in name_tokens(name)), len(name), name)


def person_id(scope: str, key: str) -> str:
    return "P" + hashlib.sha256(f"{scope}|{key}".encode()).hexdigest()[:12]


def resolve(appearances: list[Appearance]) -> tuple[list[Person], dict[int, str], list[Link]]:
    """Persons, the person of each appearance (by index) and the links that joined different forms (pure)."""
    by_scope: dict[str, dict[str, list[int]]] = {}
    for i, a in enumerate(appearances):
        by_scope.setdefault(a.scope, {}).setdefault(name_key(a.name), []).append(i)
    persons: list[Person] = []
    assigned: dict[int, str] = {}
    links: list[Link] = []
    for scope, forms in sorted(by_scope.items()):
        parties = {key: {appearances[i].party for i in idx if appearances[i].party} for key, idx in forms.items()}
        target: dict[str, str] = {}
        for key in sorted(forms, key=lambda k: (-len(k.split()), k)):
            tokens = tuple(key.split())
            fits = [(other, rule) for other in forms if other != key and len(other.split()) >= len(tokens)
                    and (rule := shorter_form_of(tokens, tuple(other.split())))]
            fits = [(other, rule) for other, rule in fits if not (parties[key] and parties[other]
                                                                  and parties[key].isdisjoint(parties[other]))]
            roots = {target.get(other, other) for other, _ in fits}
            if len(roots) == 1:  # exactly one fuller person fits: join it; several: leave it alone
                root = roots.pop()
                target[key] = root
                written = appearances[forms[key][0]].name
                links.append(Link(person_id(scope, root), written, appearances[forms[root][0]].name, fits[0][1]))
        for key, idx in sorted(forms.items()):
            root = target.get(key, key)
            pid = person_id(scope, root)
            for i in idx:
                assigned[i] = pid
        for root in sorted({target.get(k, k) for k in forms}):
            members = [k for k in forms if target.get(k, k) == root]
            names = {appearances[i].name for k in members for i in forms[k]}
            person = Person(person_id(scope, root), scope, max(names, key=_display_rank), names,
                            {p for k in members for p in parties[k]})
            persons.append(person)
            for k in members:
                variants = {appearances[i].name for i in forms[k]}
                if len(variants) > 1 and k == root:
                    links += [Link(person.person_id, v, person.name, "same_name") for v in sorted(variants) if v != person.name]
    return persons, assigned, links
