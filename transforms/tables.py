"""Money tables in page text: a short header line that speaks of money, then rows with grouped numbers.

Tables arrive tab-separated (text exports), space-separated (PDF text layers), with `<b>` markup, with
parenthesised sub-totals and continued over page breaks (callers pass the document's pages joined).
Cells are placed by tab position when the row has tabs; otherwise grouped numbers are read greedily
(`1 447 130 1 390 000` is two numbers: every group after the first has exactly three digits) and are
right-aligned to the header's columns.

A header or the caption line above it may scale the cells (`Beløp i 1000 kr`, `(mill. kr)`, `NOK 1000`):
then cells are multiplied, and small or decimal numbers (`850`, `1,5`) are cells too. In an accounts table
(`regnskap`, `avvik`, `resultat`) a parenthesised cell is negative; elsewhere parentheses mark sub-totals.
A minus sign written against a cell (`-250 000`) is always negative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kommune_etl.transforms.normalise.amounts import SPACES, AmountMatch, parse_number

_MONEY_HEADER = re.compile(r"\b(?:fordeling|søknadssum|tilskudd|tildel\w*|beløp|kroner|kr\b|budsjett|bevilg\w*|"
                           r"innvilget|omsøkt|sum\b|til fordeling|nok\b)", re.IGNORECASE)
#: Headers that name counted things (votes, ballots, voters, seats, people) head count tables, never money ones,
#: even when they also say `sum` (`Sum mottatte forhåndsstemmegivninger`).
_COUNT_HEADER = re.compile(r"\b(?:\w*stemm(?:er|e|ene|egiv\w*|esed\w*|eberettig\w*|erett\w*)|\w*røyst\w*|antall|tal\b|kryss\w*|"
                           r"manntal\w*|velger\w*|veljar\w*|mandat\w*|represent\w*|seter|sete\b|kandidat\w*|oppmøte\w*|"
                           r"deltak\w*|prosent|innbygger\w*|elever|ansatte|årsverk|personer|deltakere)", re.IGNORECASE)
_SPACE_CLASS = f"[{SPACES}]"
_MARKUP = re.compile(r"</?(?:b|i|strong|em|sup)>", re.IGNORECASE)
_GROUPED = re.compile(rf"\(?(?<![\d,.])[-−]?\d{{1,3}}(?:[{SPACES}]\d{{3}})+(?![\d])\)?")
#: In a scaled table (`i 1000 kr`) cells may be small or decimal: `850`, `1,5`, `1 250,5`.
_SCALED_CELL = re.compile(rf"\(?(?<![\d,.\w])[-−]?\d{{1,3}}(?:[{SPACES}]\d{{3}})*(?:,\d{{1,2}})?(?![\d.,])\)?")
_THOUSANDS = re.compile(r"(?:\b(?:i|in)\s+)?(?:\(?\s*(?:1\s?000|tusen)\s*(?:kr\b\.?|kroner|nok)|\b(?:nok|kr\.?)\s*1\s?000\b|\btnok\b|"
                        r"\bhele\s+tusen\b)", re.IGNORECASE)
_MILLIONS = re.compile(r"(?:\b(?:mill\.?|millioner|mnok|mkr)\s*(?:kr\b|kroner|nok)?|\bmnok\b|\bkr\.?\s*mill\.?)", re.IGNORECASE)
_ACCOUNTS = re.compile(r"\b(?:regnskap\w*|avvik\w*|resultat\w*|differanse\w*|merforbruk|mindreforbruk)", re.IGNORECASE)
# a row: an optional project number, an optional label without digits, then nothing but grouped numbers
_ROW_SHAPE = re.compile(rf"^(?:\d{{4,8}}[\t{SPACES}]+)?[^\d\t]{{0,80}}?(?:(?:[\t{SPACES}]+|^)(?:Kr\.?{_SPACE_CLASS}*)?"
                        rf"\(?[-−]?\d{{1,3}}(?:[{SPACES}]\d{{3}})*\)?)*[\t{SPACES}]*$")
_PROJECT_PREFIX = re.compile(r"^[\t ]*(\d{4,8})[\t ]+")
_HEADER_END = re.compile(r"[.,;:]\s*$")
_TOTAL_LABEL = re.compile(r"^(?:sum|sum totalt|totalt|total|i alt|sum tilskudd)$", re.IGNORECASE)
_MAX_HEADER = 160
_MAX_ROW = 160
_MAX_LABEL_ONLY = 40  # a row without amounts is a sub-row label (`Modum`), never a sentence
_MAX_GAP_LINES = 2


@dataclass(frozen=True)
class Cell:
    amount: AmountMatch
    column: int | None  # index into MoneyTable.columns when the row has tabs, else None (right-aligned later)
    parenthesised: bool


@dataclass(frozen=True)
class TableRow:
    line_start: int
    label: str
    cells: tuple[Cell, ...]
    project_number: str | None = None
    bold: bool = False

    @property
    def is_total(self) -> bool:
        return bool(_TOTAL_LABEL.match(self.label.strip()))


@dataclass
class MoneyTable:
    header: str
    header_start: int
    columns: list[str]
    rows: list[TableRow] = field(default_factory=list)
    scale: int = 1  # 1000 for `i 1000 kr`, 1 000 000 for `mill. kr`
    accounts: bool = False  # parenthesised cells are negative

    @property
    def amount_columns(self) -> list[str]:
        """Header columns that hold amounts: every column after the label (and project number) column."""
        skip = 1 + sum(1 for c in self.columns[:2] if re.match(r"(?i)prosjekt", c))
        return self.columns[skip:]

    def column_of(self, row: TableRow, cell: Cell) -> str | None:
        amount_columns = self.amount_columns
        if cell.column is not None:
            index = cell.column - (len(self.columns) - len(amount_columns))
            return amount_columns[index] if 0 <= index < len(amount_columns) else None
        position = row.cells.index(cell) + len(amount_columns) - len(row.cells)  # right-aligned
        return amount_columns[position] if 0 <= position < len(amount_columns) else None


def split_header(header: str) -> list[str]:
    """Column names: tab-separated when there are tabs, else a new column at each capitalised word
    (`Fylke Vektet fordeling SØKNADSSUM 2023 TILSKUDD 2023` → 4 columns)."""
    plain = _MARKUP.sub("", header).strip()
    if "\t" in plain:
        return [c.strip() for c in plain.split("\t") if c.strip()]
    columns: list[list[str]] = []
    for word in plain.split():
        if word[:1].isupper() or not columns:
            columns.append([word])
        else:
            columns[-1].append(word)
    return [" ".join(c) for c in columns]


def _lines(text: str):
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


_last_read: tuple[str, list[MoneyTable]] = ("", [])


def money_tables(text: str) -> list[MoneyTable]:
    """Every money table in ``text``; cell spans are offsets into ``text``.

    The entity stage (table cells) and the grant reader both ask for one document's tables, one after the
    other: the second gets the first's answer. One entry only, so nothing accumulates across documents."""
    global _last_read
    if text and text == _last_read[0]:
        return list(_last_read[1])
    tables = _read_money_tables(text)
    _last_read = (text, tables)
    return list(tables)


def table_scale(header: str, caption: str = "") -> int:
    """What the header or its caption says each cell counts: 1000 (`i 1000 kr`), 1 000 000 (`mill. kr`) or 1."""
    for words in (header, caption):
        if _THOUSANDS.search(words):
            return 1000
        if _MILLIONS.search(words):
            return 10**6
    return 1


def _read_money_tables(text: str) -> list[MoneyTable]:
    tables: list[MoneyTable] = []
    current: MoneyTable | None = None
    gap = 0
    previous = ""
    for offset, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            gap += 1
            if gap > _MAX_GAP_LINES:
                current = None
            continue
        gap = 0
        plain = _MARKUP.sub("", stripped)
        caption, previous = previous, plain
        if _is_header(plain):
            current = MoneyTable(line, offset, split_header(line), scale=table_scale(plain, caption),
                                 accounts=bool(_ACCOUNTS.search(plain) or _ACCOUNTS.search(caption)))
            tables.append(current)
            continue
        if current is None:
            continue
        if len(plain) > _MAX_ROW or not (_ROW_SHAPE.match(plain) or current.scale > 1 and _SCALED_ROW.match(plain)):
            current = None
            continue
        row = _row(line, offset, current)
        if not row.cells and (len(row.label) > _MAX_LABEL_ONLY or row.label.endswith((".", ":", ","))):
            current = None  # prose, not a row label
            continue
        current.rows.append(row)
        if row.is_total:
            current = None
    return [t for t in tables if sum(1 for r in t.rows if r.cells) >= 2]


def money_table_rows(text: str) -> list[TableRow]:
    return [row for table in money_tables(text) for row in table.rows]


def _is_header(plain: str) -> bool:
    """Short, speaks of money and not of counted things, holds no amounts, and does not read like the end of a sentence."""
    return (len(plain) <= _MAX_HEADER and bool(_MONEY_HEADER.search(plain)) and not _GROUPED.search(_THOUSANDS.sub("", plain))
            and not _HEADER_END.search(plain) and len(plain.split()) <= 12 and not _COUNT_HEADER.search(plain)
            and not _TOTAL_LABEL.match(plain))  # a lone `Sum` is a total row's label, not a header


_SCALED_ROW = re.compile(rf"^(?:\d{{4,8}}[\t{SPACES}]+)?[^\d\t]{{0,80}}?(?:(?:[\t{SPACES}]+|^)\(?[-−]?\d{{1,3}}(?:[{SPACES}]\d{{3}})*"
                         rf"(?:,\d{{1,2}})?\)?)+[\t{SPACES}]*$")


def _row(line: str, offset: int, table: MoneyTable | None = None) -> TableRow:
    project = _PROJECT_PREFIX.match(line)
    body_start = project.end() if project else 0
    plain_body = _MARKUP.sub("", line[body_start:]).strip()
    label = re.split(r"\t|\s(?=(?:Kr\.?\s*)?\(?\d)", plain_body, maxsplit=1)[0].strip()
    tab_starts = [0] + [i + 1 for i, ch in enumerate(line) if ch == "\t"] if "\t" in line else None
    scale = table.scale if table else 1
    cells = []
    for m in (_SCALED_CELL if scale > 1 else _GROUPED).finditer(line, body_start):
        raw = m.group(0)
        inner = raw.strip("()")
        start = offset + m.start() + (1 if raw.startswith("(") else 0)
        end = offset + m.end() - (1 if raw.endswith(")") else 0)
        column = None if tab_starts is None else max(i for i, s in enumerate(tab_starts) if s <= m.start())
        parenthesised = raw.startswith("(") and raw.endswith(")")
        value = parse_number(inner.lstrip("-−")) * scale
        if inner[:1] in "-−" or parenthesised and table is not None and table.accounts:
            value = -value
        cells.append(Cell(AmountMatch(value, start, end, line[start - offset:end - offset]), column, parenthesised))
    return TableRow(offset, label, tuple(cells), project.group(1) if project else None, "<b>" in line.lower())
