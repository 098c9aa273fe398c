"""Money tables in page text: a short header line that speaks of money, then rows with grouped numbers.

Tables arrive tab-separated (text exports), space-separated (PDF text layers), with `<b>` markup and
with parenthesised sub-totals. Cells are split on tabs when there are any; otherwise grouped numbers
are read greedily (`1 447 130 1 390 000` is two numbers: a group after the first has exactly three
digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.normalise.amounts import SPACES, AmountMatch, parse_number

_MONEY_HEADER = re.compile(r"\b(?:fordeling|søknadssum|tilskudd|tildel\w*|beløp|kroner|kr\b|budsjett|bevilg\w*|"
                           r"innvilget|omsøkt|sum\b|til fordeling|nok\b)", re.IGNORECASE)
_SPACE_CLASS = f"[{SPACES}]"
_MARKUP = re.compile(r"</?(?:b|i|strong|em|sup)>", re.IGNORECASE)
_GROUPED = re.compile(rf"\(?(?<![\d,.])\d{{1,3}}(?:[{SPACES}]\d{{3}})+(?![\d])\)?")
# a row: an optional label without digits, then nothing but grouped numbers (`Kr`, parentheses allowed)
_ROW_SHAPE = re.compile(rf"^(?:\d{{4,8}}{_SPACE_CLASS}+)?[^\d\t]{{0,80}}?(?:(?:[\t{SPACES}]+|^)(?:Kr\.?{_SPACE_CLASS}*)?\(?\d{{1,3}}(?:[{SPACES}]\d{{3}})*\)?)*[\t{SPACES}]*$")
_PROJECT_PREFIX = re.compile(r"^\d{4,8}\s+")
_MAX_HEADER = 160
_HEADER_END = re.compile(r"[.,;:]\s*$")
_MAX_ROW = 160
_MAX_GAP_LINES = 2


@dataclass(frozen=True)
class TableRow:
    line_start: int
    label: str
    cells: tuple[AmountMatch, ...]


def _lines(text: str):
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def money_table_rows(text: str) -> list[TableRow]:
    """Rows of every money table in ``text``; cell spans are offsets into ``text``."""
    rows: list[TableRow] = []
    in_table = False
    gap = 0
    for offset, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            gap += 1
            if gap > _MAX_GAP_LINES:
                in_table = False
            continue
        gap = 0
        plain = _MARKUP.sub("", stripped)
        if _is_header(plain):
            in_table = True
            continue
        if not in_table:
            continue
        if len(plain) > _MAX_ROW or not _ROW_SHAPE.match(plain):
            in_table = False
            continue
        label = re.split(r"\t|\s(?=(?:Kr\.?\s*)?\(?\d)", _PROJECT_PREFIX.sub("", plain), maxsplit=1)[0].strip()
        rows.append(TableRow(offset, label, tuple(_cells(line, offset))))
    return rows


def _is_header(plain: str) -> bool:
    """Short, speaks of money, holds no amounts, and does not read like the end of a sentence."""
    return (len(plain) <= _MAX_HEADER and bool(_MONEY_HEADER.search(plain)) and not _GROUPED.search(plain)
            and not _HEADER_END.search(plain) and len(plain.split()) <= 12)


def _cells(line: str, offset: int) -> list[AmountMatch]:
    cells = []
    for m in _GROUPED.finditer(line):
        raw = m.group(0)
        inner = raw.strip("()")
        start = offset + m.start() + (1 if raw.startswith("(") else 0)
        end = offset + m.end() - (1 if raw.endswith(")") else 0)
        cells.append(AmountMatch(parse_number(inner), start, end, raw))
    return cells


def table_amounts(text: str) -> list[AmountMatch]:
    return [cell for row in money_table_rows(text) for cell in row.cells]
