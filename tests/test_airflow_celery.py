"""The nightly DAG end to end, as a deployment runs it: CeleryExecutor — the local Redis as broker, the local
PostgreSQL as metadata DB and result backend — with api-server, scheduler, dag-processor and a Celery worker
started here, the DAGs unpaused as the README says, and the run triggered through the REST API with its own
`db` and `inbox` (a bad document planted beside the five samples), the alert channels pointing at local sinks.

Asserts the mapped `process` tasks ran on the worker (their ids in the worker's log, their Celery task ids
SUCCESS in the result backend); what `ingest` promises held on this path (warehouse rows, the run's books,
warehouse checks, the search index, the bad document quarantined with its reason, the alert with documents,
reasons and run book in the webhook and the e-mail, one log line per quarantined document and no library noise
in the task logs); and that the load's Asset then ran `warehouse_refresh` on the warehouse the run loaded (not
the deployment's default).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import duckdb
import psycopg2
import pytest
import redis

from airflow_env import PSQL, airflow_env, migrate
from alert_sinks import alert_sinks
from test_airflow_run import _warehouse_rows, inbox  # noqa: F401, F811 (a fixture, used by name)

pytestmark = pytest.mark.slow  # a real Airflow cluster with Celery and Redis

REDIS_DB = 11
DB_NAME = "kommune_etl_celery_test"
NIGHTLY = "municipal_records_nightly"
BROKEN = b"%PDF-1.4 not really"  # a planted bad document: no PDF reader opens it


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
def sinks():
    with alert_sinks() as running:
        yield running


@pytest.fixture
def celery_cluster(tmp_path, sinks):
    """Airflow 3 with CeleryExecutor, the deployment's alert channels pointing at ``sinks`` and its default paths
    somewhere no run of this test should touch: yields (env, metadata DB dsn, logs folder, api base URL); stops
    every process after."""
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
        AIRFLOW__API__WORKERS="1", AIRFLOW__CORE__DEFAULT_TIMEZONE="Europe/Oslo",   # as the README sets it
        AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",              # the worker logs each workload it executes
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        KOMMUNE_ETL_NIGHTLY_SCHEDULE="manual",            # only the run this test triggers
        KOMMUNE_ETL_DB=str(tmp_path / "default" / "warehouse.duckdb"),   # the deployment's paths, as in
        KOMMUNE_ETL_INBOX=str(tmp_path / "default" / "inbox"),          # docker-compose; the trigger's conf
        KOMMUNE_ETL_REPORTS=str(tmp_path / "reports"), **sinks.env())   # names others
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
        yield env, dsn, logs, f"http://127.0.0.1:{port}"
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


def _api(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    """One JSON call to the api-server."""
    request = urllib.request.Request(f"{base}{path}", method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _token(env: dict[str, str], base: str) -> str:
    """A JWT from the simple auth manager, logged in as `admin` with the password it generated (as a user would
    read it from the file or from `airflow standalone`'s output)."""
    passwords = json.loads(open(os.path.join(env["AIRFLOW_HOME"], "simple_auth_manager_passwords.json.generated"
                                             )).read())
    return _api(base, "POST", "/auth/token", {"username": "admin", "password": passwords["admin"]})["access_token"]


def _task_log(env: dict[str, str], dag_id: str, run_id: str, task_id: str) -> list[dict]:
    """The records of a task's log file (Airflow 3 writes one JSON object a line), every map index and try."""
    folder = os.path.join(env["AIRFLOW_HOME"], "logs", f"dag_id={dag_id}", f"run_id={run_id}", f"task_id={task_id}")
    records = []
    for root, _, files in os.walk(folder):
        for name in sorted(files):
            with open(os.path.join(root, name), encoding="utf-8") as handle:
                records += [json.loads(line) for line in handle if line.strip()]
    return records


def test_nightly_through_the_rest_api_on_a_celery_worker(celery_cluster, tmp_path, inbox, sinks):  # noqa: F811
    env, dsn, logs, api = celery_cluster
    (inbox / "broken.pdf").write_bytes(BROKEN)
    db = tmp_path / "night" / "kommune.duckdb"                      # not the deployment's default warehouse
    subprocess.run([sys.executable, "-m", "airflow", "dags", "unpause", "--treat-dag-id-as-regex", "--yes",
                    f"^({NIGHTLY}|warehouse_refresh)$"], env=env, check=True, capture_output=True)  # README step
    token = _token(env, api)
    conf = {"db": str(db), "inbox": str(inbox)}
    created = _api(api, "POST", f"/api/v2/dags/{NIGHTLY}/dagRuns",
                   {"dag_run_id": "celery_nightly", "logical_date": None, "conf": conf}, token)
    assert (created["dag_run_id"], created["conf"], created["run_type"]) == ("celery_nightly", conf, "manual")

    def finished(dag_id):
        rows = _query(dsn, "SELECT state FROM dag_run WHERE dag_id = %s", (dag_id,))
        return bool(rows) and rows[0][0] in ("success", "failed")

    _wait("the nightly run", lambda: finished(NIGHTLY), 600, logs)
    _wait("the refresh run (on the Asset)", lambda: finished("warehouse_refresh"), 300, logs)
    assert _query(dsn, "SELECT dag_id, run_type, state FROM dag_run ORDER BY dag_id") == [
        (NIGHTLY, "manual", "success"), ("warehouse_refresh", "asset_triggered", "success")]
    assert _api(api, "GET", "/api/v2/dags/warehouse_refresh", token=token)["is_paused"] is False

    tasks = _query(dsn, "SELECT task_id, map_index, state, id::text, external_executor_id FROM task_instance"
                        f" WHERE dag_id = '{NIGHTLY}' ORDER BY task_id, map_index")
    assert [(t[0], t[1], t[2]) for t in tasks] == [
        ("discover", -1, "success"), ("fetch", -1, "success"), ("load", -1, "success"),
        *[("process", i, "success") for i in range(2)]]      # two batches of the five samples and the bad one
    # a Celery task ends a moment after the Airflow task it runs: wait until every result is recorded
    ids = [t[4] for t in tasks]
    _wait("the Celery results", lambda: all(dict(_query(dsn, "SELECT task_id, status FROM celery_taskmeta")).get(i)
                                            == "SUCCESS" for i in ids), 120, logs)
    worker_log = (logs / "worker.log").read_text(errors="replace")
    results = dict(_query(dsn, "SELECT task_id, status FROM celery_taskmeta"))
    for task_id, map_index, _, ti_id, celery_id in tasks:
        assert f"id=UUID('{ti_id}'), task_id='{task_id}'" in worker_log, (task_id, map_index)   # ran on the worker
        assert results[celery_id] == "SUCCESS", (task_id, map_index, results)

    # what `ingest` promises, on the warehouse named in the conf
    assert _warehouse_rows(db) == (5, 49, ["airflow"], "10-1")
    assert not (tmp_path / "default").exists()                       # the default warehouse and inbox untouched
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT documents_new, documents_quarantined, outcome FROM runs").fetchall() == [
            (5, 1, "completed")]
        assert con.execute("SELECT source, stage, reason_code, run_id FROM quarantine").fetchall() == [
            (str(inbox / "broken.pdf"), "read", "corrupt", 1)]
        assert con.execute("SELECT count(*), bool_and(success) FROM quality_results WHERE run_id = 1 AND sha256 = ''"
                           ).fetchone() == (8, True)                 # the warehouse checks ran, and passed
        assert con.execute("SELECT data_docs IS NOT NULL FROM quality_runs WHERE run_id = 1").fetchone() == (True,)
    finally:
        con.close()
    from kommune_etl.warehouse.connection import open_published
    from kommune_etl.warehouse.search import search

    reader = open_published(db)
    try:
        assert len(search(reader, "tilskudd")) > 0                   # the search index was refreshed by the load
    finally:
        reader.close()

    # the alert: documents, reasons and the run book, in the webhook and in the e-mail
    source = str(inbox / "broken.pdf")
    assert len(sinks.posted) == 1, sinks.posted
    text = sinks.posted[0]["text"]
    assert text.startswith("*kommune-etl: 1 document(s) quarantined in run 1*")
    assert f"- {source} [read/corrupt] {source}: no PDF backend could open the file" in text
    assert f"kommune-etl quality --run 1 --db {db}" in text and f"reprocess --quarantined --db {db}" in text
    (recipients, raw), = sinks.mails
    mail = email.message_from_string(raw, policy=email.policy.default)
    assert (recipients, mail["Subject"]) == (["steward@kommune.no"], "kommune-etl: 1 document(s) quarantined in run 1")
    assert f"- {source} [read/corrupt] {source}: no PDF backend could open the file" in mail.get_content()

    # task logs: the quarantined document with its reason on one line, and no library noise
    load_log = _task_log(env, NIGHTLY, "celery_nightly", "load")
    named = [r["event"] for r in load_log if "broken.pdf" in str(r.get("event")) and r.get("logger") == "kommune_etl.load"]
    assert named == [f"quarantined {source} [corrupt] no PDF backend could open the file (pypdfium2: Failed to "
                     "load document (PDFium: Data format error).; pdfminer: PDFSyntaxError: No /Root object! - Is "
                     "this really a PDF?). Re-download the file or re-save it from a PDF viewer, then ingest it again."]
    process_log = _task_log(env, NIGHTLY, "celery_nightly", "process")
    assert sum(f"rejected {source} [corrupt] no PDF backend" in str(r.get("event")) for r in process_log) == 1
    noise = [(r.get("logger"), r.get("event")) for r in load_log + process_log  # only Airflow's and ours
             if r.get("logger") != "task" and not str(r.get("logger")).startswith(("airflow.", "kommune_etl."))]
    assert noise == []

    # the Asset event names the warehouse loaded, and the refresh worked on that one
    extras = [e if isinstance(e, dict) else json.loads(e) for (e,) in _query(dsn, "SELECT extra FROM asset_event")]
    assert extras == [{"db": str(db), "warehouse_run": 1}]
    published = _query(dsn, "SELECT value FROM xcom WHERE dag_id = 'warehouse_refresh' AND task_id = 'publish'"
                            " AND key = 'return_value'")[0][0]
    assert (published if isinstance(published, dict) else json.loads(published))["db"] == str(db)
    report = (tmp_path / "reports" / "html" / "index.html").read_text(encoding="utf-8")
    assert f"<p>{db} · generated" in report                          # the refresh DAG's report, on that warehouse
    back = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/reports/exports/mart_grants/*/*.parquet')").fetchone()[0]
    assert back == 49
