"""Where the warehouse lives and how to open it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from kommune_etl.atomic import write_atomically
from kommune_etl.warehouse.migrate import check_applied, migrate
from kommune_etl.warehouse.views import apply_views
from kommune_etl.warehouse.reference import refresh_reference_tables

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


class NotAWarehouse(ValueError):
    """The path given as the warehouse is a folder, another kind of file (SQLite, text, …) or a DuckDB file that
    kommune-etl did not make: a usage error, said in one line, and nothing is written to it."""

    def __init__(self, db_path: Path, what: str):
        self.path, self.what = Path(db_path).absolute(), what
        super().__init__(f"{self.path} is not a warehouse ({what})")


#: Bytes 8-11 of every DuckDB database file (after the block checksum).
_DUCKDB_MAGIC = b"DUCK"


def _refuse_other_files(db_path: Path) -> None:
    """Before DuckDB opens it: a folder or a file that is no DuckDB database. DuckDB would otherwise take a
    SQLite file for one to attach (and try to download its SQLite extension), or fail with a traceback."""
    if db_path.is_dir():
        raise NotAWarehouse(db_path, "it is a folder")
    with open(db_path, "rb") as handle:
        head = handle.read(16)
    if head[8:12] != _DUCKDB_MAGIC:
        kind = "a SQLite database" if head.startswith(b"SQLite format 3") else \
            "an empty file" if not head else "not a DuckDB file"
        raise NotAWarehouse(db_path, kind)


def _refuse_other_databases(con: duckdb.DuckDBPyConnection, db_path: Path, read_only: bool) -> None:
    """A DuckDB file without `schema_migrations` is not a warehouse: not read as one (every query would fail on a
    missing table), and not migrated into one when it holds someone else's tables (forty tables added to them).
    An empty DuckDB file may become a warehouse."""
    tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()"
                                              " WHERE database_name = current_database()").fetchall()]
    if "schema_migrations" not in tables and (read_only or tables):
        con.close()
        raise NotAWarehouse(db_path, "a DuckDB database that kommune-etl did not make")


def open_warehouse(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, for writers, create and migrate) the DuckDB file."""
    db_path = Path(db_path)
    if read_only:
        if not db_path.exists():
            raise FileNotFoundError(f"no warehouse at {db_path}; run `kommune-etl ingest` first or pass --db")
        _refuse_other_files(db_path)
        con = duckdb.connect(str(db_path), read_only=True)
        _refuse_other_databases(con, db_path, read_only=True)
        try:
            check_applied(con)  # a reader of a warehouse that lacks an edited migration is told, not misled
        except BaseException:
            con.close()
            raise
        return con
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if not db_path.exists():
        _create(db_path)
    _refuse_other_files(db_path)
    con = duckdb.connect(str(db_path))
    _refuse_other_databases(con, db_path, read_only=False)
    _bring_up_to_date(con)
    return con


def _bring_up_to_date(con: duckdb.DuckDBPyConnection) -> None:
    """Migrate, re-create changed views and reload changed reference data, then checkpoint. Schema changes must not live only in the WAL:
    DuckDB 1.5.5 cannot replay `COMMENT ON COLUMN` of a table with a nextval() default (duckdb/duckdb#19712), so a
    crash before the next checkpoint would leave a file that never opens again."""
    applied = migrate(con)
    views = apply_views(con)  # after the tables they read: views are definitions, re-created when they change
    reloaded = refresh_reference_tables(con)
    if applied or views or reloaded:
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
