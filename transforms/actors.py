"""Organisations, projects, persons and parties from shipped gazetteers and protocol conventions.

Without a statistical model, persons are found where municipal documents name them by convention:
attendance lines (`Arve Stokkelien (H)`), substitutes (`… for Øistein Hatlebakk (FRP)`) and labelled
fields (`Saksbehandler:`, `Møteleder:`). A user's spaCy NER model adds the rest (see
docs/decisions/0004-nlp-pipeline.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property

from kommune_etl.refdata import load

_NAME_WORD = r"[A-ZÆØÅ][a-zæøåéèüöäA-ZÆØÅ'-]+"
_PERSON = rf"{_NAME_WORD}(?:[ \u00a0]+(?:(?:de|van|von|der)[ \u00a0]+)?{_NAME_WORD}){{1,3}}"
#: A company by its legal form: up to four capitalised words (or `og`, `&`) and `AS`, `ASA`, `SA`, `IKS`, `KF`, `SF`, `HF`.
LEGAL_FORMS = ("AS", "ASA", "SA", "IKS", "KF", "SF", "HF")
_COMPANY = re.compile(r"(?<![\w-])(?:[A-ZÆØÅ][\w&.-]*[ \u00a0](?:(?:[A-ZÆØÅ][\w&.-]*|og|&|i)[ \u00a0]){0,3})"
                      rf"(?:{'|'.join(LEGAL_FORMS)})(?![\w-])")
_PARTY_IN_PARENS = re.compile(rf"(?P<person>{_PERSON})[ \u00a0]*\((?P<party>[A-Za-zÆØÅæøå.]{{1,8}})\)")
_LABELLED_PERSON = re.compile(
    rf"(?im)^[ \t]*(?:saksbehandler|møteleder|sekretær|utvalgssekretær|kontaktperson|leder|prosjektleder|"
    rf"saksansvarlig|referent)[ \t]*:[ \t]*(?:(?:leder|nestleder)[ \t]+i[ \t]+\w+[ \t]+)?(?P<person>(?-i:{_PERSON}))")


@dataclass(frozen=True)
class ActorMatch:
    label: str
    value: str
    start: int
    end: int
    text: str


class Actors:
    """Organisation, network, project and party vocabularies, compiled once."""

    #: Abbreviations too short or too common to match as words unless they are the canonical form.
    _SHORT_ALLOWED = {"KS", "KD", "UD", "SD", "JD", "FD", "NAV", "Nav"}
    _CANONICAL = {"SF": "Statsforvalteren", "FM": "Fylkesmannen", "Hdir": "Helsedirektoratet",
                  "Ehelse": "Direktoratet for e-helse", "IMDi": "IMDI"}

    def __init__(self, bodies, networks, projects, parties):
        self.org_forms: dict[str, str] = {}
        for row in bodies:
            canonical = self._CANONICAL.get(row["short"], row["short"])
            forms = {row["short"], row["name"], *row["variants"].split("|")}
            for form in forms:
                form = form.strip()
                if not form or "<" in form or "(" in form:
                    continue
                if len(form) <= 2 and form not in self._SHORT_ALLOWED:
                    continue
                if form.isupper() and len(form) <= 3 and form not in self._SHORT_ALLOWED and form != row["short"]:
                    continue
                self.org_forms[form] = canonical
        for row in networks:
            for form in {row["name"], *row["variants"].split("|")}:
                if form.strip() and "(" not in form:
                    self.org_forms[form.strip()] = row["name"]
        self.project_forms = {form.strip(): row["name"] for row in projects
                              for form in {row["name"], *row["variants"].split("|")} if form.strip()}
        self.party_codes = party_variant_map(parties)
        self.party_names = {row["name"].split(" - ")[-1]: row["code"] for row in parties
                            if len(row["name"]) > 6 and row["code"] not in {"UAVH", "TVF"}}

    @staticmethod
    def _alternation(forms) -> re.Pattern[str]:
        ordered = sorted(forms, key=len, reverse=True)
        return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(f) for f in ordered) + r")(?![\w-])")

    @cached_property
    def org_pattern(self) -> re.Pattern[str]:
        return self._alternation(self.org_forms)

    @cached_property
    def project_pattern(self) -> re.Pattern[str]:
        return self._alternation(self.project_forms)

    @cached_property
    def party_name_pattern(self) -> re.Pattern[str]:
        return self._alternation(self.party_names)

    def find_orgs(self, text: str) -> list[ActorMatch]:
        """Registered bodies and networks by their forms, and companies by their legal form (`Steinkjer Utvikling AS`)."""
        found = [ActorMatch("ORG", self.org_forms[m.group(0)], m.start(), m.end(), m.group(0))
                 for m in self.org_pattern.finditer(text)]
        for m in _COMPANY.finditer(text):
            if not any(f.start < m.end() and m.start() < f.end for f in found):
                name = " ".join(m.group(0).split())
                found.append(ActorMatch("ORG", name, m.start(), m.end(), m.group(0)))
        return found

    def find_projects(self, text: str) -> list[ActorMatch]:
        return [ActorMatch("PROJECT", self.project_forms[m.group(0)], m.start(), m.end(), m.group(0))
                for m in self.project_pattern.finditer(text)]

    def party_code(self, written: str) -> str | None:
        return lookup_party(self.party_codes, written)

    def find_persons_and_parties(self, text: str) -> list[ActorMatch]:
        found: list[ActorMatch] = []
        for m in _PARTY_IN_PARENS.finditer(text):
            code = self.party_code(m["party"].rstrip("."))
            if code is None:
                continue
            person = _strip_lead_word(m["person"])
            offset = m.start("person") + m["person"].index(person)
            found.append(ActorMatch("PERSON", person, offset, offset + len(person), person))
            found.append(ActorMatch("PARTY", code, m.start("party"), m.end("party"), m["party"]))
        for m in _LABELLED_PERSON.finditer(text):
            if not any(f.start <= m.start("person") < f.end for f in found):
                found.append(ActorMatch("PERSON", m["person"], m.start("person"), m.end("person"), m["person"]))
        for m in self.party_name_pattern.finditer(text):
            found.append(ActorMatch("PARTY", self.party_names[m.group(0)], m.start(), m.end(), m.group(0)))
        return found


_LEAD_WORDS = {"for", "og", "fra", "ved", "leder", "nestleder", "representant", "ordfører", "varaordfører", "medlem",
               "varamedlem", "rådgiver", "møteleder"}


def _strip_lead_word(name: str) -> str:
    """`for Øistein Hatlebakk` and `Leder Arve Stokkelien` are matched without the leading word."""
    words = name.split()
    while len(words) > 2 and words[0].lower() in _LEAD_WORDS:
        words = words[1:]
    return " ".join(words)


def party_variant_map(rows) -> dict[str, str]:
    """Every way protocols write a party → its official code, from parties.csv rows."""
    return {form.strip(): row["code"] for row in rows for form in row["variants"].split("|")
            if form.strip() and "<" not in form}


def lookup_party(variants: dict[str, str], written: str) -> str | None:
    """Exact form first, then the usual case variants; full names also match in any case (`Sosialistisk
    venstreparti`), abbreviations of one or two letters only as listed (`v` is not Venstre)."""
    written = " ".join(written.strip().rstrip(".").split())
    found = variants.get(written) or variants.get(written.upper()) or variants.get(written.capitalize())
    if found or len(written) <= 2:
        return found
    folded = written.casefold()
    return next((code for form, code in variants.items() if form.casefold() == folded), None)


@cache
def party_code(written: str) -> str | None:
    """The official election code for a party as protocols write it (`AP`/`Ap` → `A`, `R` → `RØDT`)."""
    return lookup_party(party_variant_map(load("parties.csv")), written)
