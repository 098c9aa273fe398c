"""Scale-out, shown once: the nightly DAG run by CeleryExecutor — the local Redis as broker, the local PostgreSQL
as metadata DB and result backend — with api-server, scheduler, dag-processor and a Celery worker started here.

Asserts the mapped `process` tasks ran on the worker (their ids in the worker's log, their Celery task ids
SUCCESS in the result backend), the warehouse rows, and that the load's Asset then ran `warehouse_refresh`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psycopg2
import pytest
import redis

from airflow_env import PSQL, airflow_env, migrate
from test_airflow_run import _warehouse_rows, inbox  # noqa: F401, F811 (a fixture, used by name)

pytestmark = pytest.mark.slow  # a real Airflow cluster with Celery and Redis

REDIS_DB = 11
DB_NAME = "kommune_etl_celery_test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, check, timeout: float, logs) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(2)
    tails = {p.name: p.read_text(errors="replace")[-2500:] for p in logs.glob("*.log")}
    pytest.fail(f"timed out waiting for {what}; logs: {json.dumps(tails, indent=1)}")


@pytest.fixture
def celery_cluster(tmp_path, inbox):  # noqa: F811 (pytest passes the fixture by name)
    """Airflow 3 with CeleryExecutor: yields (env, metadata DB dsn, logs folder); stops every process after."""
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True)
    subprocess.run([*PSQL, f"CREATE DATABASE {DB_NAME}"], check=True)
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    port = _free_port()
    env = airflow_env(
        tmp_path / "airflow", f"postgresql+psycopg2://postgres@127.0.0.1:5432/{DB_NAME}",
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CELERY__BROKER_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+postgresql+psycopg2://postgres@127.0.0.1:5432/{DB_NAME}",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__API_AUTH__JWT_SECRET="kommune-etl-test-secret-0123456789abcdef",
        AIRFLOW__API__WORKERS="1", AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",              # the worker logs each workload it executes
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        KOMMUNE_ETL_NIGHTLY_SCHEDULE="manual",            # only the run this test triggers
        KOMMUNE_ETL_DB=str(tmp_path / "warehouse" / "warehouse.duckdb"), KOMMUNE_ETL_INBOX=str(inbox),
        KOMMUNE_ETL_REPORTS=str(tmp_path / "reports"))        # the deployment's paths, as in docker-compose
    migrate(env)
    airflow = [sys.executable, "-m", "airflow"]
    subprocess.run([*airflow, "pools", "set", "duckdb_writer", "1", "DuckDB has one writer"], env=env, check=True,
                   capture_output=True)
    logs = tmp_path / "logs"
    logs.mkdir()
    commands = {"api-server": ["api-server", "--port", str(port)], "scheduler": ["scheduler"],
                "dag-processor": ["dag-processor"],
                "worker": ["celery", "worker", "--celery-hostname", "kommune-etl-test@%h", "--concurrency", "2",
                           "--queues", "default"]}
    processes = [subprocess.Popen([*airflow, *args], env=env, stdout=open(logs / f"{name}.log", "w"),
                                  stderr=subprocess.STDOUT, start_new_session=True)
                 for name, args in commands.items()]
    dsn = f"host=127.0.0.1 user=postgres dbname={DB_NAME}"
    try:
        def healthy():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        _wait("the api-server", healthy, 180, logs)
        _wait("the DAGs to be parsed", lambda: _query(dsn, "SELECT count(*) FROM dag WHERE dag_id IN"
                                                     " ('municipal_records_nightly', 'warehouse_refresh')")[0][0] == 2,
              180, logs)
        _wait("the Celery worker", lambda: "[queues]" in (logs / "worker.log").read_text(errors="replace"), 120, logs)
        yield env, dsn, logs
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True)


def _query(dsn: str, sql: str, args=()) -> list[tuple]:
    with psycopg2.connect(dsn) as con, con.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def test_nightly_runs_on_a_celery_worker(celery_cluster, tmp_path):
    env, dsn, logs = celery_cluster
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    subprocess.run([sys.executable, "-m", "airflow", "dags", "trigger", "municipal_records_nightly", "--run-id",
                    "celery_nightly"], env=env, check=True, capture_output=True)

    def finished(dag_id):
        rows = _query(dsn, "SELECT state FROM dag_run WHERE dag_id = %s", (dag_id,))
        return bool(rows) and rows[0][0] in ("success", "failed")

    _wait("the nightly run", lambda: finished("municipal_records_nightly"), 600, logs)
    _wait("the refresh run (on the Asset)", lambda: finished("warehouse_refresh"), 300, logs)
    assert _query(dsn, "SELECT dag_id, state FROM dag_run ORDER BY dag_id") == [
        ("municipal_records_nightly", "success"), ("warehouse_refresh", "success")]

    tasks = _query(dsn, "SELECT task_id, map_index, state, id::text, external_executor_id FROM task_instance"
                        " WHERE dag_id = 'municipal_records_nightly' ORDER BY task_id, map_index")
    assert [(t[0], t[1], t[2]) for t in tasks] == [
        ("discover", -1, "success"), ("fetch", -1, "success"), ("load", -1, "success"),
        *[("process", i, "success") for i in range(2)]]             # two batches of the five samples
    # a Celery task ends a moment after the Airflow task it runs: wait until every result is recorded
    ids = [t[4] for t in tasks]
    _wait("the Celery results", lambda: all(dict(_query(dsn, "SELECT task_id, status FROM celery_taskmeta")).get(i)
                                            == "SUCCESS" for i in ids), 120, logs)
    worker_log = (logs / "worker.log").read_text(errors="replace")
    results = dict(_query(dsn, "SELECT task_id, status FROM celery_taskmeta"))
    for task_id, map_index, _, ti_id, celery_id in tasks:
        assert f"id=UUID('{ti_id}'), task_id='{task_id}'" in worker_log, (task_id, map_index)   # ran on the worker
        assert results[celery_id] == "SUCCESS", (task_id, map_index, results)
    assert _warehouse_rows(db) == (5, 49, ["airflow"], "10-1")
    assert (tmp_path / "reports" / "html" / "index.html").is_file()                    # the refresh DAG's report
    assert len(list((tmp_path / "reports" / "exports").glob("*/year=*/*.parquet"))) > 0
