"""Keep the warehouse's reference tables (counties, municipalities, parties) in step with the shipped refdata.

The marts name places by the code valid on the document's date; the names come from the same
package data the entity stage uses, so the warehouse and the JSON contract never disagree.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from importlib import resources

import duckdb

from kommune_etl import refdata
from kommune_etl.warehouse.bulk import insert_rows

# table -> (refdata file, columns taken from it, in table order)
REFERENCE_TABLES = {
    "ref_counties": ("counties.csv", ("code", "name", "valid_from", "valid_to")),
    "ref_municipalities": ("municipalities.csv", ("code", "name", "county", "valid_from", "valid_to")),
    "ref_parties": ("parties.csv", ("code", "name")),
}


def _file_sha256(name: str) -> str:
    return hashlib.sha256(resources.files(refdata.__name__).joinpath(name).read_bytes()).hexdigest()


def refresh_reference_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Reload each reference table whose refdata file changed since it was loaded; return the reloaded names."""
    loaded = dict(con.execute("SELECT name, sha256 FROM reference_versions").fetchall())
    reloaded = []
    for table, (name, columns) in REFERENCE_TABLES.items():
        digest = _file_sha256(name)
        if loaded.get(name) == digest:
            continue
        rows = [tuple(row[c] or None for c in columns) for row in refdata.load(name)]
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DELETE FROM {table}")
            insert_rows(con, table, columns, rows)
            con.execute("INSERT OR REPLACE INTO reference_versions (name, sha256, rows, loaded_at) VALUES (?, ?, ?, ?)",
                        [name, digest, len(rows), datetime.now(timezone.utc)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        reloaded.append(table)
    return reloaded
