"""DuckLake mode: many loaders, one lakehouse (PostgreSQL catalog + Parquet data files).

A DuckDB file allows one writing process. To scale out, each loader (an Airflow worker, a CLI run)
ingests into its own DuckDB file as usual — same stages, validation and quarantine — and then
*publishes* what changed into a DuckLake whose catalog lives in PostgreSQL. DuckLake commits are
transactions in that catalog, so loaders publish concurrently; analysts ATTACH the lake from any DuckDB
and query the same views and marts as in the single-file warehouse (docs/decisions/0009).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kommune_etl.warehouse.extensions import load_extension
from kommune_etl.warehouse.views import creation_order

LAKE_ENV, LAKE_DATA_ENV = "KOMMUNE_ETL_LAKE", "KOMMUNE_ETL_LAKE_DATA"
ALIAS = "lake"
# Surrogate ids numbered by each loader's own sequences: meaningless (and colliding) across loaders.
LOADER_LOCAL_COLUMNS = {"entities": ["entity_id"], "quarantine": ["quarantine_id"], "quality_issues": ["issue_id"]}
# Reference facts every loader ships identically; copied once when the lake is created.
REFERENCE_TABLES = ["county_lineage", "ref_counties", "ref_municipalities", "ref_parties"]
# Loader-local bookkeeping that stays in the loader's file (runs, their quality summaries, the search copy).
#: Tables derived across documents (who is who, which handlings are one case) are rebuilt whole by each warehouse,
#: so they cannot be published document by document; they and the views over them stay in the warehouse
#: (docs/decisions/0017).
DERIVED_TABLES = {"persons", "person_names", "person_mentions", "person_links", "memberships", "cases", "case_handlings",
                  "organisations", "organisation_mentions"}
NOT_PUBLISHED = {"runs", "quality_runs", "quality_results", "search_pages", "search_terms", "schema_migrations",
                 "schema_views", "reference_versions", *DERIVED_TABLES}


@dataclass(frozen=True)
class LakeConfig:
    catalog: str            # e.g. "postgres:dbname=kommune_lake host=127.0.0.1 user=postgres"
    data_path: Path         # where the Parquet data files go (a folder, or object storage in production)

    @classmethod
    def from_env(cls) -> LakeConfig | None:
        catalog = os.environ.get(LAKE_ENV)
        if not catalog:
            return None
        return cls(catalog, Path(os.environ.get(LAKE_DATA_ENV, "data/lake")))

    def attach_sql(self) -> str:
        catalog = self.catalog.replace("'", "''")
        data = str(self.data_path).rstrip("/").replace("'", "''") + "/"
        return f"ATTACH 'ducklake:{catalog}' AS {ALIAS} (DATA_PATH '{data}')"


@dataclass
class PublishSummary:
    documents: int = 0
    commits: int = 0
    retries: int = 0


def attach_lake(con: duckdb.DuckDBPyConnection, config: LakeConfig) -> None:
    """Attach the lake as ``lake`` (extensions load from their wheels; nothing is downloaded)."""
    for name in ("ducklake", "postgres_scanner"):
        load_extension(con, name)
    if con.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [ALIAS]).fetchone()[0]:
        return
    Path(config.data_path).mkdir(parents=True, exist_ok=True)
    con.execute(config.attach_sql())


def open_lake_reader(config: LakeConfig) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached and selected: `SELECT * FROM mart_grants` just works."""
    con = duckdb.connect()
    attach_lake(con, config)
    con.execute(f"USE {ALIAS}")
    return con


def _staging(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_database()").fetchone()[0]


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The loader's tables keyed by document (a `sha256` column), which publishing copies per document."""
    staging = _staging(con)
    return [r[0] for r in con.execute(
        """SELECT table_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main'
           AND column_name = 'sha256' AND table_name IN (SELECT table_name FROM duckdb_tables()
                                                          WHERE database_name = ? AND schema_name = 'main')
           ORDER BY table_name""", [staging, staging]).fetchall() if r[0] not in NOT_PUBLISHED]


def _select(table: str, staging: str) -> str:
    excluded = LOADER_LOCAL_COLUMNS.get(table)
    return f"SELECT * {'EXCLUDE (' + ', '.join(excluded) + ')' if excluded else ''} FROM {staging}.main.{table}"


def _with_retries(con: duckdb.DuckDBPyConnection, work, summary: PublishSummary, attempts: int = 12) -> None:
    """Run ``work`` in one lake transaction; on a commit conflict with another loader, roll back and retry."""
    for attempt in range(attempts):
        con.execute("BEGIN TRANSACTION")
        try:
            work()
            con.execute("COMMIT")
            summary.commits += 1
            return
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            if attempt == attempts - 1 or not _is_conflict(exc):
                raise
            summary.retries += 1
            time.sleep(min(0.05 * 2 ** attempt, 2.0))


def _is_conflict(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return isinstance(exc, duckdb.TransactionException) or "conflict" in text or "retry" in text


def init_lake(con: duckdb.DuckDBPyConnection, config: LakeConfig) -> None:
    """Create the lake's tables, reference data, macros and views from the loader's (migrated) schema.

    Idempotent and safe to run from several loaders at once: each step is one lake transaction,
    retried on conflict, and views are only replaced when the loader's schema is newer than the lake's.
    """
    attach_lake(con, config)
    staging = _staging(con)
    summary = PublishSummary()

    def create_tables() -> None:
        con.execute(f"CREATE TABLE IF NOT EXISTS {ALIAS}.lake_schema (version INTEGER, published_at TIMESTAMPTZ)")
        for table in published_tables(con) + REFERENCE_TABLES:
            con.execute(f"CREATE TABLE IF NOT EXISTS {ALIAS}.{table} AS {_select(table, staging)} LIMIT 0")
        for table in REFERENCE_TABLES:
            if con.execute(f"SELECT count(*) FROM {ALIAS}.{table}").fetchone()[0] == 0:
                con.execute(f"INSERT INTO {ALIAS}.{table} {_select(table, staging)}")

    _with_retries(con, create_tables, summary)
    version = con.execute(f"SELECT max(version) FROM {staging}.main.schema_migrations").fetchone()[0]

    def create_views() -> None:
        current = con.execute(f"SELECT max(version) FROM {ALIAS}.lake_schema").fetchone()[0]
        if current is not None and current >= version:
            return
        _create_views(con, staging)
        con.execute(f"INSERT INTO {ALIAS}.lake_schema VALUES (?, now())", [version])

    _with_retries(con, create_views, summary)


def _create_views(con: duckdb.DuckDBPyConnection, staging: str) -> None:
    """Macros, then views in dependency order (a view is created after every view it names)."""
    macros = con.execute(
        """SELECT function_name, parameters, macro_definition FROM duckdb_functions()
           WHERE database_name = ? AND schema_name = 'main' AND function_type = 'macro' AND NOT internal""",
        [staging]).fetchall()
    views = dict(con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE database_name = ? AND schema_name = 'main' AND NOT internal",
        [staging]).fetchall())
    con.execute(f"USE {ALIAS}")  # unqualified names in the bodies must bind to the lake's tables
    try:
        for name, parameters, definition in macros:
            con.execute(f"CREATE OR REPLACE MACRO {name}({', '.join(parameters)}) AS {definition}")
        skipped = set(DERIVED_TABLES)
        for name in creation_order(views):
            body = views[name].split(" AS ", 1)[1]
            if any(re.search(rf"\b{table}\b", body) for table in skipped):
                skipped.add(name)  # built on what the lake does not hold
                continue
            con.execute(f"CREATE OR REPLACE VIEW {name} AS {body}")
    finally:
        con.execute(f"USE {staging}")


def publish(con: duckdb.DuckDBPyConnection, config: LakeConfig, batch_size: int = 32) -> PublishSummary:
    """Copy every document whose processed state the lake does not have yet, ``batch_size`` per commit.

    A document's rows in every published table are replaced together (delete + insert in one commit),
    so a re-processed document never shows half old, half new. Other loaders may commit in between.
    """
    init_lake(con, config)
    staging = _staging(con)
    changed = [r[0] for r in con.execute(
        f"""SELECT sha256 FROM (SELECT sha256, processed_at FROM {staging}.main.documents
                                EXCEPT SELECT sha256, processed_at FROM {ALIAS}.documents) ORDER BY sha256""").fetchall()]
    summary = PublishSummary()
    tables = published_tables(con)
    for start in range(0, len(changed), batch_size):
        batch = changed[start:start + batch_size]

        def copy_batch() -> None:
            for table in tables:
                if table == "source_versions":
                    sources = f"SELECT source FROM {staging}.main.source_versions WHERE sha256 IN (SELECT unnest(?))"
                    con.execute(f"DELETE FROM {ALIAS}.source_versions WHERE source IN ({sources})", [batch])
                    con.execute(f"INSERT INTO {ALIAS}.source_versions {_select(table, staging)}"
                                f" WHERE source IN ({sources})", [batch])
                    continue
                con.execute(f"DELETE FROM {ALIAS}.{table} WHERE sha256 IN (SELECT unnest(?))", [batch])
                con.execute(f"INSERT INTO {ALIAS}.{table} {_select(table, staging)} WHERE sha256 IN (SELECT unnest(?))",
                            [batch])

        _with_retries(con, copy_batch, summary)
        summary.documents += len(batch)
    return summary
