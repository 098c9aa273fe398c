"""The DAGs executed by real Airflow 3: `dag.test()` against a migrated metadata DB (SQLite, then the
PostgreSQL on localhost), asserting task states and what landed in DuckDB."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import duckdb
import pytest

from airflow_env import PSQL, airflow_env, dag_test, migrate
from conftest import SAMPLES_TEXT

pytestmark = pytest.mark.slow  # real Airflow runs (PostgreSQL metadata, dag.test)

# five samples, default batch size: two mapped process instances (at least PROCESS_PARALLELISM batches)
NIGHTLY_TASKS = ([["discover", -1, "success"], ["fetch", -1, "success"], ["load", -1, "success"]]
                 + [["process", i, "success"] for i in range(2)])
NIGHTLY_BATCHES = ["digitrofi_helseteknologi_frokostmote_oppdragsbrev_2024.txt +2",
                   "kristiansand_oppvekstutvalget_referat_2025-03-18.txt +1"]


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for path in sorted(SAMPLES_TEXT.glob("*.txt")):
        shutil.copy(path, folder)
    return folder


def _warehouse_rows(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""SELECT (SELECT count(*) FROM documents WHERE status = 'ok'),
                                     (SELECT count(*) FROM grant_allocations),
                                     (SELECT list(command) FROM runs),
                                     (SELECT votes_for || '-' || votes_against FROM agenda_items
                                      WHERE case_number = '14/25')""").fetchone()
    finally:
        con.close()


def _first_nightly(env, tmp_path, inbox, backend: str):
    """Migrate the metadata DB, run the nightly DAG over the samples, check tasks and warehouse rows."""
    migrate(env)
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    result = dag_test(env, "municipal_records_nightly", {"inbox": str(inbox), "db": str(db)})
    assert result["backend"] == backend
    assert result["state"] == "success" and result["tasks"] == NIGHTLY_TASKS
    assert result["labels"] == NIGHTLY_BATCHES            # map_index_template: first file of each batch
    assert _warehouse_rows(db) == (5, 49, ["airflow"], "10-1")
    return db


def test_nightly_then_refresh_with_dag_test_on_sqlite(tmp_path, inbox):
    env = airflow_env(tmp_path / "airflow")
    db = _first_nightly(env, tmp_path, inbox, "sqlite")

    # nothing new: the mapped process expands to zero, and the writer still records the night (five documents
    # seen unchanged), so the warehouse checks run and a night with none where there were some would alert.
    # An analyst holds the published snapshot open through the whole nightly run (issue 20, point 2): the run
    # succeeds, the analyst keeps seeing the previous run whole, and a new reader sees the new one.
    from kommune_etl.warehouse.connection import open_published

    analyst = open_published(db)
    seen_before = analyst.execute("SELECT count(*), max(run_id) FROM runs").fetchone()
    again = dag_test(env, "municipal_records_nightly", {"inbox": str(inbox), "db": str(db)})
    assert analyst.execute("SELECT count(*), max(run_id) FROM runs").fetchone() == seen_before == (1, 1)
    analyst.close()
    fresh = open_published(db)
    assert fresh.execute("SELECT count(*), max(run_id) FROM runs").fetchone() == (2, 2)
    fresh.close()
    assert again["state"] == "success"
    assert again["tasks"] == [["discover", -1, "success"], ["fetch", -1, "success"], ["load", -1, "success"],
                              ["process", -1, "skipped"]]
    assert _warehouse_rows(db)[2] == ["airflow", "airflow"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT documents_new, documents_unchanged FROM runs ORDER BY run_id DESC LIMIT 1"
                       ).fetchone() == (0, 5)
    con.close()

    reports = tmp_path / "reports"
    refresh = dag_test(env, "warehouse_refresh", {"db": str(db), "reports": str(reports)})
    assert refresh["state"] == "success"
    assert {t[0] for t in refresh["tasks"]} == {"export", "report", "publish"}
    assert (reports / "html" / "index.html").read_text(encoding="utf-8").count("<svg") == 7   # + attendance per body
    back = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{reports}/exports/mart_grants/*/*.parquet')").fetchone()[0]
    assert back == 49


def test_nightly_with_dag_test_on_postgresql_metadata(tmp_path, inbox):
    name = f"airflow_test_{uuid.uuid4().hex[:10]}"
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True)
    try:
        env = airflow_env(tmp_path / "airflow", f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}")
        _first_nightly(env, tmp_path, inbox, "postgresql")
        tables = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-tAc",
                                 "SELECT count(*) FROM task_instance WHERE dag_id = 'municipal_records_nightly'"],
                                capture_output=True, text=True, check=True).stdout.strip()
        assert tables == "5"
    finally:
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)


def test_nightly_fetches_sources_and_a_listing_before_discovering(tmp_path, inbox):
    """The fetch task reads a configured Elements source over a date window (params sources/date_from/date_to,
    $KOMMUNE_ETL_SOURCES) and an ad-hoc HTTP listing (listing_urls) into the inbox; restricted links are not
    fetched; the watermark stays (a window is a backfill)."""
    from conftest import SAMPLES_PDF
    from local_api import Answer, file_answer, json_answer, serve
    from test_elements_source import SOURCES, TENANT, respond as elements

    pdf = (SAMPLES_PDF / "kristiansand_oppvekstutvalget_referat_2025-03-18.pdf").read_bytes()

    def respond(path, query, headers):
        if path.startswith("/publikum/"):
            return elements(path, query, headers)
        if path == "/feed.json":
            return json_answer({"items": [{"url": "/protokoll.pdf"}, {"url": "/lukket.pdf", "restricted": True}]})
        return file_answer(pdf, headers) if path == "/protokoll.pdf" else Answer(404, {})

    with serve(respond) as (url, requests):
        config = tmp_path / "sources.toml"
        config.write_text(SOURCES.format(url=url, tenant=TENANT), encoding="utf-8")
        env = airflow_env(tmp_path / "airflow", KOMMUNE_ETL_SOURCES=str(config))
        migrate(env)
        db = tmp_path / "warehouse" / "warehouse.duckdb"
        result = dag_test(env, "municipal_records_nightly",
                          {"inbox": str(inbox), "db": str(db), "listing_urls": [f"{url}/feed.json"],
                           "sources": ["steinkjer"], "date_from": "2023-11-01", "date_to": "2023-11-30",
                           "batch_size": 3})
    assert result["state"] == "success"
    # 7 documents, at most 3 per batch: three mapped process instances of 3, 2 and 2 documents
    assert [t for t in result["tasks"] if t[0] == "process"] == [["process", i, "success"] for i in range(3)]
    assert sorted(label.rsplit(" +", 1)[1] for label in result["labels"]) == ["1", "1", "2"]
    asked = [p for p, _, _ in requests]
    assert "/feed.json" in asked and "/protokoll.pdf" in asked and "/lukket.pdf" not in asked
    assert [q["year"] for p, q, _ in requests if p.endswith("DmbMeetings")] == ["2023"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0] == 7
    assert con.execute("SELECT status FROM fetched_documents WHERE url LIKE '%lukket.pdf'").fetchone() == ("restricted",)
    assert con.execute("SELECT count(*) FROM meetings").fetchone()[0] == 2   # the text twin and the fetched PDF
    assert con.execute("SELECT source, mode, fetched FROM source_runs WHERE kind = 'elements'").fetchall() == [
        ("steinkjer", "backfill", 1)]
    assert con.execute("SELECT count(*) FROM source_watermarks").fetchone()[0] == 0


FAILING_DAG = """
import pendulum
from airflow.sdk import dag, task

from kommune_etl.orchestration import FailureAlert


@dag(dag_id="fails_for_good", schedule=None, start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Oslo"),
     params={"db": "/data/warehouse/warehouse.duckdb"},
     default_args={"retries": 0, "on_failure_callback": FailureAlert()})
def fails_for_good():
    @task
    def fetch():
        raise RuntimeError("listing https://x.kommune.no/feed.json failed:\\nHTTP 503")

    fetch()


fails_for_good()
"""


def test_a_task_that_fails_for_good_alerts_through_the_notifier(tmp_path):
    """The DAGs' on_failure_callback (FailureAlert, Airflow's notifier convention) as Airflow's task runner
    calls it: the deployment's webhook gets the DAG, run, task, try, error, warehouse and log link."""
    from alert_sinks import alert_sinks

    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "fails_for_good.py").write_text(FAILING_DAG, encoding="utf-8")
    with alert_sinks() as sinks:
        env = airflow_env(tmp_path / "airflow", AIRFLOW__CORE__DAGS_FOLDER=str(dags),
                          KOMMUNE_ETL_ALERT_WEBHOOK=sinks.webhook_url)
        migrate(env)
        result = dag_test(env, "fails_for_good", {}, dags=dags)
    assert result["state"] == "failed" and result["tasks"] == [["fetch", -1, "failed"]]
    (body,) = sinks.posted
    subject, detail, warehouse, log, fix = body["text"].splitlines()
    assert subject == "*kommune-etl: task fails_for_good.fetch failed*"
    assert detail.startswith("DAG fails_for_good, run manual__") and detail.endswith(
        ", task fetch, try 1: RuntimeError: listing https://x.kommune.no/feed.json failed: HTTP 503")
    assert warehouse == "Warehouse: /data/warehouse/warehouse.duckdb"
    assert log.startswith("Log: http://localhost:8080/dags/fails_for_good/runs/manual__") and log.endswith(
        "/tasks/fetch?try_number=1")
    assert fix == "After a fix: clear the task (UI, or `airflow tasks clear`) to run it again."
