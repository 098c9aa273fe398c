"""Wall time of the nightly DAG, as Airflow runs it: cold, then warm with nothing changed, and how it grows.

    uv run python benchmarks/nightly.py [--shared ../shared] [--generated 1000] [--batch-sizes 25] [--repeat 3]
                                        [--keep DIR]

Scenario "corpus": the five bundled samples (text + PDF) in the inbox folder and ../shared/corpus/real served
by a local HTTP server as a JSON feed (a configured `http` source, min_interval_s 0.2), so the run fetches,
discovers, processes (mapped) and loads. Scenario "generated": N perturbed sample texts (benchmarks/scale.py)
in the inbox, once per `--batch-sizes` value (the DAG's batch_size param; 1 = one task per document). Each is
run with `airflow dags test` (real Airflow 3, SQLite metadata DB, one process) twice:
cold (empty warehouse) and warm (nothing changed), `--repeat` times (a fresh warehouse each time). After each
warm run, the fetch stage alone (import + `fetch_source` of every configured source, outside Airflow) is timed:
what "listing the sources" costs. Airflow's own floor — `dags test` of a one-task DAG that does nothing — is
measured too, so a warm run can be read as floor + our work. Prints wall time per run, per-task durations from the metadata DB, the
warm/cold and warm/listing ratios of each repetition and their medians. Compare rows of one run, not machines.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
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
    """Without PYTHONDONTWRITEBYTECODE: measured with bytecode cached, as the Docker image runs (it compiles at build)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
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


LISTING_ONLY = """
import sys, time
from pathlib import Path
started = time.perf_counter()
from kommune_etl.extractors.sources.config import load_sources
from kommune_etl.fetch import fetch_source
for source in load_sources().values():
    fetch_source(source, Path(sys.argv[1]), Path(sys.argv[2]))
print(time.perf_counter() - started)
"""


def listing_only(env: dict[str, str], inbox: Path, db: Path) -> float:
    """Seconds for the fetch stage alone (its import included), as a fresh process would pay them."""
    done = subprocess.run([sys.executable, "-c", LISTING_ONLY, str(inbox), str(db)], env=env, capture_output=True,
                          text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


NOOP_DAG = """
from airflow.sdk import dag, task
import pendulum

@dag(dag_id="noop", schedule=None, start_date=pendulum.datetime(2025, 1, 1), catchup=False)
def noop():
    @task
    def nothing():
        return None
    nothing()

noop()
"""


def airflow_floor(work: Path, repeat: int) -> float:
    """Median wall seconds of `airflow dags test` of a one-task DAG that does nothing."""
    dags = work / "floor" / "dags"
    dags.mkdir(parents=True, exist_ok=True)
    (dags / "noop.py").write_text(NOOP_DAG)
    env = airflow_env(work / "floor" / "airflow", AIRFLOW__CORE__DAGS_FOLDER=str(dags))
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    walls = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "airflow", "dags", "test", "noop"], env=env, check=True,
                       capture_output=True)
        walls.append(time.perf_counter() - started)
    return statistics.median(walls)


def scenario(name: str, work: Path, inbox: Path, sources: Path | None, repeat: int, rows: list,
             batch_size: int | None = None) -> None:
    home = work / name / "airflow"
    extra = {"KOMMUNE_ETL_SOURCES": str(sources)} if sources else {}
    env = airflow_env(home, **extra)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "airflow", "pools", "set", "duckdb_writer", "1", "one writer"], env=env,
                   check=True, capture_output=True)
    db = work / name / "warehouse" / "warehouse.duckdb"
    conf = {"inbox": str(inbox), "db": str(db)} | ({"batch_size": batch_size} if batch_size else {})
    prepared = set(inbox.iterdir())                         # the inbox before any fetch
    for repetition in range(1, repeat + 1):
        shutil.rmtree(db.parent, ignore_errors=True)       # cold: an empty warehouse (the inbox keeps its files)
        for fetched in set(inbox.iterdir()) - prepared:
            fetched.unlink()                                # and what a previous repetition fetched
        walls = {}
        for run in ("cold", "warm"):
            wall, tasks = nightly(env, conf)
            walls[run] = wall
            batches, _ = tasks.get("process", (0, 0))
            print(f"{name:<16} #{repetition} {run:<5} {wall:8.1f} s   process ×{batches:<4}"
                  + "  ".join(f"{t} {s:.1f}s" for t, (_, s) in sorted(tasks.items())), flush=True)
        listing = listing_only(env, inbox, db)
        print(f"{name:<16} #{repetition} fetch stage alone {listing:.1f} s", flush=True)
        rows.append((name, walls["cold"], walls["warm"], listing))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--generated", type=int, default=1000, help="documents in the grown scenario (0: skip)")
    parser.add_argument("--batch-sizes", default="25", help="comma-separated batch_size values for the grown scenario")
    parser.add_argument("--repeat", type=int, default=1, help="cold+warm pairs per scenario (medians reported)")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kommune-etl-nightly-"))
    rows: list = []
    print(f"{'scenario':<16} {'#':<2} {'run':<5} {'wall':>8}     tasks (summed task durations)")
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
            scenario("corpus+real", work, inbox, sources, args.repeat, rows)
        finally:
            httpd.shutdown()
        if args.generated:
            generated = work / "generated-inbox"
            generate(generated, 0, args.generated)
            for size in (int(v) for v in args.batch_sizes.split(",")):
                scenario(f"generated {args.generated}/{size}", work, generated, None, args.repeat, rows, size)
        floor = airflow_floor(work, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nAirflow floor (dags test of a one-task no-op DAG), median of {args.repeat}: {floor:.1f} s")
    for name in dict.fromkeys(n for n, *_ in rows):
        runs = [r for r in rows if r[0] == name]
        cold, warm, listing = (statistics.median(r[i] for r in runs) for i in (1, 2, 3))
        warm_cold = statistics.median(r[2] / r[1] for r in runs)
        warm_listing = statistics.median(r[2] / r[3] for r in runs)
        print(f"{name}: median of {len(runs)}: cold {cold:.1f} s, warm {warm:.1f} s, fetch stage alone {listing:.1f} s;"
              f" warm/cold {warm_cold:.2f}, warm/fetch-alone {warm_listing:.1f}, warm − floor {warm - floor:.1f} s")


if __name__ == "__main__":
    main()
