"""Speed of the NLP stage against spaCy's bare tokenizer, on the samples repeated to >= 1 000 pages.

    uv run python benchmarks/nlp_speed.py [--pages 1000] [--runs 3]

Prints pages/s and entities/s of `extract_entities` (batched with nlp.pipe), pages/s of
`nlp.make_doc` alone (the bare tokenizer) and their ratio, and PDF text extraction pages/s on the
same pages for comparison (the issue's aim: NLP costs no more than reading the PDFs). Medians of --runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from kommune_etl.extractors.readers.pdf import read_pdf
    from kommune_etl.transforms.nlp.pipeline import default_nlp, extract_entities

    pdfs = sorted((REPO / "kommune_etl" / "samples" / "pdf").glob("*.pdf"))
    documents = [read_pdf(p.read_bytes()).pages for p in pdfs]
    per_round = sum(len(d) for d in documents)
    rounds = -(-args.pages // per_round)
    corpus = documents * rounds
    pages = sum(len(d) for d in corpus)
    nlp = default_nlp()

    def nlp_stage() -> int:
        return sum(len(extract_entities(doc, __import__("datetime").date(2024, 1, 1), nlp)) for doc in corpus)

    def tokenizer_only() -> int:
        return sum(len(nlp.make_doc(p.text)) for doc in corpus for p in doc)

    def pdf_reading() -> int:
        return sum(len(read_pdf(p.read_bytes()).pages) for _ in range(rounds) for p in pdfs)

    timings = {}
    for name, fn in (("nlp", nlp_stage), ("tokenizer", tokenizer_only), ("pdf", pdf_reading)):
        runs = []
        for _ in range(args.runs):
            started = time.perf_counter()
            count = fn()
            runs.append(time.perf_counter() - started)
        timings[name] = (statistics.median(runs), count)

    nlp_s, entities = timings["nlp"]
    tok_s, tokens = timings["tokenizer"]
    pdf_s, _ = timings["pdf"]
    print(f"{pages} pages ({len(corpus)} documents), median of {args.runs} runs")
    print(f"NLP stage:       {pages / nlp_s:8.1f} pages/s  {entities / nlp_s:9.0f} entities/s  ({entities} entities)")
    print(f"bare tokenizer:  {pages / tok_s:8.1f} pages/s  ({tokens} tokens)")
    print(f"PDF text (pdfium): {pages / pdf_s:6.1f} pages/s")
    print(f"ratio NLP / tokenizer time: {nlp_s / tok_s:.1f}x;  NLP / PDF reading time: {nlp_s / pdf_s:.2f}x")


if __name__ == "__main__":
    main()
