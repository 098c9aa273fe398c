"""Where the warehouse lives and how to open it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from kommune_etl.atomic import write_atomically
from warehouse.migrate import check_applied, migrate
from warehouse.reference import refresh_reference_tables

DEFAULT_DB = Path("data") / "warehouse.duckdb"
DB_ENV = "KOMMUNE_ETL_DB"


def default_db_path() -> Path:
    """`$KOMMUNE_ETL_DB`, else `data/warehouse.duckdb` under the current directory."""
    return Path(os.environ.get(DB_ENV, DEFAULT_DB))


def raw_archive_dir(db_path: Path) -> Path:
    """The raw archive sits beside the warehouse file: `<dir>/raw/`."""
    return Path(db_path).parent / "raw"


def published_path(db_path: Path) -> Path:
    """The read-only copy analysts read, beside the warehouse: `warehouse.duckdb` → `warehouse.published.duckdb`."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.published{db_path.suffix or '.duckdb'}")


def publish_snapshot(con: duckdb.DuckDBPyConnection, db_path: Path) -> Path:
    """Checkpoint the writer's file and copy it, whole, to the published snapshot (written beside it and renamed
    into place). Called by the single writer before it lets go of the file, so no other write can interleave;
    a reader that has the previous snapshot open keeps reading it until it opens again."""
    import shutil

    con.execute("CHECKPOINT")
    target = published_path(db_path)
    with open(db_path, "rb") as source:
        write_atomically(target, lambda handle: shutil.copyfileobj(source, handle, 16 * 1024 * 1024))
    return target


def open_published(db_path: Path) -> duckdb.DuckDBPyConnection:
    """What analysts read (`query`, `status`, `search`, `report`, `export`, `quality`): the snapshot the last run
    published, so a reader never holds the writer's file (DuckDB allows no reader beside a writing process) and
    never sees half a run. A warehouse no run has published yet is read directly."""
    snapshot = published_path(db_path)
    return open_warehouse(snapshot if snapshot.exists() else db_path, read_only=True)


def open_warehouse(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, for writers, create and migrate) the DuckDB file."""
    db_path = Path(db_path)
    if read_only:
        if not db_path.exists():
            raise FileNotFoundError(f"no warehouse at {db_path}; run `kommune-etl ingest` first or pass --db")
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            check_applied(con)  # a reader of a warehouse that lacks an edited migration is told, not misled
        except BaseException:
            con.close()
            raise
        return con
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if not db_path.exists():
        _create(db_path)
    con = duckdb.connect(str(db_path))
    _bring_up_to_date(con)
    return con


def _bring_up_to_date(con: duckdb.DuckDBPyConnection) -> None:
    """Migrate and reload changed reference data, then checkpoint. Schema changes must not live only in the WAL:
    DuckDB 1.5.5 cannot replay `COMMENT ON COLUMN` of a table with a nextval() default (duckdb/duckdb#19712), so a
    crash before the next checkpoint would leave a file that never opens again."""
    applied = migrate(con)
    reloaded = refresh_reference_tables(con)
    if applied or reloaded:
        con.execute("CHECKPOINT")


def _create(db_path: Path) -> None:
    """Build a new warehouse beside its final name and move it into place once it is migrated and checkpointed,
    so a crash during creation leaves no half-made file under the warehouse's name (the next run starts over)."""
    creating = db_path.with_name(db_path.name + ".creating")
    for leftover in (creating, creating.with_name(creating.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(creating))
    try:
        _bring_up_to_date(con)
    finally:
        con.close()
    os.replace(creating, db_path)
