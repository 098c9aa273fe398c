"""The DAG folder imports cleanly in a real Airflow DagBag, cheaply, with the intended shape."""

from __future__ import annotations

import pytest

import os
import subprocess
import sys

from conftest import REPO


def test_dagbag_imports_with_zero_errors_and_without_heavy_modules(tmp_path):
    code = (
        "import sys, time, json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "from airflow.sdk import BaseNotifier\n"
        "started = time.perf_counter()\n"
        f"bag = DagBag(dag_folder={str(REPO / 'dags')!r})\n"
        "dag = bag.dags['municipal_records_nightly']\n"
        "print(json.dumps({'errors': {k: str(v) for k, v in bag.import_errors.items()}, 'seconds': time.perf_counter() - started,"
        " 'tasks': sorted(dag.task_ids), 'schedule': dag.timetable.expression, 'catchup': dag.catchup,"
        " 'timezone': str(dag.timezone), 'pool': dag.get_task('load').pool,"
        " 'outlets': [a.name for a in dag.get_task('load').outlets],"
        " 'refresh_tasks': sorted(bag.dags['warehouse_refresh'].task_ids),"
        " 'refresh_schedule': [a.name for a in bag.dags['warehouse_refresh'].timetable.asset_condition.objects]"
        " if hasattr(bag.dags['warehouse_refresh'].timetable, 'asset_condition') else None,"
        " 'dags': sorted(bag.dags),"
        " 'docs': {d.dag_id: d.doc_md for d in bag.dags.values()},"
        " 'params': {d.dag_id: {k: p.description for k, p in d.params.items()} for d in bag.dags.values()},"
        " 'callbacks': sorted({(type(c).__name__, isinstance(c, BaseNotifier)) for d in bag.dags.values()"
        " for t in d.tasks for c in (t.on_failure_callback if isinstance(t.on_failure_callback, list)"
        " else [t.on_failure_callback])}),"
        " 'heavy': sorted(m for m in ('spacy', 'great_expectations', 'pypdfium2', 'duckdb') if m in sys.modules)}))\n"
    )
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    import json

    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == {}
    assert report["tasks"] == ["discover", "fetch", "load", "process"]
    assert report["schedule"] == "0 2 * * *" and report["catchup"] is False and report["timezone"] == "Europe/Oslo"
    assert report["pool"] == "duckdb_writer" and report["outlets"] == ["kommune_etl_warehouse"]
    assert report["dags"] == ["municipal_records_nightly", "warehouse_refresh"]
    assert report["refresh_tasks"] == ["export", "publish", "report"]
    assert report["refresh_schedule"] == ["kommune_etl_warehouse"]  # runs after each load emits the Asset
    assert report["heavy"] == []  # spaCy, GX, PDFium and DuckDB are imported inside the tasks only
    # every param is described, in the trigger form (description) and in the DAG's docs (doc_md)
    assert {dag: sorted(k for k, d in params.items() if not d) for dag, params in report["params"].items()} == {
        "municipal_records_nightly": [], "warehouse_refresh": []}
    for dag, params in report["params"].items():
        assert all(f"`{name}`" in report["docs"][dag] for name in params), (dag, report["docs"][dag])
    assert "extra.db" in report["docs"]["warehouse_refresh"] and "extra.db" in report["docs"]["municipal_records_nightly"]
    assert report["callbacks"] == [["FailureAlert", True]]  # every task's failures: Airflow's notifier convention


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_the_dags_load_path_is_the_clis(db_path):
    """The DAG's process/load tasks call process_for_load (one batch) + load_processed; the result equals
    `ingest`'s, and each document's progress is reported."""
    from conftest import SAMPLES_TEXT
    from kommune_etl.pipeline import load_processed, process_for_load, read_raw

    paths = sorted(SAMPLES_TEXT.glob("*.txt"))
    seen = []
    staged = process_for_load([read_raw(p) for p in paths], db_path, on_document=lambda p, s: seen.append((p.name, s)))
    assert seen == [(p.name, "ok") for p in paths]
    summary = load_processed(db_path, staged, command="airflow")
    assert (summary.new, summary.quarantined, summary.pages) == (5, 0, 5)
    assert load_processed(db_path, staged, command="airflow").unchanged == 5
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT count(*) FROM grant_allocations").fetchone() == (49,)
    assert con.execute("SELECT command, documents_new FROM runs ORDER BY run_id").fetchall() == [("airflow", 5), ("airflow", 0)]
    con.close()


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_a_bad_document_in_a_batch_is_rejected_alone(db_path, tmp_path):
    """Batching must not cost isolation: an unreadable file becomes one rejected result beside good ones."""
    from conftest import SAMPLES_TEXT
    from kommune_etl.pipeline import load_processed, process_for_load, read_raw

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF")
    good = sorted(SAMPLES_TEXT.glob("*.txt"))[:2]
    staged = process_for_load([read_raw(good[0]), read_raw(broken), read_raw(good[1])], db_path)
    assert [d.result.status.value for d in staged] == ["ok", "rejected", "ok"]
    summary = load_processed(db_path, staged, command="airflow")
    assert (summary.new, summary.quarantined) == (2, 1)
    # the run's alert names the document, although it was processed (and stamped) before the load run began
    from kommune_etl.quality.alerts import build_alert
    from kommune_etl.warehouse.connection import open_warehouse

    assert "log" in summary.alerted
    con = open_warehouse(db_path, read_only=True)
    alert = build_alert(con, summary.run_id, str(db_path))
    con.close()
    assert alert is not None and len(alert.documents) == 1 and alert.documents[0].endswith("broken.pdf")


def test_batches_are_few_balanced_and_bounded():
    from kommune_etl.orchestration import batch_label, batches

    names = [f"d{i:04}.txt" for i in range(1000)]
    split = batches(names, 25)
    assert len(split) == 40 and {len(b) for b in split} == {25} and sum(split, []) == names
    assert [len(b) for b in batches(names[:51], 25)] == [17, 17, 17]      # three of 17, not 25 + 25 + 1
    assert [len(b) for b in batches(names[:5], 25)] == [3, 2]              # two for two parallel instances
    assert batches(names[:1], 25) == [["d0000.txt"]] and batches([], 25) == []
    assert [len(b) for b in batches(names[:4], 1)] == [1, 1, 1, 1]        # batch_size 1: one per document
    assert batch_label(["/inbox/a.pdf", "/inbox/b.pdf", "/inbox/c.pdf"]) == "a.pdf +2"
    assert batch_label(["/inbox/a.pdf"]) == "a.pdf"


def test_the_fetch_stage_imports_neither_spacy_nor_gx():
    """A warm nightly run is mostly the fetch task: it must not pay for the NLP and quality imports."""
    code = ("import sys, kommune_etl.fetch\n"
            "print(sorted(m for m in ('spacy', 'great_expectations', 'pandas', 'pypdfium2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_what_the_dag_stages_holds_no_clear_personal_data(db_path, tmp_path):
    """The process task archives the bytes itself and stages only the processed (masked) result: the staged
    pickle between the tasks holds no identity number, the raw archive holds the original bytes."""
    import pickle

    from kommune_etl.pipeline import load_processed, process_for_load, read_raw

    letter = tmp_path / "Søknad 15038712486.txt"
    letter.write_text("Søknad om tilskudd fra Kari Nordmann, fødselsnummer 15038712486, til Steinkjer kommune "
                      "12.03.2024. Beløp kr 50 000.", encoding="utf-8")
    staged = process_for_load([read_raw(letter)], db_path)
    assert b"15038712486" not in pickle.dumps(staged)
    archived = db_path.parent / "raw" / staged[0].sha256[:2] / staged[0].sha256
    assert b"15038712486" in archived.read_bytes()
    assert load_processed(db_path, staged, command="airflow").new == 1


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_discover_uses_the_clis_rule_for_what_is_known(db_path, tmp_path):
    """Issue 14, defect 2: the DAG dropped any file whose bytes the warehouse held, while `ingest` records known
    bytes at a new path (and a file reverted to an older version) as a new source version."""
    import shutil

    from conftest import SAMPLES_TEXT
    from kommune_etl.extractors.sources.folder import list_files
    from kommune_etl.discover import changed_files
    from kommune_etl.pipeline import ingest_paths

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first, second = sorted(SAMPLES_TEXT.glob("*.txt"))[:2]
    shutil.copy(first, inbox / "a.txt")
    assert changed_files(list_files([inbox]), db_path) == [inbox / "a.txt"]                 # no warehouse yet: new
    ingest_paths([inbox], db_path, check_quality=False)
    assert changed_files(list_files([inbox]), db_path) == []                                # unchanged
    shutil.copy(first, inbox / "copy-of-a.txt")                                 # known bytes at a new path
    shutil.copy(second, inbox / "a.txt")                                        # changed
    assert changed_files(list_files([inbox]), db_path) == [inbox / "a.txt", inbox / "copy-of-a.txt"]
    ingest_paths([inbox], db_path, check_quality=False)
    shutil.copy(first, inbox / "a.txt")                                         # reverted to its first version
    assert changed_files(list_files([inbox]), db_path) == [inbox / "a.txt"]
    summary = ingest_paths([inbox], db_path, check_quality=False)
    assert (summary.unchanged, summary.new, summary.updated) == (2, 0, 0)       # known bytes: a new version only
    assert changed_files(list_files([inbox]), db_path) == []


DISCOVER_AND_LOAD = """
import json, logging, sys
from types import SimpleNamespace
from collections import defaultdict
import airflow.sdk
from airflow.dag_processing.dagbag import DagBag

folder, inbox, db = sys.argv[1:4]
dag = DagBag(dag_folder=folder).dags["municipal_records_nightly"]


class TaskInstance:  # the XCom a task pushes, for the next task to pull
    def __init__(self, store):
        self.store = store

    def xcom_push(self, key, value):
        self.store[key] = value

    def xcom_pull(self, task_ids, key):
        return self.store.get(key)


xcom, lines = {}, []
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
logging.getLogger("kommune_etl.discover").addHandler(type("Keep", (logging.Handler,), {
    "emit": lambda self, record: lines.append(record.getMessage())})())
context = {"ti": TaskInstance(xcom), "outlet_events": defaultdict(SimpleNamespace)}
airflow.sdk.get_current_context = lambda: context
params = {"inbox": inbox, "db": db, "sources": [], "batch_size": 25}
listed = dag.get_task("discover").python_callable(params=params)
loaded = dag.get_task("load").python_callable(staged=None, params=params)
print("RESULT " + json.dumps({"listed": listed, "xcom": xcom, "lines": lines, "loaded": loaded}))
"""


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_discover_logs_each_skipped_path_and_the_load_counts_them(tmp_path):
    """Issue 20, point 4: a folder's manifests, metadata sheets and hidden files are skipped (counted, not ingested)
    by the DAG as by `ingest`: `discover` names each skipped path with its reason on one line and hands the count on,
    and the Airflow run's row carries `paths_skipped` like the CLI's. The task callables, with a stand-in context."""
    import json

    import duckdb

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "protokoll.txt").write_text("Møteprotokoll\nFormannskapet 12.03.2024\n", encoding="utf-8")
    (inbox / "manifest.csv").write_text("file;sha256\nprotokoll.txt;0\n", encoding="utf-8")
    (inbox / "metadata.xlsx").write_bytes(b"PK\x03\x04")
    (inbox / ".DS_Store").write_bytes(b"\x00\x00")
    db = tmp_path / "wh" / "warehouse.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "KOMMUNE_ETL_SOURCES"} | {
        "AIRFLOW_HOME": str(tmp_path / "airflow"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    done = subprocess.run([sys.executable, "-c", DISCOVER_AND_LOAD, str(REPO / "dags" / "municipal_records_nightly.py"),
                           str(inbox), str(db)], capture_output=True, text=True, timeout=300, env=env, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert report["listed"] == [[str(inbox / "protokoll.txt")]]
    assert report["xcom"] == {"unchanged": 0, "skipped": 3}
    bookkeeping = "folder bookkeeping (a manifest, checksums, a metadata sheet or a README), not a record"
    assert report["lines"] == [f"skipped {inbox / 'manifest.csv'}: {bookkeeping}",
                               f"skipped {inbox / 'metadata.xlsx'}: {bookkeeping}",
                               "skipped 1 hidden file(s) or folder(s) (names starting with '.', e.g. .DS_Store)"]
    assert report["loaded"]["skipped"] == 3
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT command, paths_skipped FROM runs").fetchall() == [("airflow", 3)]
    con.close()
