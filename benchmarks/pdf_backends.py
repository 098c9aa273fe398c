"""PDF backends and ingest, measured on the real municipal PDFs.

    uv run python benchmarks/pdf_backends.py [--corpus ../shared/corpus/real] [--runs 3]

Prints pages/s per backend (median of --runs, each run in a fresh process so peak memory is that
backend's own), the speed ratio, peak RSS, a text-quality proxy (words glued together, e.g.
`fylkeKommunestyrevalget`), and `ingest` end-to-end pages/s on the same set. Ratios come from one
invocation on one machine; compare them, not the absolute figures, across machines.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GLUED = re.compile(r"\b[a-zæøå]{2,}[A-ZÆØÅ][a-zæøå]{2,}")


def worker(backend: str, corpus: Path) -> dict:
    from kommune_etl.extractors.readers.pdf import read_pdf
    from kommune_etl.models import ReadError

    pages = glued = chars = 0
    started = time.perf_counter()
    for path in sorted(corpus.glob("*.pdf")):
        try:
            doc = read_pdf(path.read_bytes(), backend=backend)
        except ReadError:
            continue  # scans: no text layer with either backend
        if doc.extractor != backend:
            continue
        pages += len(doc.pages)
        for page in doc.pages:
            chars += len(page.text)
            glued += len(GLUED.findall(page.text))
    seconds = time.perf_counter() - started
    return {"pages": pages, "seconds": seconds, "chars": chars, "glued": glued,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_worker(backend: str, corpus: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", backend, "--corpus", str(corpus)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ingest_rate(corpus: Path) -> tuple[float, int, float]:
    from kommune_etl.pipeline import ingest_paths

    with tempfile.TemporaryDirectory() as tmp:
        summary = ingest_paths([corpus], Path(tmp) / "bench.duckdb")
    return summary.pages / summary.seconds, summary.pages, summary.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "real")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.corpus)))
        return

    results = {}
    for backend in ("pypdfium2", "pdfminer"):
        runs = [run_worker(backend, args.corpus) for _ in range(args.runs)]
        rate = statistics.median(r["pages"] / r["seconds"] for r in runs)
        results[backend] = {**runs[0], "pages_per_s": rate,
                            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs)}
    print(f"corpus: {args.corpus} ({results['pypdfium2']['pages']} text pages), median of {args.runs} runs\n")
    print(f"{'backend':<10} {'pages/s':>9} {'peak RSS MB':>12} {'chars':>8} {'glued words':>12}")
    for name, r in results.items():
        print(f"{name:<10} {r['pages_per_s']:>9.1f} {r['peak_rss_mb']:>12.0f} {r['chars']:>8} {r['glued']:>12}")
    ratio = results["pypdfium2"]["pages_per_s"] / results["pdfminer"]["pages_per_s"]
    print(f"\nspeed ratio pypdfium2 / pdfminer.six: {ratio:.1f}x")
    rates = [ingest_rate(args.corpus) for _ in range(args.runs)]
    rate = statistics.median(r[0] for r in rates)
    print(f"ingest end-to-end (sandboxed read, classify, entities, DuckDB load): {rate:.1f} pages/s "
          f"({rates[0][1]} pages, median of {args.runs} runs)")


if __name__ == "__main__":
    main()
