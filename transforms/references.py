"""Case references (`13/25`, `PS 12/26`, `sak 3/2026`, `23/02307-5`, `Arkivsaksnr: 2025/8750`, arkivsak `2025000265`,
`Meld. St. 10 (2018–2019)`)
and project numbers (`Prosjektnr 103972`, `prosjektnummer 102265`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ARCHIVE = re.compile(r"(?<![\w/.-])(?P<ref>\d{2}/\d{4,6}-\d{1,4})(?![\w/])")
_ARKIVSAK = re.compile(r"(?<![\w/.-])(?P<ref>(?:19|20)\d{8}(?:-\d{1,4})?)(?![\w/])")
_CASE_CONTEXT = r"(?:sak|saker|saksnr\.?|saksnummer|ps|rs|ds|ms|os|fo|behandlede saker|arkivsak)"
#: A body's case number: `12/26`, `12/2026` (`behandling av sak 3/2026`).
_CASE_NUMBER = r"\d{1,3}/(?:(?:19|20)\d\d|\d{2})"
_CASE = re.compile(rf"(?i:\b{_CASE_CONTEXT})[\s:.]*(?:nr\.?\s*)?(?P<ref>{_CASE_NUMBER})(?![\d/])")
_CASE_AT_LINE_START = re.compile(
    rf"(?m)^[ \t]*(?:(?:PS|RS|DS|MS|OS|FO|Sak)\s*)?(?P<ref>{_CASE_NUMBER})(?![\d/])(?=\s*[-–:]?\s+[A-ZÆØÅ\d])")
#: An archive case (`Arkivsaksnr: 2025/8750`, `Vår ref: 21/19102`, `2024/1234-5`): year first. Without a label only
#: with three or more digits after the slash, since `2025/26` is a school year.
_ARCHIVE_LABEL = (r"(?:arkivsaksnr\.?|arkivsak|arkivsaknr\.?|saksnr\.?|saksnummer|vår ref\.?|deres ref\.?|ref\.?|j\.?nr\.?|"
                  r"journalnr\.?)")
_ARCHIVE_LABELLED = re.compile(
    rf"(?i:\b{_ARCHIVE_LABEL})[ \t]*:?[ \t]*(?P<ref>(?:(?:19|20)\d\d|\d{{2}})/\d{{1,6}}(?:-\d{{1,4}})?)(?![\w/])")
_ARCHIVE_YEAR_FIRST = re.compile(r"(?<![\w/.,-])(?P<ref>(?:19|20)\d\d/\d{3,6}(?:-\d{1,4})?)(?![\w/])")
#: A letter head prints its labels on one line and the values on the next: `Deres ref: Vår ref: …` / `21/19102 …`.
_REF_UNDER_LABELS = re.compile(r"(?im)^.*\bvår ref\b.*\n[ \t]*(?:[^\n]*?[ \t])?(?P<ref>\d{2}/\d{3,6}(?:-\d{1,4})?)(?![\w/])")
_CASE_RANGE = re.compile(rf"(?P<ref>{_CASE_NUMBER})\s*[-–]\s*(?P<ref2>{_CASE_NUMBER})(?![\d/])")
_WHITE_PAPER = re.compile(r"\b(?P<ref>(?:Meld\.\s*St\.|Prop\.|NOU)\s*\d+(?:\s*[LS])?\s*\(\d{4}[–-]\d{4}\))")
_PROJECT_NUMBER = re.compile(r"(?i:\bprosjekt(?:nr|nummer)\.?)\s*:?\s*(?:\*\*)?(?P<ref>\d{4,8})\b")


@dataclass(frozen=True)
class RefMatch:
    label: str
    value: str
    start: int
    end: int
    text: str


def find_case_refs(text: str) -> list[RefMatch]:
    found: list[RefMatch] = []

    def add(value: str, start: int, end: int) -> None:
        if _is_year_pair(value):
            return  # `2024/2025`: a school or budget year, not a case
        if not any(start < f.end and f.start < end for f in found):
            found.append(RefMatch("CASE_REF", " ".join(value.split()), start, end, text[start:end]))

    for pattern in (_WHITE_PAPER, _ARCHIVE, _ARKIVSAK, _ARCHIVE_LABELLED, _ARCHIVE_YEAR_FIRST, _REF_UNDER_LABELS, _CASE,
                    _CASE_AT_LINE_START):
        for m in pattern.finditer(text):
            add(m["ref"], m.start("ref"), m.end("ref"))
    for m in _CASE_RANGE.finditer(text):
        add(m["ref"], m.start("ref"), m.end("ref"))
        add(m["ref2"], m.start("ref2"), m.end("ref2"))
    return sorted(found, key=lambda f: f.start)


def _is_year_pair(value: str) -> bool:
    first, _, second = value.partition("/")
    return len(first) == len(second) == 4 and second.isdigit() and int(second) == int(first) + 1


def find_project_numbers(text: str) -> list[RefMatch]:
    return [RefMatch("PROJECT", m["ref"], m.start(), m.end(), m.group(0)) for m in _PROJECT_NUMBER.finditer(text)]
