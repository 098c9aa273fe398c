"""The structures stage (meeting, votes, grant tables) on the largest real protocol, against reading its text.

    uv run python benchmarks/structures.py [--protocol ../shared/corpus/protocols/fasit/levanger/mote-461.txt] [--runs 5]

The protocol is published as text; to compare with reading a PDF, its lines are laid out as a real
multi-page PDF (50 lines a page, Helvetica) and read back with the product's reader. Prints medians of
--runs, ms per page for each, and the ratio structures / reading (the target: below 1). Ratios come
from one invocation on one machine.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from pdfmaker import pdf_of  # noqa: E402 (the tests' PDF writer)
from timing import median_seconds  # noqa: E402 (benchmarks/ is the script's own folder)

LINES_PER_PAGE = 50


def text_to_pdf(text: str) -> bytes:
    """A valid PDF with one text line per `Tj` and LINES_PER_PAGE lines per page."""
    lines = text.split("\n")
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[""]]
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # pages object filled in below
    font_id = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for page_lines in pages:
        ops = [b"BT /F1 9 Tf 40 800 Td 11 TL"]
        for line in page_lines:
            safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(b"(" + safe.encode("cp1252", errors="replace") + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
                       b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    return pdf_of(objects)



def main() -> None:
    from kommune_etl.extractors.readers.pdf import read_pdf
    from kommune_etl.models import DocType
    from kommune_etl.transforms.nlp.pipeline import extract_entities
    from kommune_etl.transforms.structures import extract_structures

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--protocol", type=Path,
                        default=REPO.parent / "shared" / "corpus" / "protocols" / "fasit" / "levanger" / "mote-461.txt")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    pdf = text_to_pdf(args.protocol.read_text(encoding="utf-8"))
    pages = read_pdf(pdf).pages
    on = date(2026, 3, 25)
    # as the pipeline runs it: after the entity stage, whose places and money tables the structures stage reuses
    entities = extract_entities(pages, on)
    extract_structures(pages, DocType.PROTOCOL, on, entities)  # warm caches (gazetteer, parties)
    reading = median_seconds(lambda: read_pdf(pdf), args.runs)
    structures = median_seconds(lambda: extract_structures(pages, DocType.PROTOCOL, on, entities), args.runs)
    meeting = extract_structures(pages, DocType.PROTOCOL, on, entities).meeting
    chars = sum(len(p.text) for p in pages)
    print(f"protocol: {args.protocol.name}, {len(pages)} pages, {chars} characters, "
          f"{len(meeting.items)} items, {sum(len(i.votes) for i in meeting.items)} votes")
    print(f"reading the PDF (pypdfium2): {1000 * reading / len(pages):.2f} ms/page (median of {args.runs})")
    print(f"structures stage:            {1000 * structures / len(pages):.2f} ms/page")
    print(f"structures / reading:        {structures / reading:.2f}")


if __name__ == "__main__":
    main()
