"""Checks on the warehouse after a run: no duplicate documents, no orphan rows, and a run whose document
count falls outside the band of the previous runs (zero documents where there used to be some is an
error, not a quiet success). Results are stored with the run like the per-document ones."""

from __future__ import annotations

import duckdb
import pandas as pd

from kommune_etl.quality.run_size import SUITE, run_band, run_size_specs
from kommune_etl.quality.severity import ERROR

ORPHAN_TABLES = ("pages", "entities", "grant_allocations", "agenda_items", "meetings")


def warehouse_frames(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, pd.DataFrame]:
    # with what a failed check's sentence names: the source, and how often the same sha256 is stored
    documents = con.execute("SELECT sha256, source, left(sha256, 12) AS short_sha256,"
                            " count(*) OVER (PARTITION BY sha256) AS copies FROM documents").df()
    orphans = {f"orphan_{t}": con.execute(f"SELECT count(*) FROM {t} x WHERE NOT EXISTS "
                                          f"(SELECT 1 FROM documents d WHERE d.sha256 = x.sha256)").fetchone()[0]
               for t in ORPHAN_TABLES}
    band = run_band(con, run_id)
    return {"warehouse_documents": documents, "warehouse_orphans": pd.DataFrame([orphans]),
            SUITE: pd.DataFrame([band])}


def warehouse_specs() -> dict[str, list[tuple[str, str, str, dict]]]:
    return {
        "warehouse_documents": [("no_duplicate_documents", ERROR, "ExpectColumnValuesToBeUnique", {"column": "sha256"})],
        "warehouse_orphans": [(f"no_{c}", ERROR, "ExpectColumnValuesToBeBetween", {"column": c, "max_value": 0})
                              for c in (f"orphan_{t}" for t in ORPHAN_TABLES)],
        SUITE: run_size_specs(),
    }


def check_warehouse(con: duckdb.DuckDBPyConnection, run_id: int, gx_root=None) -> list:
    """Validate and store the warehouse checks of ``run_id`` (suite `warehouse_*`, sha256 '')."""
    from kommune_etl.quality.validate import validator_for

    results = validator_for(gx_root).validate_frames(warehouse_frames(con, run_id), warehouse_specs())
    if results:
        con.executemany("INSERT INTO quality_results (run_id, sha256, suite, check_name, severity, success, "
                        "unexpected, observed) VALUES (?, '', ?, ?, ?, ?, ?, ?)", [
            [run_id, c.suite, c.check, c.severity, c.success, c.unexpected, c.observed] for c in results])
    return results
