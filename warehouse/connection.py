"""Where the warehouse lives and how to open it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from warehouse.migrate import migrate
from warehouse.reference import refresh_reference_tables

DEFAULT_DB = Path("data") / "warehouse.duckdb"
DB_ENV = "KOMMUNE_ETL_DB"


def default_db_path() -> Path:
    """`$KOMMUNE_ETL_DB`, else `data/warehouse.duckdb` under the current directory."""
    return Path(os.environ.get(DB_ENV, DEFAULT_DB))


def raw_archive_dir(db_path: Path) -> Path:
    """The raw archive sits beside the warehouse file: `<dir>/raw/`."""
    return Path(db_path).parent / "raw"


def open_warehouse(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, for writers, create and migrate) the DuckDB file."""
    db_path = Path(db_path)
    if read_only:
        if not db_path.exists():
            raise FileNotFoundError(f"no warehouse at {db_path}; run `kommune-etl ingest` first or pass --db")
        return duckdb.connect(str(db_path), read_only=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    migrate(con)
    refresh_reference_tables(con)
    return con
