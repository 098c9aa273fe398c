"""Render the warehouse's live schema (tables, views, columns, their COMMENTs) as Markdown.

docs/warehouse.md is this function's output over a freshly migrated warehouse; a test regenerates it,
so the document cannot drift from the migrations. Descriptions live beside the DDL as COMMENT ON.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from kommune_etl.warehouse.migrate import migrate
from kommune_etl.warehouse.views import apply_views

HEADER = """# Warehouse reference

Generated from the live schema by `uv run python scripts/document_warehouse.py` — do not edit by hand;
change the `COMMENT ON` statements in `warehouse/migrations/` instead (`tests/test_warehouse_docs.py`
fails when this file and the migrations disagree).

Every table and view states its **grain** (what one row is) and its **keys**. Documents are identified
by `sha256` (of their original bytes) everywhere; entity spans (`page_number`, `start_char`, `end_char`)
index into `pages.text`. Views named `mart_*` answer the common questions (README, "Analysts' marts")
and are what `kommune-etl export` writes, partitioned by their `year` column.
"""


def schema_objects(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    """(name, 'table' | 'view', comment) for every user object in the main schema, tables first."""
    tables = con.execute("SELECT table_name, 'table', comment FROM duckdb_tables()"
                         " WHERE schema_name = 'main' AND NOT internal ORDER BY table_name").fetchall()
    views = con.execute("SELECT view_name, 'view', comment FROM duckdb_views()"
                        " WHERE schema_name = 'main' AND NOT internal ORDER BY view_name").fetchall()
    return tables + views


def render_markdown(con: duckdb.DuckDBPyConnection) -> str:
    objects = schema_objects(con)
    lines = [HEADER, "## Contents", ""]
    for kind, title in (("table", "Tables"), ("view", "Views and marts")):
        names = [f"[`{n}`](#{n})" for n, k, _ in objects if k == kind]
        lines.append(f"- **{title}**: " + ", ".join(names))
    lines.append("")
    for name, kind, comment in objects:
        lines += [f"## {name}", "", f"*{kind}* — {comment or '(no description)'}", "",
                  "| column | type | description |", "|---|---|---|"]
        for column, data_type, col_comment in con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns()"
                " WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index", [name]).fetchall():
            lines.append(f"| `{column}` | {_cell(data_type)} | {_cell(col_comment or '')} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_fresh() -> str:
    """The reference for a newly migrated warehouse (what docs/warehouse.md must contain). Migrated into a file and
    opened again, as every real warehouse is: DuckDB binds a view's `d.*` again on opening, so a column added to
    `documents` after the view was made shows in the view only then."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "fresh.duckdb")
        con = duckdb.connect(path)
        migrate(con)
        apply_views(con)
        con.close()
        con = duckdb.connect(path, read_only=True)
        try:
            return render_markdown(con)
        finally:
            con.close()
