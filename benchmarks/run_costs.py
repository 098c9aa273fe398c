"""The five run-cost ratios of issue 21 ("Fast where users wait"), all measured in one run of this script.

    uv run python benchmarks/run_costs.py [--runs 3] [--only a,b,c,d,e] [--warehouse-docs 1000]
                                          [--corpus DIR ...] [--pdfs 10] [--keep DIR] [--profile]

(a) `ingest` pages/s over a bare pypdfium2 read (`pdf[i].get_textpage().get_text_range()` of every page) of
    the same PDFs: the --pdfs largest text PDFs of --corpus by page count (text PDFs: pypdfium2 reads them and
    no page needs OCR; scans are skipped), ingested into an empty warehouse.        goal ≥ 0.25
(b) a no-op `ingest` (the five sample texts of ../shared/corpus/samples, ingested a second time into the
    warehouse that holds them) over a process that only opens that warehouse
    (`import duckdb; duckdb.connect(db).close()`).                                   goal ≤ 3×
(c) `ingest` of 5 new documents into a warehouse of --warehouse-docs documents over the same 5 into an empty
    one. The big warehouse is generated (benchmarks/scale.py) and ingested once; every repetition brings 5
    other new documents (it grows by 5 a repetition; with --keep it is reused by the next invocation).
                                                                                     goal ≤ 1.2×
(d) `extract FILE --format json` of a one-page text document (the first paragraphs, ≤ 3 000 characters, of
    a sample letter) over a process that only builds `spacy.blank("nb")`.          goal ≤ 1.2×
(e) peak RSS of the (a) ingest, its children included; with (c), also of its ingest into the big warehouse
    ("at any warehouse size").                                                       goal ≤ 500 MB

Every command runs as its own process, exactly as a user runs it (`python -m kommune_etl.cli ingest FOLDER
--db DB --no-progress`), and so does every baseline. Each is started by a tiny fresh wrapper process that
times `subprocess.run` with time.perf_counter and prints its RUSAGE_CHILDREN ru_maxrss: the largest RSS of
any one process below it (the CLI or a sandboxed reader it forked), not the sum of processes alive together.
Each command of (a), (b), (d) runs once untimed first (caches warm; for (c) the build is that run), then
--runs times, baseline and ours alternating; the table shows the medians and ratio = median(ours) /
median(baseline) (for (a) pages/s over pages/s). Every
warehouse is in a temporary folder; KOMMUNE_ETL_OCR_CACHE points there too. Subprocesses run with bytecode
caching on (as the Docker image runs). Compare ratios of one run, not absolute figures across machines.
With --profile, one more run of each command under cProfile prints where its time goes, and one more of the
(a) and (c) ingests splits peak RSS into the CLI process's own and its largest child's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from scale import generate  # noqa: E402  (the generated corpus of benchmarks/scale.py)

CLI = [sys.executable, "-m", "kommune_etl.cli"]

WRAPPER = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - started
print(json.dumps({"wall": wall, "rc": done.returncode,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "stdout": done.stdout[-1000000:].decode(errors="replace"),
                  "stderr": done.stderr[-3000:].decode(errors="replace")}))
"""

RAW_PDFIUM = r"""
import sys
import pypdfium2 as pdfium
pages = 0
for path in sys.argv[1:]:
    pdf = pdfium.PdfDocument(path)
    for i in range(len(pdf)):
        pdf[i].get_textpage().get_text_range()
        pages += 1
    pdf.close()
print(pages)
"""

OPEN_WAREHOUSE = "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"
BLANK_NB = 'import spacy; spacy.blank("nb")'

GOALS = {"a": (0.25, ">="), "b": (3.0, "<="), "c": (1.2, "<="), "d": (1.2, "<="), "e": (500.0, "<=")}


class Runner:
    """Runs commands through the wrapper in ``work`` with the benchmark's environment."""

    def __init__(self, work: Path):
        self.work = work
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["KOMMUNE_ETL_OCR_CACHE"] = str(work / "ocr-cache")
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
        self.env = env

    def measure(self, command: list[str], ok=(0,)) -> dict:
        """Wall seconds and peak RSS (MB, largest process below the wrapper) of one command."""
        done = subprocess.run([sys.executable, "-c", WRAPPER, *command], env=self.env, cwd=self.work,
                              capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["rc"] not in ok:
            raise SystemExit(f"exit {result['rc']}: {' '.join(command)}\n{result['stderr']}\n{result['stdout']}")
        result["peak_mb"] = result["maxrss_kb"] / 1024
        return result

    def plain(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(command, env=self.env, cwd=self.work, capture_output=True, text=True, **kwargs)


def ingest(folder: Path, db: Path) -> list[str]:
    return [*CLI, "ingest", str(folder), "--db", str(db), "--no-progress"]


def last_run(db: Path) -> dict:
    """The counters of the warehouse's latest run (read after the writer has exited)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT documents_new, documents_unchanged, documents_updated, documents_quarantined,"
                          " pages, seconds FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
        methods = dict(con.execute("SELECT method, count(*) FROM pages GROUP BY ALL").fetchall())
    finally:
        con.close()
    keys = ("new", "unchanged", "updated", "quarantined", "pages", "seconds")
    return dict(zip(keys, row)) | {"methods": methods}


def text_pdfs(folders: list[Path], count: int) -> list[tuple[Path, int]]:
    """The ``count`` largest PDFs by pages that pypdfium2 reads and in which no page needs OCR."""
    from kommune_etl.extractors.ocr import pages_to_ocr
    from kommune_etl.extractors.readers.pdf import read_pdf

    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.pdf")):
            try:
                doc = read_pdf(path.read_bytes())
            except Exception:  # noqa: BLE001 (unreadable: not part of the set)
                continue
            if doc.extractor == "pypdfium2" and doc.pages and not pages_to_ocr(doc.pages):
                found.append((path, len(doc.pages)))
    return sorted(found, key=lambda item: (-item[1], item[0].name))[:count]


def one_page_text(sample: Path, limit: int = 3000) -> str:
    """The leading paragraphs of ``sample``, at most ``limit`` characters: a page's worth of a letter."""
    out = ""
    for block in sample.read_text(encoding="utf-8").strip().split("\n\n"):
        if out and len(out) + len(block) + 2 > limit:
            break
        out += block + "\n\n"
    return out


def importtime(runner: Runner, command: list[str], top: int = 5) -> list[tuple[str, float]]:
    """The ``top`` largest top-level imports (cumulative ms) of one run under `python -X importtime`."""
    done = runner.plain([command[0], "-X", "importtime", *command[1:]])
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if not name.startswith("  "):  # nesting is indented below one leading space
            rows.append((name.strip(), int(cumulative) / 1000))
    return sorted(rows, key=lambda r: -r[1])[:top]


def profile(runner: Runner, command: list[str], label: str, top: int = 25) -> None:
    """One run of ``command`` under cProfile; prints the functions with the most cumulative time."""
    out = runner.work / f"profile-{label.split()[0]}.pstats"
    runner.plain([command[0], "-m", "cProfile", "-o", str(out), *command[1:]], check=True)
    import io
    import pstats

    text = io.StringIO()
    ours = f"{REPO}/(kommune_etl|warehouse|quality|extractors|transforms)/"
    pstats.Stats(str(out), stream=text).sort_stats("cumulative").print_stats(ours, top)
    body = text.getvalue()
    print(f"\n-- cProfile of {label}: the project's {top} functions with most cumulative time --")
    print(body[body.find("   ncalls"):].rstrip())


SPLIT = r"""
import resource, runpy, sys
try:
    runpy.run_module("kommune_etl.cli", run_name="__main__", alter_sys=True)  # sys.argv[1:] are its arguments
except SystemExit as exc:
    if exc.code:
        raise
own, children = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(f"{own:.0f} {children:.0f}")
"""


def memory_split(runner: Runner, command: list[str], label: str) -> None:
    """Peak RSS of the CLI process itself and of the largest process it started (one more run)."""
    done = runner.plain([command[0], "-c", SPLIT, *command[3:]], check=True)
    own, children = done.stdout.strip().splitlines()[-1].split()
    print(f"-- peak RSS of {label}: the CLI process {own} MB, its largest child {children} MB --")


def timed(name: str, values: list[float], unit: str = "s") -> str:
    return f"{name} [{', '.join(f'{v:.3f}' for v in values)}] {unit}, median {statistics.median(values):.3f}"


def measure_a(runner: Runner, args, results: dict) -> None:
    pdfs = text_pdfs(args.corpus, args.pdfs)
    if not pdfs:
        raise SystemExit(f"no text PDFs in {args.corpus}")
    pages = sum(n for _, n in pdfs)
    folder = runner.work / "a-corpus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path, _ in pdfs:
        shutil.copy(path, folder)  # a copy: ingest skips symlinks
    files = [str(folder / path.name) for path, _ in pdfs]
    print(f"(a)/(e) corpus: {len(pdfs)} text PDFs, {pages} pages, from {', '.join(map(str, args.corpus))}:", flush=True)
    for path, n in pdfs:
        print(f"      {n:4d}  {path.name}")
    raw_cmd = [sys.executable, "-c", RAW_PDFIUM, *files]

    def one_ingest(tag: str) -> tuple[dict, dict]:
        db = runner.work / f"a-{tag}" / "warehouse.duckdb"
        shutil.rmtree(db.parent, ignore_errors=True)
        result = runner.measure(ingest(folder, db))
        run = last_run(db)
        shutil.rmtree(db.parent, ignore_errors=True)
        return result, run

    warm, run = one_ingest("warmup")
    runner.measure(raw_cmd)
    print(f"    warm-up ingest: {warm['wall']:.1f} s; warehouse: {run['new']} new, {run['quarantined']} quarantined, "
          f"{run['pages']} pages loaded, page methods {run['methods']}", flush=True)
    if run["pages"] != pages or set(run["methods"]) - {"text_layer"}:
        print(f"    NOTE: expected {pages} text_layer pages", flush=True)
    ours, base, inner = [], [], []
    for i in range(args.runs):
        raw = runner.measure(raw_cmd)
        if int(raw["stdout"].strip()) != pages:
            raise SystemExit(f"raw pypdfium2 read {raw['stdout'].strip()} pages, expected {pages}")
        result, run = one_ingest(str(i))
        base.append(raw)
        ours.append(result)
        inner.append(run["seconds"])
        print(f"    #{i + 1}: raw pypdfium2 {raw['wall']:.2f} s ({raw['peak_mb']:.0f} MB); ingest {result['wall']:.2f} s "
              f"(run's own seconds {run['seconds']:.2f}; peak {result['peak_mb']:.0f} MB)", flush=True)
    ours_rate = statistics.median(pages / r["wall"] for r in ours)
    base_rate = statistics.median(pages / r["wall"] for r in base)
    results["a"] = ("(a) ingest pages/s / raw pypdfium2", f"{ours_rate:.1f} p/s", f"{base_rate:.1f} p/s",
                    ours_rate / base_rate)
    peak, base_peak = statistics.median(r["peak_mb"] for r in ours), statistics.median(r["peak_mb"] for r in base)
    results["e"] = (f"(e) peak RSS, ingest of {pages} pages", f"{peak:.0f} MB", f"{base_peak:.0f} MB (raw)", peak / base_peak,
                    peak)
    print(f"    {timed('ingest', [r['wall'] for r in ours])}; {timed('raw', [r['wall'] for r in base])}; "
          f"ingest's run seconds (inside the process) median {statistics.median(inner):.2f}", flush=True)
    print(f"    peak RSS MB: ingest {[round(r['peak_mb']) for r in ours]}, raw {[round(r['peak_mb']) for r in base]}")
    if args.profile:
        for tag in ("profile", "split"):
            db = runner.work / f"a-{tag}" / "warehouse.duckdb"
            shutil.rmtree(db.parent, ignore_errors=True)
            if tag == "profile":
                profile(runner, ingest(folder, db), f"a ingest of {pages} pages")
            else:
                memory_split(runner, ingest(folder, db), f"a ingest of {pages} pages")
            shutil.rmtree(db.parent, ignore_errors=True)


def measure_b(runner: Runner, args, results: dict) -> None:
    folder = runner.work / "b-samples"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in sorted((args.shared / "corpus" / "samples").glob("*.txt")):
        shutil.copy(path, folder)
    db = runner.work / "b-warehouse" / "warehouse.duckdb"
    shutil.rmtree(db.parent, ignore_errors=True)
    first = runner.measure(ingest(folder, db), ok=(0, 1))
    run = last_run(db)
    print(f"(b) first ingest of {len(list(folder.iterdir()))} samples: {first['wall']:.1f} s, {run['new']} new, "
          f"{run['quarantined']} quarantined", flush=True)
    noop, opener = ingest(folder, db), [sys.executable, "-c", OPEN_WAREHOUSE, str(db)]
    runner.measure(noop), runner.measure(opener)  # warm-up
    ours, base = [], []
    for i in range(args.runs):
        base.append(runner.measure(opener))
        ours.append(runner.measure(noop))
        run = last_run(db)
        if run["new"] or run["updated"] or run["quarantined"]:
            raise SystemExit(f"the no-op run was not one: {run}")
        print(f"    #{i + 1}: open warehouse {base[-1]['wall']:.3f} s; no-op ingest {ours[-1]['wall']:.3f} s "
              f"(run's own seconds {run['seconds']:.3f}, peak {ours[-1]['peak_mb']:.0f} MB)", flush=True)
    o, b = statistics.median(r["wall"] for r in ours), statistics.median(r["wall"] for r in base)
    results["b"] = ("(b) no-op ingest / open warehouse", f"{o:.3f} s", f"{b:.3f} s", o / b)
    print("    largest top-level imports of the no-op ingest (-X importtime, cumulative ms): "
          + ", ".join(f"{n} {ms:.0f}" for n, ms in importtime(runner, noop)), flush=True)
    print(f"    warehouse file {db.stat().st_size / 2**20:.1f} MB")
    if args.profile:
        profile(runner, noop, "b no-op ingest")


def big_warehouse(runner: Runner, docs: int) -> Path:
    """A warehouse of ``docs`` generated documents, built once (kept and reused with --keep)."""
    db = runner.work / f"c-big-{docs}" / "warehouse.duckdb"
    marker = db.parent / "built"
    if marker.exists():
        print(f"(c) reusing the {docs}-document warehouse in {db.parent}", flush=True)
        return db
    shutil.rmtree(db.parent, ignore_errors=True)
    inbox = runner.work / f"c-inbox-{docs}"
    shutil.rmtree(inbox, ignore_errors=True)
    generate(inbox, 0, docs)
    started = time.perf_counter()
    print(f"(c) building a {docs}-document warehouse (not timed as a measure) ...", flush=True)
    runner.plain(ingest(inbox, db))
    run = last_run(db)
    print(f"    built in {time.perf_counter() - started:.0f} s: {run['new']} new, {run['quarantined']} quarantined, "
          f"{run['pages']} pages; file {db.stat().st_size / 2**20:.0f} MB", flush=True)
    marker.write_text(str(docs))
    shutil.rmtree(inbox, ignore_errors=True)
    return db


def five_new(runner: Runner, docs: int) -> Path:
    """A folder of 5 generated documents that no earlier repetition (of this or a kept run) used."""
    k = 0
    while (runner.work / f"c-new-{docs}-{k:03d}").exists():
        k += 1
    folder = runner.work / f"c-new-{docs}-{k:03d}"
    generate(folder, docs + 5 * k, 5)
    return folder


def measure_c(runner: Runner, args, results: dict) -> None:
    docs = args.warehouse_docs
    big = big_warehouse(runner, docs)
    ours, base = [], []
    for i in range(args.runs):
        folder = five_new(runner, docs)
        empty = runner.work / "c-empty" / "warehouse.duckdb"
        shutil.rmtree(empty.parent, ignore_errors=True)
        base.append(runner.measure(ingest(folder, empty), ok=(0, 1)))
        into_empty = last_run(empty)
        shutil.rmtree(empty.parent, ignore_errors=True)
        ours.append(runner.measure(ingest(folder, big), ok=(0, 1)))
        into_big = last_run(big)
        for run in (into_empty, into_big):
            if run["new"] + run["quarantined"] != 5:
                raise SystemExit(f"expected 5 new documents, the run says {run}")
        print(f"    #{i + 1} ({folder.name}): into empty {base[-1]['wall']:.2f} s (run's own {into_empty['seconds']:.2f} s, "
              f"peak {base[-1]['peak_mb']:.0f} MB); into {docs} {ours[-1]['wall']:.2f} s (run's own "
              f"{into_big['seconds']:.2f} s, peak {ours[-1]['peak_mb']:.0f} MB)", flush=True)
    o, b = statistics.median(r["wall"] for r in ours), statistics.median(r["wall"] for r in base)
    results["c"] = (f"(c) 5 new docs: into {docs} / into empty", f"{o:.2f} s", f"{b:.2f} s", o / b)
    peak, base_peak = statistics.median(r["peak_mb"] for r in ours), statistics.median(r["peak_mb"] for r in base)
    results["e2"] = (f"(e) peak RSS, 5 docs into {docs}", f"{peak:.0f} MB", f"{base_peak:.0f} MB (empty)",
                     peak / base_peak, peak)
    if args.profile:
        folder = five_new(runner, docs)
        empty = runner.work / "c-empty" / "warehouse.duckdb"
        shutil.rmtree(empty.parent, ignore_errors=True)
        profile(runner, ingest(folder, empty), "c 5 new documents into an empty warehouse")
        shutil.rmtree(empty.parent, ignore_errors=True)
        profile(runner, ingest(folder, big), f"c 5 new documents into {docs}")
        memory_split(runner, ingest(five_new(runner, docs), big), f"c 5 new documents into {docs}")


def measure_d(runner: Runner, args, results: dict) -> None:
    sample = args.shared / "corpus" / "samples" / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.txt"
    page = runner.work / "d" / "ks_tilskuddsbrev_page1.txt"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(one_page_text(sample), encoding="utf-8")
    extract, blank = [*CLI, "extract", str(page), "--format", "json"], [sys.executable, "-c", BLANK_NB]
    first = runner.measure(extract)
    runner.measure(blank)  # warm-up
    found = json.loads(first["stdout"]) if first["stdout"].lstrip().startswith("{") else {}
    print(f"(d) one-page document: {page.stat().st_size} bytes; extract found "
          f"{len(found.get('pages_detail') or [])} page(s), {len(found.get('entities', []) or [])} entities", flush=True)
    ours, base = [], []
    for i in range(args.runs):
        base.append(runner.measure(blank))
        ours.append(runner.measure(extract))
        print(f"    #{i + 1}: spacy.blank('nb') {base[-1]['wall']:.3f} s ({base[-1]['peak_mb']:.0f} MB); "
              f"extract {ours[-1]['wall']:.3f} s ({ours[-1]['peak_mb']:.0f} MB)", flush=True)
    o, b = statistics.median(r["wall"] for r in ours), statistics.median(r["wall"] for r in base)
    results["d"] = ("(d) extract 1 page / spacy.blank(nb)", f"{o:.3f} s", f"{b:.3f} s", o / b)
    print("    largest top-level imports of extract (-X importtime, cumulative ms): "
          + ", ".join(f"{n} {ms:.0f}" for n, ms in importtime(runner, extract)), flush=True)
    if args.profile:
        profile(runner, extract, "d extract")


def tree_state() -> str:
    """The commit measured and the source files changed on top of it (the working tree is what runs)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.rstrip() if done.returncode == 0 else "?"

    changed = [line[3:] for line in git("status", "--short", "--untracked-files=no").splitlines()
               if line[3:].endswith(".py") and not line[3:].startswith(("tests/", "benchmarks/"))]
    return f"HEAD {git('rev-parse', '--short', 'HEAD').strip()}, uncommitted source changes: {', '.join(changed) or 'none'}"


def print_table(results: dict, runs: int) -> None:
    print(f"\nmedians of {runs} runs each; ratio = ours / baseline\n")
    header = f"{'measure':<42} {'ours':>11} {'baseline':>16} {'ratio':>7} {'goal':>9} {'met?':>5}"
    print(header)
    print("-" * len(header))
    for key in ("a", "b", "c", "d", "e", "e2"):
        if key not in results:
            continue
        name, ours, base, ratio, *value = results[key]
        goal, sense = GOALS[key[0]]
        checked = value[0] if value else ratio
        met = checked >= goal if sense == ">=" else checked <= goal
        unit = " MB" if key.startswith("e") else ("" if key == "a" else "×")
        goal_text = f"{'≥' if sense == '>=' else '≤'} {goal:g}{unit}"
        ratio_text = f"{ratio:.3g}" if ratio is not None else ""
        print(f"{name:<42} {ours:>11} {base:>16} {ratio_text:>7} {goal_text:>9} {'yes' if met else 'NO':>5}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed repetitions per measure (medians; default 3)")
    parser.add_argument("--only", default="a,b,c,d,e", help="comma-separated measures (default a,b,c,d,e)")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--corpus", type=Path, action="append",
                        help="folder(s) of PDFs for (a)/(e) (default ../shared/corpus/real; repeatable)")
    parser.add_argument("--pdfs", type=int, default=10, help="the N largest text PDFs of --corpus (default 10)")
    parser.add_argument("--warehouse-docs", type=int, default=1000,
                        help="documents in the big warehouse of (c) (default 1000; the issue's 10000 takes ~30 min)")
    parser.add_argument("--keep", type=Path, help="work here and keep it; a big warehouse found there is reused")
    parser.add_argument("--profile", action="store_true", help="afterwards: one cProfile run of each command; peak RSS split for (a), (c)")
    args = parser.parse_args()
    args.corpus = args.corpus or [args.shared / "corpus" / "real"]
    only = {m.strip() for m in args.only.split(",") if m.strip()}
    if unknown := only - set("abcde"):
        parser.error(f"unknown measures {sorted(unknown)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    work = (args.keep or Path(tempfile.mkdtemp(prefix="kommune-etl-run-costs-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    runner = Runner(work)
    results: dict = {}
    started = time.perf_counter()
    print(f"tree: {tree_state()}", flush=True)
    try:
        if only & {"d"}:
            measure_d(runner, args, results)
        if only & {"b"}:
            measure_b(runner, args, results)
        if only & {"a", "e"}:
            measure_a(runner, args, results)
        if only & {"c"}:
            measure_c(runner, args, results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for key in list(results):
        if key[0] not in only:
            del results[key]
    print_table(results, args.runs)
    print(f"\ntree at the end: {tree_state()}")
    print(f"this script: {time.perf_counter() - started:.0f} s wall")


if __name__ == "__main__":
    main()
