"""What the kommune-etl DAGs (dags/) share: the warehouse Asset, deployment paths, the failure notifier and
which warehouse a refresh works on.

Cheap to import (no pipeline, spaCy or GX imports here).
"""

from __future__ import annotations

import math
import os

from airflow.sdk import Asset, BaseNotifier

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

# The nightly load task emits it, with the warehouse it loaded in the event's extra (`db`); the refresh DAG is
# scheduled on it and works on that warehouse (refreshed_warehouse).
WAREHOUSE = Asset("kommune_etl_warehouse", uri="file:///data/warehouse/warehouse.duckdb")


class FailureAlert(BaseNotifier):
    """Airflow's notifier convention for a task that failed for good (``on_failure_callback``), delivered through
    the quality alert channels (webhook, SMTP, log) so a failed night reaches whoever hears of quarantines.
    ``settings`` default to the environment of the process the callback runs in (the task's worker)."""

    def __init__(self, settings=None):
        super().__init__()
        self.settings = settings

    def notify(self, context) -> None:
        from kommune_etl.quality.alerts import AlertSettings, send_alert

        send_alert(failure_alert(context), self.settings or AlertSettings.from_env())


def failure_alert(context):
    """The alert for a failed task: which task of which run, the error, its warehouse, and where its log is."""
    from kommune_etl.quality.alerts import Alert

    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    if map_index is not None and map_index >= 0:
        task += f"[{map_index}]"
    error = context.get("exception")
    reason = one_line(f"{type(error).__name__}: {error}") if error is not None else "no exception recorded"
    run_id = context.get("run_id") or getattr(ti, "run_id", "?")
    lines = [f"DAG {dag_id}, run {run_id}, task {task}, try {getattr(ti, 'try_number', '?')}: {reason}"]
    params = context.get("params") or {}
    if params.get("db"):
        lines.append(f"Warehouse: {params['db']}")
    if getattr(ti, "log_url", None):
        lines.append(f"Log: {ti.log_url}")
    lines.append("After a fix: clear the task (UI, or `airflow tasks clear`) to run it again.")
    return Alert(f"kommune-etl: task {dag_id}.{task} failed", "\n".join(lines))


def refreshed_warehouse(events, param_db: str) -> str:
    """The warehouse a refresh works on: the one the latest triggering load wrote (``extra["db"]`` of its asset
    event), so a nightly run on a non-default ``db`` is refreshed, reported and published on that warehouse;
    the ``db`` param when no event names one (a manual run)."""
    named = [e for e in events if isinstance(getattr(e, "extra", None), dict) and e.extra.get("db")]
    return str(max(named, key=lambda e: e.timestamp).extra["db"]) if named else param_db


def one_line(text: str) -> str:
    """A message as one log line (a reader's or checker's message may span lines)."""
    return " ".join(str(text).split())


def quarantine_line(source: str, code: str, message: str) -> str:
    """How a task log names a rejected or quarantined document: its name, the reason code and the message."""
    message = one_line(message)
    return f"{source} [{code}] {message.removeprefix(f'{source}: ')}"


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
