"""What the kommune-etl DAGs (dags/) share: the warehouse Asset, deployment paths and the failure alert.

Cheap to import (no pipeline, spaCy or GX imports here).
"""

from __future__ import annotations

import math
import os

from airflow.sdk import Asset

DEFAULT_DB = os.environ.get("KOMMUNE_ETL_DB", "/data/warehouse/warehouse.duckdb")
DEFAULT_INBOX = os.environ.get("KOMMUNE_ETL_INBOX", "/data/inbox")
DEFAULT_REPORTS = os.environ.get("KOMMUNE_ETL_REPORTS", "/data/reports")
STAGING = os.environ.get("KOMMUNE_ETL_STAGING", "")
# HTTP listings the nightly run fetches into the inbox, space-separated
DEFAULT_LISTINGS = os.environ.get("KOMMUNE_ETL_LISTINGS", "").split()
WRITER_POOL = "duckdb_writer"
# Documents per mapped `process` task instance: each instance pays Airflow's start, the pipeline's imports and
# GX's fixed cost once (docs/decisions/0011-process-in-batches.md); $KOMMUNE_ETL_BATCH_SIZE or the DAG param
BATCH_SIZE = int(os.environ.get("KOMMUNE_ETL_BATCH_SIZE", "25"))
# `process` instances of one DAG run that may run at once (each holds spaCy and a bounded PDF reader)
PROCESS_PARALLELISM = 2
# When the nightly DAG runs (cron, Europe/Oslo); "manual" = only when triggered
NIGHTLY_SCHEDULE = os.environ.get("KOMMUNE_ETL_NIGHTLY_SCHEDULE", "0 2 * * *")

# The nightly load task emits it; the refresh DAG is scheduled on it.
WAREHOUSE = Asset("kommune_etl_warehouse", uri="file:///data/warehouse/warehouse.duckdb")


def alert_on_failure(context) -> None:
    """Failure callback: the same alert channels as quality alerts (webhook, SMTP, log)."""
    from quality.alerts import Alert, AlertSettings, send_alert

    ti = context.get("task_instance")
    send_alert(Alert(f"kommune-etl: task {getattr(ti, 'task_id', '?')} failed",
                     f"DAG run {context.get('run_id')}: {context.get('exception')}"), AlertSettings.from_env())


def batches(items: list[str], max_size: int, parallel: int = PROCESS_PARALLELISM) -> list[list[str]]:
    """Split ``items`` into as few batches of at most ``max_size`` as possible, but at least ``parallel`` of
    them when there are enough items (so parallel task instances have work), sizes differing by at most one."""
    if not items:
        return []
    count = min(len(items), max(math.ceil(len(items) / max(1, max_size)), parallel))
    size, extra = divmod(len(items), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (index < extra)
        out.append(items[start:end])
        start = end
    return out


def batch_label(paths: list[str]) -> str:
    """How a `process` task instance is named in the Airflow UI: its first file and how many follow."""
    first = os.path.basename(paths[0]) if paths else "(empty)"
    return first if len(paths) <= 1 else f"{first} +{len(paths) - 1}"
