"""Speed of the election-protocol reader against reading the PDF text alone.

    uv run python benchmarks/elections.py [--corpus DIR] [--runs 3] [--pdf NAME]

Prints pages/s of `extract_election` on the largest protocol (the PDF with the most pages; --pdf picks
another) and on the whole text-PDF corpus, next to pages/s of `read_pdf` on the same files, and the
reader's cost as a ratio to reading the text (reader seconds / read_pdf seconds). Medians of --runs.
Scans are left out: without a text layer read_pdf has nothing to compare with, and OCR dominates.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from timing import median_seconds  # noqa: E402 (benchmarks/ is the script's own folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "elections")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf", help="the single protocol to time (default: the one with the most pages)")
    args = parser.parse_args()

    from kommune_etl.extractors.ocr import garbage_score
    from kommune_etl.extractors.readers.pdf import read_pdf
    from kommune_etl.transforms.structures.elections import extract_election

    contents = {p.name: p.read_bytes() for p in sorted(args.corpus.glob("*.pdf"))}
    documents = {}
    for name, content in contents.items():
        pages = read_pdf(content).pages
        imaged = sum(1 for p in pages if p.has_images)
        junk = sum(1 for p in pages if len(p.text.split()) >= 20 and garbage_score(p.text) > 0.6)
        if any(p.text.strip() for p in pages) and imaged < max(2, 0.8 * len(pages)) and junk <= len(pages) // 2:
            documents[name] = pages
    largest = args.pdf or max(documents, key=lambda n: (len(documents[n]), len(contents[n])))
    by_bytes = max(contents, key=lambda n: len(contents[n]))

    def report(title: str, names: list[str]) -> None:
        pages = sum(len(documents[n]) for n in names)
        read_s = median_seconds(lambda: [read_pdf(contents[n]) for n in names], args.runs)
        reader_s = median_seconds(lambda: [extract_election(documents[n]) for n in names], args.runs)
        print(f"{title}: {len(names)} PDF(s), {pages} pages, median of {args.runs} runs")
        print(f"  read_pdf          {pages / read_s:9.1f} pages/s  ({read_s:.3f} s)")
        print(f"  extract_election  {pages / reader_s:9.1f} pages/s  ({reader_s:.3f} s)")
        print(f"  reader / read_pdf {reader_s / read_s:9.2f} x the time of reading the text "
              f"({read_s + reader_s:.3f} s together: {pages / (read_s + reader_s):.1f} pages/s)")

    print(f"largest protocol: {largest} ({len(documents[largest])} pages); the largest file is {by_bytes} "
          f"({len(contents[by_bytes]) / 1e6:.1f} MB{', a scan' if by_bytes not in documents else ''})")
    report(f"largest protocol {largest}", [largest])
    report("text-PDF corpus", sorted(documents))


if __name__ == "__main__":
    main()
