"""The run-size guard: a run that saw no documents where the last runs saw some is an error (a silent night
is not a success), a count far outside the last runs' a warning.

A run that loaded documents checks these two through GX with the other warehouse checks
(quality.warehouse_checks). A run that loaded nothing changed no content and validated nothing, so the content
checks cannot have changed and this guard is the one check left: it is two comparisons, evaluated here from the
same numbers so that an idle night imports neither GX nor pandas (issue 21: a no-op run costs what opening the
warehouse costs)."""

from __future__ import annotations

import duckdb

from kommune_etl.quality.severity import ERROR, WARNING

SUITE = "warehouse_runs"
BAND = (0.5, 2.0)  # this run's documents over the median of the last five runs of its command
RECENT_RUNS = 5


def run_band(con: duckdb.DuckDBPyConnection, run_id: int) -> dict:
    """This run's document count against the median of the last runs of the same command."""
    seen, command = con.execute("SELECT documents_new + documents_unchanged + documents_updated + documents_quarantined,"
                                " command FROM runs WHERE run_id = ?", [run_id]).fetchone()
    previous = con.execute("SELECT median(documents_new + documents_unchanged + documents_updated + documents_quarantined)"
                           " FROM (SELECT * FROM runs WHERE run_id < ? AND command = ? ORDER BY run_id DESC LIMIT ?)",
                           [run_id, command, RECENT_RUNS]).fetchone()[0]
    return {"documents_seen": seen, "previous_median": previous,
            "zero_after_documents": bool(seen == 0 and (previous or 0) > 0),
            "ratio_to_previous": (seen / previous) if previous else None}


def run_size_specs() -> list[tuple[str, str, str, dict]]:
    """The guard as GX checks it with the other warehouse checks: (check, severity, expectation, kwargs)."""
    return [("run_not_empty_after_documents", ERROR, "ExpectColumnValuesToBeInSet",
             {"column": "zero_after_documents", "value_set": [False]}),
            ("run_size_within_band", WARNING, "ExpectColumnValuesToBeBetween",
             {"column": "ratio_to_previous", "min_value": BAND[0], "max_value": BAND[1]})]


def run_size_checks(band: dict) -> list[tuple[str, str, bool, str]]:
    """(check, severity, success, observed) of both checks of `run_size_specs`, evaluated directly, in the words
    their GX results have (quality.messages) when failing."""
    from kommune_etl.quality.messages import sentence

    (not_empty, not_empty_severity, _, _), (within_band, band_severity, _, bounds) = run_size_specs()
    zero, ratio = band["zero_after_documents"], band["ratio_to_previous"]
    within = ratio is None or bounds["min_value"] <= ratio <= bounds["max_value"]
    return [(not_empty, not_empty_severity, not zero, "" if not zero else sentence(not_empty, band, bounds, zero)),
            (within_band, band_severity, within, "" if within else sentence(within_band, band, bounds, ratio))]


def record_run_size_checks(con: duckdb.DuckDBPyConnection, run_id: int) -> list[tuple[str, str, bool, str]]:
    """Evaluate and store the guard for ``run_id`` (suite `warehouse_runs`, sha256 '', like GX's results)."""
    checks = run_size_checks(run_band(con, run_id))
    con.executemany("INSERT INTO quality_results (run_id, sha256, suite, check_name, severity, success, unexpected, "
                    "observed) VALUES (?, '', ?, ?, ?, ?, ?, ?)",
                    [[run_id, SUITE, name, severity, success, 0 if success else 1, observed]
                     for name, severity, success, observed in checks])
    return checks
