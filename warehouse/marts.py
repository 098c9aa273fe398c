"""The analysts' marts (views named mart_*) and their export, partitioned by year."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

FORMATS = ("parquet", "csv")


@dataclass(frozen=True)
class ExportedMart:
    mart: str
    rows: int
    years: list[int | None]
    path: str


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every mart the schema defines, in name order (new marts are exported without code changes)."""
    return [r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main'"
        " AND view_name LIKE 'mart\\_%' ESCAPE '\\'"
        " ORDER BY view_name").fetchall()]


def export_marts(con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str = "parquet") -> list[ExportedMart]:
    """Write each mart to ``out_dir/<mart>/year=<year>/*.<fmt>`` (Hive partitioning) plus ``manifest.json``.

    A mart with no rows gets an empty folder and a manifest entry, so consumers see it exists.
    Rows without a year go to ``year=NULL``. Re-exporting replaces the previous files of each mart.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exported = []
    for mart in mart_names(con):
        target = out_dir / mart
        rows = con.execute(f"SELECT count(*) FROM {mart}").fetchone()[0]
        years = [r[0] for r in con.execute(f"SELECT DISTINCT year FROM {mart} ORDER BY year NULLS LAST").fetchall()]
        target.mkdir(parents=True, exist_ok=True)
        if rows:
            options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
            select = "*" if fmt == "parquet" else _csv_safe_columns(con, mart)
            con.execute(f"COPY (SELECT {select} FROM {mart}) TO '{_sql_path(target)}'"
                        f" ({options}, PARTITION_BY (year), OVERWRITE true)")
        exported.append(ExportedMart(mart, rows, years, str(target)))
    manifest = {"format": fmt, "partitioned_by": "year", "marts": [asdict(e) for e in exported]}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return exported


#: A cell a spreadsheet would run as a formula starts with one of these (OWASP, CSV injection).
_FORMULA_START = r"^[=+\-@\t\r]"


def _csv_safe_columns(con: duckdb.DuckDBPyConnection, mart: str) -> str:
    """Text cells that would start a formula get a leading apostrophe in CSV exports; Parquet keeps them as they are."""
    parts = []
    for name, column_type, *_ in con.execute(f"DESCRIBE {mart}").fetchall():
        quoted = '"' + name.replace('"', '""') + '"'
        if column_type == "VARCHAR":
            parts.append(f"CASE WHEN regexp_matches({quoted}, '{_FORMULA_START}') THEN chr(39) || {quoted} "
                         f"ELSE {quoted} END AS {quoted}")
        else:
            parts.append(quoted)
    return ", ".join(parts)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
