"""Grant allocation tables: one row per table line and amount column, plus reconciled SUM rows.

Rows are grouped: a county (or network) row owns the municipal sub-rows under it. A parenthesised
county cell is the total of its sub-rows. A stated SUM is compared with the sum over the groups (the
county cell where there is one, else its sub-rows), and the difference is recorded, never raised.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from kommune_etl.models import Page
from kommune_etl.transforms.normalise.amounts import as_number
from kommune_etl.transforms.places import COUNTY, MUNICIPALITY, Gazetteer, default_gazetteer
from kommune_etl.transforms.pagetext import JoinedPages
from kommune_etl.transforms.structures.records import GrantAllocation, TableTotal
from kommune_etl.transforms.tables import MoneyTable, TableRow, money_tables

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_MEANINGS = (
    (re.compile(r"(?i)vekt"), "weighted_share"),
    (re.compile(r"(?i)søknad|søkt|omsøkt"), "applied"),
    (re.compile(r"(?i)til fordeling|fordeles"), "to_distribute"),
    (re.compile(r"(?i)tilskudd|innvilget|tildelt|tildeling|bevilg"), "granted"),
)


def column_meaning(column: str) -> str:
    for pattern, meaning in _MEANINGS:
        if pattern.search(column):
            return meaning
    return "other"


def extract_grants(pages: tuple[Page, ...], on: date, gazetteer: Gazetteer | None = None
                   ) -> tuple[tuple[GrantAllocation, ...], tuple[TableTotal, ...]]:
    gazetteer = gazetteer or default_gazetteer()
    joined = JoinedPages.of(pages)
    text, page_of = joined.text, joined.page_of
    grants: list[GrantAllocation] = []
    totals: list[TableTotal] = []
    for table in money_tables(text):
        network = bool(re.search(r"(?i)nettverk", " ".join(table.columns[:2])))
        groups: list[tuple[TableRow, list[TableRow]]] = []
        levels: dict[int, tuple[str, str | None]] = {}
        rows_on_page: dict[int | None, int] = {}
        for row in table.rows:
            page = page_of(row.line_start)
            rows_on_page[page] = number = rows_on_page.get(page, 0) + 1
            if row.is_total:
                continue
            level, code = _recipient(row.label, on, gazetteer, network)
            levels[row.line_start] = (level, code)
            if level == "municipality" and groups:
                groups[-1][1].append(row)
            else:
                groups.append((row, []))
            for cell in row.cells:
                column = table.column_of(row, cell)
                if column is None:
                    continue
                year = _YEAR.search(column)
                grants.append(GrantAllocation(
                    recipient=row.label, recipient_code=code, recipient_level=level, column=column,
                    column_meaning=column_meaning(column), amount_nok=as_number(cell.amount.value),
                    project_number=row.project_number, year=int(year.group(1)) if year else on.year,
                    page=page, row=number,
                    historical_code=None if code else gazetteer.last_code(row.label.split("/")[0].strip(),
                                                                            MUNICIPALITY if level == "municipality" else COUNTY)))
        totals.extend(_reconcile(table, groups, page_of))
    return tuple(grants), tuple(totals)


def _recipient(label: str, on: date, gazetteer: Gazetteer, network: bool) -> tuple[str, str | None]:
    name = label.split("/")[0].strip()
    counties = gazetteer.resolve(name, COUNTY, on)
    known_county = COUNTY in gazetteer.labels_for(name)
    if known_county:
        return ("network" if network else "county"), (counties[0].code if len(counties) == 1 else None)
    municipalities = gazetteer.resolve(name, MUNICIPALITY, on)
    if municipalities:
        return "municipality", municipalities[0].code if len({u.code for u in municipalities}) == 1 else None
    return ("network" if network else "other"), None


def _reconcile(table: MoneyTable, groups, page_of) -> list[TableTotal]:
    found = []
    for total_row in (r for r in table.rows if r.is_total):
        for cell in total_row.cells:
            column = table.column_of(total_row, cell)
            if column is None:
                continue
            computed = 0
            for top, subs in groups:
                own = _value_in(table, top, column)
                computed += own if own is not None else sum(_value_in(table, s, column) or 0 for s in subs)
            stated, computed = as_number(cell.amount.value), as_number(Decimal(computed))
            found.append(TableTotal(column, stated, computed, stated == computed, stated - computed,
                                    page_of(total_row.line_start)))
    return found


def _value_in(table: MoneyTable, row: TableRow, column: str):
    for cell in row.cells:
        if table.column_of(row, cell) == column:
            return cell.amount.value
    return None
