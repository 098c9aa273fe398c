"""How many scanned election protocols reconcile after OCR (issue 17, point 5).

    uv run python scripts/election_scans.py [--corpus ../shared/corpus/elections] [--cache DIR]

Each PDF whose pages need OCR goes through the product's reader and OCR (the cache in --cache makes a second
run free); every protocol read from it is counted as reconciled (its core tables read and adding up) or
flagged (with its read problems). Slow on a first run: Tesseract reads every page at 300 dpi.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    from kommune_etl.extractors.ocr import OcrSettings, ocr_document, pages_to_ocr
    from kommune_etl.extractors.readers.pdf import read_pdf
    from kommune_etl.transforms.structures.elections import extract_elections, read_problems, reconciles

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "elections")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "kommune-etl" / "ocr")
    parser.add_argument("--psm", type=int, default=OcrSettings.psm, help="Tesseract page segmentation mode")
    args = parser.parse_args()
    settings = OcrSettings(cache_dir=args.cache, psm=args.psm)
    total = ok = 0
    for path in sorted(args.corpus.glob("*.pdf")):
        content = path.read_bytes()
        document = read_pdf(content)
        if not pages_to_ocr(document.pages):
            continue
        document = ocr_document(content, document, settings)
        protocols = extract_elections(document.pages)
        if not protocols:
            print(f"{path.name}: no protocol read", flush=True)
            total += 1
            continue
        for protocol in protocols:
            total += 1
            good = reconciles(protocol, strict=False)
            ok += good
            problems = read_problems(protocol)
            print(f"{path.name} [{protocol.election} {protocol.area_name}]: {'reconciles' if good else 'flagged'}"
                  + ("" if good else f" — {'; '.join(problems[:3])}"), flush=True)
    print(f"scanned protocols reconciling on their core tables: {ok}/{total}")


if __name__ == "__main__":
    main()
