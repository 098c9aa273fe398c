"""Annual reports (årsmelding, årsrapport): organisation, year, sections with leader/coordinator and
initiatives with status words (innført, i gang, planlagt, avsluttet)."""

from __future__ import annotations

import re
from datetime import date

from kommune_etl.transforms.structures.records import Report, ReportSection

_NAME = r"[A-ZÆØÅ][\wæøå'-]+(?:\s+[A-ZÆØÅ][\wæøå'-]+){1,3}"
_SECTION = re.compile(r"(?m)^[ \t]*(?:#+[ \t]*)?(?P<title>\d{1,2}\.\d{1,2}[ \t]+[A-ZÆØÅ][^\n]{2,80}?)[ \t]*$")
_LEADER = re.compile(rf"(?:ledes av|leder(?: for faggruppen)? er|leiast av)\s+(?P<name>{_NAME})")
_COORDINATOR = re.compile(rf"(?:koordineres av|koordinator(?: for faggruppen)? er|koordinator)\s+(?P<name>{_NAME})")
_STATUS = re.compile(r"(?i)\b(innført|innf\u00f8rt|i gang|igangsatt|planlagt|avsluttet|gjennomført|fullført|pågår|pågående|"
                     r"startet opp|satt i drift|tatt i bruk)\b")
_BULLET = re.compile(r"(?m)^[ \t]*(?:[-•*]|\d+\.)[ \t]+(?P<line>[^\n]{4,200})$")
_ORG = re.compile(r"(?im)^(?:årsmelding|årsrapport)\s+(?:for\s+)?(?P<org>[A-ZÆØÅ][^\n\d]{1,60}?)\s*(?:\d{4})?\s*$")


def _name(match: re.Match[str] | None) -> str | None:
    return " ".join(match["name"].split()) if match else None


def extract_report(text: str, on: date) -> Report:
    heads = list(_SECTION.finditer(text))
    sections = []
    for index, head in enumerate(heads):
        body = text[head.end(): heads[index + 1].start() if index + 1 < len(heads) else len(text)]
        leader = _LEADER.search(body[:1500])
        coordinator = _COORDINATOR.search(body[:1500])
        initiatives = []
        for bullet in _BULLET.finditer(body):
            status = _STATUS.search(bullet["line"])
            initiatives.append((bullet["line"].strip(), status.group(1).lower() if status else None))
        sections.append(ReportSection(head["title"].strip(), _name(leader), _name(coordinator), tuple(initiatives)))
    org = _ORG.search(text[:2000])
    year = re.search(r"(?i)(?:årsmelding|årsrapport)\s+(?:for\s+)?(?:[^\n\d]{0,60})?((?:19|20)\d\d)", text[:2000])
    return Report(org["org"].strip() if org else None, int(year.group(1)) if year else on.year, tuple(sections))
