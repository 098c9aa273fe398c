"""Case references (`13/25`, `PS 12/26`, `23/02307-5`, arkivsak `2025000265`, `Meld. St. 10 (2018–2019)`)
and project numbers (`Prosjektnr 103972`, `prosjektnummer 102265`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ARCHIVE = re.compile(r"(?<![\w/.-])(?P<ref>\d{2}/\d{4,6}-\d{1,4})(?![\w/])")
_ARKIVSAK = re.compile(r"(?<![\w/.-])(?P<ref>(?:19|20)\d{8}(?:-\d{1,4})?)(?![\w/])")
_CASE_CONTEXT = r"(?:sak|saker|saksnr\.?|saksnummer|ps|rs|ds|ms|os|behandlede saker|arkivsak)"
_CASE = re.compile(rf"(?i:\b{_CASE_CONTEXT})[\s:.]*(?:nr\.?\s*)?(?P<ref>\d{{1,3}}/\d{{2}})(?![\d/])")
_CASE_AT_LINE_START = re.compile(r"(?m)^[ \t]*(?:(?:PS|RS|DS|MS|OS|Sak)\s*)?(?P<ref>\d{1,3}/\d{2})(?=\s*[-–:]?\s+[A-ZÆØÅ\d])")
_CASE_RANGE = re.compile(r"(?P<ref>\d{1,3}/\d{2})\s*[-–]\s*(?P<ref2>\d{1,3}/\d{2})(?![\d/])")
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
        if not any(start < f.end and f.start < end for f in found):
            found.append(RefMatch("CASE_REF", " ".join(value.split()), start, end, text[start:end]))

    for pattern in (_WHITE_PAPER, _ARCHIVE, _ARKIVSAK, _CASE, _CASE_AT_LINE_START):
        for m in pattern.finditer(text):
            add(m["ref"], m.start("ref"), m.end("ref"))
    for m in _CASE_RANGE.finditer(text):
        add(m["ref"], m.start("ref"), m.end("ref"))
        add(m["ref2"], m.start("ref2"), m.end("ref2"))
    return sorted(found, key=lambda f: f.start)


def find_project_numbers(text: str) -> list[RefMatch]:
    return [RefMatch("PROJECT", m["ref"], m.start(), m.end(), m.group(0)) for m in _PROJECT_NUMBER.finditer(text)]
