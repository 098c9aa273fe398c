"""Run real Airflow 3 (metadata DB migrated, DAG bundle = this repo's dags/) in a subprocess for tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c"]


def airflow_env(home: Path, sql_alchemy_conn: str | None = None, **extra: str) -> dict[str, str]:
    """Environment of an Airflow process for a test. PYTHONDONTWRITEBYTECODE (set on CI) is dropped: each task
    process would otherwise compile Airflow from source again (~4 s a process; the Docker image compiles at build)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {**env, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"), "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
           "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING", "PYTHONPATH": str(REPO), **extra}
    if sql_alchemy_conn:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = sql_alchemy_conn
    return env


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


RUN_DAG_TEST = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
from airflow.models import TaskInstance
from airflow.utils.session import create_session

dag_id, conf = sys.argv[1], json.loads(sys.argv[2])
bag = DagBag(dag_folder={dags!r})
assert not bag.import_errors, bag.import_errors
run = bag.dags[dag_id].test(run_conf=conf)
with create_session() as session:
    states = sorted((ti.task_id, ti.map_index, str(ti.state)) for ti in
                    session.query(TaskInstance).filter(TaskInstance.run_id == run.run_id,
                                                       TaskInstance.dag_id == dag_id))
    labels = sorted(ti.rendered_map_index for ti in session.query(TaskInstance).filter(
        TaskInstance.run_id == run.run_id, TaskInstance.dag_id == dag_id, TaskInstance.map_index >= 0))
    backend = session.get_bind().dialect.name
print("RESULT " + json.dumps({{"state": str(run.state), "tasks": states, "labels": labels, "backend": backend}}))
"""


def dag_test(env: dict[str, str], dag_id: str, conf: dict, dags: Path = REPO / "dags") -> dict:
    """`dag.test()` of ``dag_id`` (from the folder ``dags``) with ``conf``: the run's state, its task instances,
    the names of its mapped instances (map_index_template) and the metadata backend."""
    code = RUN_DAG_TEST.format(dags=str(dags))
    done = subprocess.run([sys.executable, "-c", code, dag_id, json.dumps(conf)], env=env, capture_output=True,
                          text=True, timeout=900)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, (done.stdout[-3000:], done.stderr[-5000:])
    return json.loads(lines[-1][len("RESULT "):])
