"""Apply the SQL files in warehouse/migrations in order, once each, recorded in schema_migrations.

Each applied file's sha256 is recorded with it. A file edited after it was applied is an error that names
the file: the warehouse would silently lack the edit (its change belongs in a new migration). Warehouses
made before checksums were recorded get today's checksums on their next opening (trusted on first sight).
Migrations change tables; views and marts are repeatable definitions in warehouse/views (decision 0019).
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import duckdb

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration shipped with the package, in version order."""
    found = []
    for entry in resources.files("kommune_etl.warehouse.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


class MigrationChanged(RuntimeError):
    """A migration file differs from the one applied to this warehouse."""


def checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring the schema up to date; return the versions applied now. Each file is one transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    if not _has_checksums(con):
        con.execute("ALTER TABLE schema_migrations ADD COLUMN checksum VARCHAR")
        con.execute("COMMENT ON COLUMN schema_migrations.checksum IS 'sha256 of the migration file as applied; "
                    "an applied file edited later is an error'")
    done = dict(con.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    files = migration_files()
    _check_applied(con, files, done)
    applied = []
    for version, name, sql in files:
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                        [version, name, checksum(sql)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def check_applied(con: duckdb.DuckDBPyConnection) -> None:
    """For readers: raise MigrationChanged when an applied migration differs from the file shipped now."""
    if _has_checksums(con):
        done = dict(con.execute("SELECT version, checksum FROM schema_migrations").fetchall())
        _check_applied(con, migration_files(), done, record=False)


def _has_checksums(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'schema_migrations'"
                            " AND column_name = 'checksum' AND database_name = current_database()").fetchone()[0])


def _check_applied(con: duckdb.DuckDBPyConnection, files: list[tuple[int, str, str]], done: dict,
                   record: bool = True) -> None:
    """Every applied migration must be the file shipped now; record checksums missing from older warehouses."""
    for version, name, sql in files:
        if version not in done:
            continue
        recorded, current = done[version], checksum(sql)
        if recorded is None:
            if record:
                con.execute("UPDATE schema_migrations SET checksum = ? WHERE version = ?", [current, version])
        elif recorded != current:
            raise MigrationChanged(
                f"migration {version:04d}_{name}.sql was changed after it was applied to this warehouse (sha256 "
                f"{recorded[:12]}… applied, {current[:12]}… shipped), so the warehouse lacks the change. Applied "
                "migrations are never edited: put the change in a new migration file, or rebuild the warehouse "
                "from the raw archive.")
