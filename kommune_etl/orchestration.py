"""What the kommune-etl DAGs (dags/) share: the warehouse Asset, deployment paths and the failure alert.

Cheap to import (no pipeline, spaCy or GX imports here).
"""

from __future__ import annotations

import os

from airflow.sdk import Asset

DEFAULT_DB = os.environ.get("KOMMUNE_ETL_DB", "/data/warehouse/warehouse.duckdb")
DEFAULT_INBOX = os.environ.get("KOMMUNE_ETL_INBOX", "/data/inbox")
DEFAULT_REPORTS = os.environ.get("KOMMUNE_ETL_REPORTS", "/data/reports")
STAGING = os.environ.get("KOMMUNE_ETL_STAGING", "")
# HTTP listings the nightly run fetches into the inbox, space-separated
DEFAULT_LISTINGS = os.environ.get("KOMMUNE_ETL_LISTINGS", "").split()
WRITER_POOL = "duckdb_writer"
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
