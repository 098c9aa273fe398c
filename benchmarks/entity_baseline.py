"""DATE extraction: our pipeline vs dateparser's search_dates (languages nb) on the answer keys.

    uv run python benchmarks/entity_baseline.py [--gold ../shared/gold]

Prints precision/recall per document for both, on the text samples and their PDF renderings. The
baseline gets every date dateparser finds (settings: no relative dates, day-first), compared as a set
of ISO dates like ours.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=REPO.parent / "shared" / "gold")
    args = parser.parse_args()

    from dateparser.search import search_dates

    from kommune_etl.evaluate import find_documents, gold_values, load_gold, predicted_values
    from kommune_etl.pipeline import process_document, read_raw

    folders = [args.gold.parent / "corpus" / "samples", args.gold.parent / "corpus" / "samples-pdf"]
    settings = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False,
                "REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True}
    print(f"{'document':<55} {'ours P':>7} {'ours R':>7} {'dateparser P':>13} {'dateparser R':>13} {'dp s':>6}")
    totals = {"ours": [0, 0, 0], "dp": [0, 0, 0]}
    for stem, gold in load_gold(args.gold).items():
        expected = gold_values(gold, "DATE")
        for path in find_documents(stem, folders):
            result = process_document(read_raw(path))
            ours = predicted_values(result, "DATE")
            started = time.perf_counter()
            found = set()
            for page in result.pages:
                for _, value in search_dates(page.text, languages=["nb"], settings=settings) or []:
                    found.add(value.date().isoformat())
            seconds = time.perf_counter() - started
            row = []
            for key, predicted in (("ours", ours), ("dp", found)):
                hits = len(predicted & expected)
                totals[key][0] += hits
                totals[key][1] += len(predicted)
                totals[key][2] += len(expected)
                row += [hits / len(predicted) if predicted else 1.0, hits / len(expected) if expected else 1.0]
            print(f"{path.name:<55} {row[0]:>7.2f} {row[1]:>7.2f} {row[2]:>13.2f} {row[3]:>13.2f} {seconds:>6.1f}")
    for key, (hits, predicted, expected) in totals.items():
        print(f"micro {key}: P={hits / predicted:.2f} R={hits / expected:.2f}")


if __name__ == "__main__":
    main()
