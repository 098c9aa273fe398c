"""OCR cost on this machine and its effect on a nightly run over ../shared/corpus/real.

    uv run python benchmarks/ocr.py

Prints seconds per OCR'd page (cold cache), and ingest wall time of the real corpus three ways in one
run: OCR off (scans quarantined as no_text_layer), OCR with an empty cache, OCR with a warm cache
(a fresh warehouse, the same page cache: what a re-run or reprocess costs).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    from kommune_etl.extractors.ocr import OcrSettings
    from kommune_etl.pipeline import ingest_paths

    corpus = REPO.parent / "shared" / "corpus" / "real"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = tmp / "ocr-cache"
        runs = {}
        for name, settings in (("OCR off", OcrSettings(enabled=False)), ("OCR, cold cache", OcrSettings(cache_dir=cache)),
                               ("OCR, warm cache", OcrSettings(cache_dir=cache))):
            started = time.perf_counter()
            summary = ingest_paths([corpus], tmp / name.replace(" ", "_").replace(",", "") / "w.duckdb", ocr=settings)
            runs[name] = (time.perf_counter() - started, summary)
        import duckdb

        con = duckdb.connect(str(tmp / "OCR_cold_cache" / "w.duckdb"), read_only=True)
        ocr_pages, mean_conf = con.execute("SELECT count(*), avg(ocr_confidence) FROM pages WHERE method LIKE 'ocr%'").fetchone()
        low = con.execute("SELECT count(*) FROM quality_issues WHERE check_name = 'ocr_low_confidence'").fetchone()[0]
        con.close()
    off, cold, warm = (runs[k][0] for k in ("OCR off", "OCR, cold cache", "OCR, warm cache"))
    print(f"OCR'd pages: {ocr_pages} (mean word confidence {mean_conf:.1f}; {low} pages flagged below 70)")
    print(f"OCR seconds per page (cold): {(cold - off) / ocr_pages:.2f}")
    for name, (seconds, summary) in runs.items():
        print(f"{name:<16} {seconds:7.1f} s   {summary.new} documents loaded, {summary.quarantined} quarantined, "
              f"{summary.pages} pages")
    print(f"ratios: cold/off {cold / off:.1f}x, warm/off {warm / off:.1f}x")


if __name__ == "__main__":
    main()
