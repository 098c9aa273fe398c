"""Wall time of the nightly DAG, as Airflow runs it: cold, then warm with nothing changed, and how it grows.

    uv run python benchmarks/nightly.py [--shared ../shared] [--generated 1000] [--keep DIR]

Scenario "corpus": the five bundled samples (text + PDF) in the inbox folder and ../shared/corpus/real served
by a local HTTP server as a JSON feed (a configured `http` source, min_interval_s 0.2), so the run fetches,
discovers, processes (mapped) and loads. Scenario "generated": N perturbed sample texts (benchmarks/scale.py)
in the inbox. Each is run with `airflow dags test` (real Airflow 3, SQLite metadata DB, one process) twice:
cold (empty warehouse) and warm (nothing changed). Prints wall time per run, per-task durations from the
metadata DB, and the warm/cold ratio. One run on this machine: compare rows of one run, not across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from scale import generate  # noqa: E402  (the generated corpus of benchmarks/scale.py)


def serve_folder(folder: Path) -> tuple[str, ThreadingHTTPServer]:
    """A JSON feed of every PDF in ``folder`` at /feed.json, the files beside it (with Last-Modified)."""
    names = sorted(p.name for p in folder.glob("*.pdf"))

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/feed.json":
                body = json.dumps({"items": [{"url": f"/{n}"} for n in names]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_port}", httpd


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"), "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO), "KOMMUNE_ETL_NIGHTLY_SCHEDULE": "manual", **extra}


def nightly(env: dict[str, str], conf: dict) -> tuple[float, dict[str, tuple[int, float]]]:
    """One `airflow dags test`: wall seconds and {task: (instances, summed seconds)} from the metadata DB."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "airflow", "dags", "test", "municipal_records_nightly",
                           "--conf", json.dumps(conf)], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"airflow dags test failed:\n{done.stderr[-4000:]}")
    db = sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db")
    latest = db.execute("SELECT run_id FROM dag_run WHERE dag_id = 'municipal_records_nightly'"
                        " ORDER BY id DESC LIMIT 1").fetchone()[0]
    tasks = {t: (n, s or 0.0) for t, n, s in db.execute(
        "SELECT task_id, count(*), sum(duration) FROM task_instance WHERE run_id = ? GROUP BY task_id", [latest])}
    states = {s for (s,) in db.execute("SELECT state FROM dag_run WHERE run_id = ?", [latest])}
    if states != {"success"}:
        raise SystemExit(f"the nightly run ended {states}")
    return wall, tasks


def scenario(name: str, work: Path, inbox: Path, sources: Path | None, rows: list) -> None:
    home = work / name / "airflow"
    extra = {"KOMMUNE_ETL_SOURCES": str(sources)} if sources else {}
    env = airflow_env(home, **extra)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "airflow", "pools", "set", "duckdb_writer", "1", "one writer"], env=env,
                   check=True, capture_output=True)
    conf = {"inbox": str(inbox), "db": str(work / name / "warehouse" / "warehouse.duckdb")}
    for run in ("cold", "warm"):
        wall, tasks = nightly(env, conf)
        rows.append((name, run, wall, tasks))
        processed = tasks.get("process", (0, 0))[0]
        print(f"{name:<16} {run:<5} {wall:8.1f} s   process ×{processed:<5}"
              + "  ".join(f"{t} {s:.1f}s" for t, (_, s) in sorted(tasks.items())), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--generated", type=int, default=1000, help="documents in the grown scenario (0: skip)")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kommune-etl-nightly-"))
    rows: list = []
    print(f"{'scenario':<16} {'run':<5} {'wall':>8}     tasks (summed task durations)")
    try:
        inbox = work / "corpus-inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        for folder in ("samples", "samples-pdf"):
            for path in sorted((args.shared / "corpus" / folder).glob("*.*")):
                shutil.copy(path, inbox)
        url, httpd = serve_folder(args.shared / "corpus" / "real")
        sources = work / "sources.toml"
        sources.write_text(f'[sources.real]\nkind = "http"\nurl = "{url}/feed.json"\nmin_interval_s = 0.2\n')
        try:
            scenario("corpus+real", work, inbox, sources, rows)
        finally:
            httpd.shutdown()
        if args.generated:
            generated = work / "generated-inbox"
            generate(generated, 0, args.generated)
            scenario(f"generated {args.generated}", work, generated, None, rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    by = {(n, r): w for n, r, w, _ in rows}
    for name in dict.fromkeys(n for n, *_ in rows):
        print(f"{name}: warm/cold = {by[(name, 'warm')] / by[(name, 'cold')]:.2f}")


if __name__ == "__main__":
    main()
