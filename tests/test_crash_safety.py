"""A warehouse survives kill -9 at any moment of its first run (issue 15): it opens again and a re-run
completes the work. Real processes killed at several points, no mocks."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from conftest import REPO, SHARED

DECISION_RECORDS = sorted((SHARED / "corpus" / "protocols" / "steinkjer").glob("*.txt"))


def _ingest(inbox, db) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kommune_etl.cli", "ingest", str(inbox), "--db", str(db)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("kill_when", ["creating", "migrated", "loading"])
def test_first_run_killed_leaves_a_warehouse_that_opens_and_completes(tmp_path, kill_when):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in DECISION_RECORDS:
        shutil.copy(path, inbox / path.name)
    db = tmp_path / "wh" / "warehouse.duckdb"
    process = _ingest(inbox, db)
    conditions = {
        "creating": lambda: db.with_name(db.name + ".creating").exists(),
        "migrated": lambda: db.exists(),
        "loading": lambda: (db.parent / "raw").exists() and any((db.parent / "raw").iterdir()),
    }
    assert _wait_for(conditions[kill_when], 60), f"the run never reached {kill_when}"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    if db.exists():
        con = duckdb.connect(str(db))  # would raise "Failure while replaying WAL file" before the fix
        con.execute("SELECT count(*) FROM documents").fetchone()
        con.close()
    rerun = _ingest(inbox, db)
    assert rerun.wait(timeout=300) == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(DECISION_RECORDS)
    outcomes = [r[0] for r in con.execute("SELECT outcome FROM runs ORDER BY run_id").fetchall()]
    # the killed run (if it got as far as recording itself) is closed as interrupted by the next one
    assert outcomes[-1] == "completed" and set(outcomes[:-1]) <= {"interrupted"}


def _limited_file_size(limit: int):
    import resource

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.slow
def test_a_full_disk_is_one_clear_line_and_a_rerun_completes(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in DECISION_RECORDS:
        shutil.copy(path, inbox / path.name)
    db = tmp_path / "wh" / "warehouse.duckdb"
    command = [sys.executable, "-m", "kommune_etl.cli", "ingest", str(inbox), "--db", str(db)]
    full = subprocess.run(command, cwd=REPO, capture_output=True, text=True, preexec_fn=_limited_file_size(3 << 20))
    assert full.returncode == 3
    (line,) = full.stderr.strip().splitlines()
    assert line.startswith("kommune-etl: the warehouse could not be written") and "File too large" in line
    assert subprocess.run(command, cwd=REPO, capture_output=True).returncode == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0] == len(DECISION_RECORDS)


def test_a_warehouse_locked_by_another_process_is_one_clear_line(tmp_path):
    """Issue 14, defect 4: a raw DuckDB traceback with exit 1 before."""
    db = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        done = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "status", "--db", str(db)], cwd=REPO,
                              capture_output=True, text=True)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("kommune-etl: the warehouse is in use by another process") and "--db" in line


@pytest.mark.slow
def test_a_reader_holding_the_warehouse_open_never_blocks_a_run_and_never_sees_half_of_one(tmp_path):
    """Issue 20: an analyst's open connection made the nightly load fail. Readers read the snapshot each run
    publishes; the writer's file is the writer's alone."""
    from kommune_etl.warehouse.connection import published_path

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(DECISION_RECORDS[0], inbox / DECISION_RECORDS[0].name)
    db = tmp_path / "wh" / "warehouse.duckdb"
    assert _ingest(inbox, db).wait(timeout=300) == 0
    # an analyst opens the warehouse the way every reading command does, and keeps it open
    reader = subprocess.Popen([sys.executable, "-c",
                               "import sys, time; from warehouse.connection import open_published; "
                               "con = open_published(sys.argv[1]); "
                               "print(con.execute('SELECT count(*) FROM documents').fetchone()[0], flush=True); "
                               "sys.stdin.readline(); "
                               "print(con.execute('SELECT count(*) FROM documents').fetchone()[0], flush=True)", str(db)],
                              cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "1"
        for path in DECISION_RECORDS[1:6]:
            shutil.copy(path, inbox / path.name)
        run = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "ingest", str(inbox), "--db", str(db)],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-500:]
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"   # still the run it opened, whole
    finally:
        reader.kill()
        reader.wait()
    status = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "query", "SELECT count(*) AS n FROM documents",
                             "--db", str(db), "--format", "csv"], cwd=REPO, capture_output=True, text=True)
    assert status.stdout.split() == ["n", "6"]                # a new reader sees the new run
    assert published_path(db).exists()
