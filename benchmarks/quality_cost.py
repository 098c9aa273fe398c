"""Cost of validation per document and per run, and its share of ingest time.

    uv run python benchmarks/quality_cost.py [--documents 1000]

Builds N distinct documents from the bundled text samples (each copy gets its own trailing line, so
its sha256 differs), ingests them once with quality checks and once without (fresh warehouses, same
machine, one run), and prints seconds per document for validation alone and the share of the run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    args = parser.parse_args()

    from kommune_etl.pipeline import VALIDATION_BATCH, ingest_paths, process_document, read_raw
    from kommune_etl.quality.validate import default_validator

    samples = sorted((REPO / "kommune_etl" / "samples" / "text").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for i in range(args.documents):
            source = samples[i % len(samples)]
            (inbox / f"{i:05d}_{source.name}").write_bytes(source.read_bytes() + f"\n\nKopi {i}\n".encode())
        started = time.perf_counter()
        default_validator()  # the one-off GX import and suite build, reported separately
        build = time.perf_counter() - started
        per_document = []
        for path in samples:
            result = process_document(read_raw(path))
            for _ in range(5):
                t = time.perf_counter()
                default_validator().validate(result)
                per_document.append(time.perf_counter() - t)
        timings = {}
        for checked in (True, False):
            t = time.perf_counter()
            summary = ingest_paths([inbox], Path(tmp) / f"w{checked}" / "w.duckdb", check_quality=checked)
            timings[checked] = (time.perf_counter() - t, summary)
    with_q, without_q = timings[True][0], timings[False][0]
    print(f"{args.documents} documents ({timings[True][1].new} loaded, {timings[True][1].quarantined} quarantined)")
    print(f"GX import + suite build (once per process): {build:.1f} s")
    print(f"one document validated alone: median {1000 * statistics.median(per_document):.0f} ms")
    print(f"validation in batches of {VALIDATION_BATCH} during ingest: {1000 * (with_q - without_q) / args.documents:.1f} ms"
          f" per document (incl. storing results and building Data Docs)")
    print(f"ingest with checks {with_q:.1f} s, without {without_q:.1f} s: validation share {(with_q - without_q) / with_q:.1%}")


if __name__ == "__main__":
    main()
