"""Refresh what analysts read after each warehouse load (Airflow 3, scheduled on the warehouse Asset).

export (every mart as year-partitioned Parquet) and report (the HTML report), plus publishing into the
DuckLake when the deployment configures one ($KOMMUNE_ETL_LAKE) — the same functions as
`kommune-etl export`, `report` and `publish` — on the warehouse the triggering load wrote (its Asset event's
`db`), or the `db` param when triggered by hand.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from kommune_etl.orchestration import DEFAULT_DB, DEFAULT_REPORTS, WAREHOUSE, WRITER_POOL, FailureAlert

DOC_MD = """
### warehouse_refresh

Runs after each load of the warehouse (scheduled on the `kommune_etl_warehouse` Asset): `export` writes every
mart as Parquet under `<reports>/exports`, `report` writes `<reports>/html/index.html`, then `publish` copies the
changed documents into the DuckLake when `$KOMMUNE_ETL_LAKE` is set.

Which warehouse: the one the triggering `municipal_records_nightly` load wrote (its Asset event's `extra.db`,
so a nightly run with its own `db` is refreshed on that file); the `db` param only when there is no such event,
i.e. when you trigger this DAG by hand.

| param | what it does |
|---|---|
| `db` | the warehouse refreshed when triggered by hand (default `$KOMMUNE_ETL_DB`); ignored when a load triggered the run |
| `reports` | where exports and the HTML report are written (default `$KOMMUNE_ETL_REPORTS`) |
"""


@dag(
    dag_id="warehouse_refresh",
    schedule=[WAREHOUSE],
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Oslo"),
    catchup=False,
    max_active_runs=1,
    doc_md=DOC_MD,
    params={"db": Param(DEFAULT_DB, type="string", description="the warehouse refreshed when triggered by hand; "
                        "a run triggered by a load works on the warehouse that load wrote"),
            "reports": Param(DEFAULT_REPORTS, type="string", description="folder for the Parquet exports and the "
                             "HTML report")},
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1), "retry_exponential_backoff": True,
                  "execution_timeout": timedelta(minutes=30), "on_failure_callback": FailureAlert()},
    tags=["kommune-etl"],
)
def warehouse_refresh():
    def warehouse(params) -> str:
        """The warehouse this run refreshes (kommune_etl.orchestration.refreshed_warehouse), said in the log."""
        import logging

        from airflow.sdk import get_current_context

        from kommune_etl.orchestration import refreshed_warehouse

        events = list((get_current_context().get("triggering_asset_events") or {}).get(WAREHOUSE, []))
        db = refreshed_warehouse(events, params["db"])
        log = logging.getLogger("kommune_etl.refresh")
        log.info("warehouse %s (%s)", db, f"{len(events)} load event(s)" if events else "the db param")
        for other in sorted({str(e.extra.get("db")) for e in events if e.extra and e.extra.get("db")} - {db}):
            log.warning("a load of %s also triggered this run; refresh it by hand with conf {\"db\": \"%s\"}",
                        other, other)
        return db

    @task
    def export(params=None) -> dict:
        """Every mart to <reports>/exports/<mart>/year=YYYY/*.parquet (replaced each time)."""
        from pathlib import Path

        from kommune_etl.warehouse.connection import open_published
        from kommune_etl.warehouse.marts import export_marts

        con = open_published(Path(warehouse(params)))
        try:
            return {e.mart: e.rows for e in export_marts(con, Path(params["reports"]) / "exports", "parquet")}
        finally:
            con.close()

    @task
    def report(params=None) -> str:
        from pathlib import Path

        from kommune_etl.report import write_report
        from kommune_etl.warehouse.connection import open_published

        db = warehouse(params)
        con = open_published(Path(db))
        try:
            return str(write_report(con, Path(params["reports"]) / "html", db))
        finally:
            con.close()

    @task(pool=WRITER_POOL)
    def publish(params=None) -> dict:
        """Into the DuckLake when one is configured (opens the warehouse for writing, hence the pool)."""
        from pathlib import Path

        from kommune_etl.warehouse.lake import LakeConfig

        db = warehouse(params)
        config = LakeConfig.from_env()
        if config is None:
            return {"published": 0, "lake": None, "db": db}
        from kommune_etl.pipeline import publish_to_lake

        summary = publish_to_lake(Path(db), config)
        return {"published": summary.documents, "lake": config.catalog, "db": db}

    # readers first: DuckDB lets several processes read or one write, not both at once
    [export(), report()] >> publish()


warehouse_refresh()
