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
