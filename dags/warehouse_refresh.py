"""Refresh what analysts read after each warehouse load (Airflow 3, scheduled on the warehouse Asset).

export (every mart as year-partitioned Parquet) and report (the HTML report), plus publishing into the
DuckLake when the deployment configures one ($KOMMUNE_ETL_LAKE) — the same functions as
`kommune-etl export`, `report` and `publish`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from kommune_etl.orchestration import DEFAULT_DB, DEFAULT_REPORTS, WAREHOUSE, WRITER_POOL, alert_on_failure


@dag(
    dag_id="warehouse_refresh",
    schedule=[WAREHOUSE],
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Oslo"),
    catchup=False,
    max_active_runs=1,
    params={"db": Param(DEFAULT_DB, type="string"), "reports": Param(DEFAULT_REPORTS, type="string")},
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1), "retry_exponential_backoff": True,
                  "execution_timeout": timedelta(minutes=30), "on_failure_callback": alert_on_failure},
    tags=["kommune-etl"],
)
def warehouse_refresh():
    @task
    def export(params=None) -> dict:
        """Every mart to <reports>/exports/<mart>/year=YYYY/*.parquet (replaced each time)."""
        from pathlib import Path

        from warehouse.connection import open_published
        from warehouse.marts import export_marts

        con = open_published(Path(params["db"]))
        try:
            return {e.mart: e.rows for e in export_marts(con, Path(params["reports"]) / "exports", "parquet")}
        finally:
            con.close()

    @task
    def report(params=None) -> str:
        from pathlib import Path

        from kommune_etl.report import write_report
        from warehouse.connection import open_published

        con = open_published(Path(params["db"]))
        try:
            return str(write_report(con, Path(params["reports"]) / "html", params["db"]))
        finally:
            con.close()

    @task(pool=WRITER_POOL)
    def publish(params=None) -> dict:
        """Into the DuckLake when one is configured (opens the warehouse for writing, hence the pool)."""
        from pathlib import Path

        from warehouse.lake import LakeConfig

        config = LakeConfig.from_env()
        if config is None:
            return {"published": 0, "lake": None}
        from kommune_etl.pipeline import publish_to_lake

        summary = publish_to_lake(Path(params["db"]), config)
        return {"published": summary.documents, "lake": config.catalog}

    # readers first: DuckDB lets several processes read or one write, not both at once
    [export(), report()] >> publish()


warehouse_refresh()
