"""Views and marts as repeatable definitions: one SQL file per view, re-created when its file changes.

Tables change through numbered migrations (warehouse/migrations), which are history and never edited. A view
holds no data, so its definition is kept as the current text instead: `apply_views` creates each view whose
file's sha256 differs from the one recorded in `schema_views`, drops views no longer shipped, and records what
it did. Views are created after the views they read (found from the names each definition mentions). Migrations
up to 0023 created views too; their final definitions are the files here, so a warehouse of any age ends with
the same views.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import duckdb


def view_files() -> dict[str, str]:
    """view name → SQL of its file (CREATE OR REPLACE VIEW … ; COMMENT ON …)."""
    return {entry.name[:-4]: entry.read_text(encoding="utf-8")
            for entry in resources.files("kommune_etl.warehouse.views").iterdir() if entry.name.endswith(".sql")}


def creation_order(definitions: dict[str, str]) -> list[str]:
    """Every view after the views its definition mentions (depth first, names sorted for a stable order)."""
    mentions = {name: {other for other in definitions if other != name and re.search(rf"\b{other}\b", sql)}
                for name, sql in definitions.items()}
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            raise ValueError(f"views mention each other in a cycle: {sorted(visiting)}")
        visiting.add(name)
        for other in sorted(mentions[name]):
            visit(other)
        visiting.discard(name)
        order.append(name)

    for name in sorted(definitions):
        visit(name)
    return order


def apply_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the views whose definitions changed (all of them in a new warehouse); return their names."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_views'"
                       " AND database_name = current_database()").fetchone()[0]:
        con.execute("CREATE TABLE schema_views (name VARCHAR PRIMARY KEY, checksum VARCHAR NOT NULL,"
                    " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)")
        con.execute("COMMENT ON TABLE schema_views IS 'Grain: one row per view created from warehouse/views. Keys: name. "
                    "checksum is the sha256 of the view''s file as applied; a changed file re-creates the view.'")
    recorded = dict(con.execute("SELECT name, checksum FROM schema_views").fetchall())
    definitions = view_files()
    changed = [name for name in creation_order(definitions)
               if recorded.get(name) != hashlib.sha256(definitions[name].encode("utf-8")).hexdigest()]
    retired = sorted(set(recorded) - set(definitions))
    if not changed and not retired:
        return []
    con.execute("BEGIN TRANSACTION")
    try:
        for name in retired:
            con.execute(f"DROP VIEW IF EXISTS {name}")
            con.execute("DELETE FROM schema_views WHERE name = ?", [name])
        for name in changed:
            con.execute(definitions[name])
            con.execute("INSERT OR REPLACE INTO schema_views (name, checksum, applied_at) VALUES (?, ?, current_timestamp)",
                        [name, hashlib.sha256(definitions[name].encode("utf-8")).hexdigest()])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return changed + retired
