"""Precision audit: sample entities from a warehouse for a person to judge, then score the judgements.

    uv run python benchmarks/precision_audit.py sample --db WAREHOUSE --out audit.tsv [--n 200] [--seed 18]
    uv run python benchmarks/precision_audit.py score audit.tsv

Answer keys measure recall and precision on the documents someone keyed; an audit measures precision on
everything else. `sample` draws entities at random from a warehouse (ingest ../shared/corpus into it first),
stratified so each audited label gets an equal share (a uniform draw would be mostly dates), and writes each
with its value and the text around it, the span marked «like this». A person fills the `judgement` column
with `ok`, `wrong` or `unsure` (and a `note`); `score` prints precision per label (unsure left out).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter
from pathlib import Path

import duckdb

AUDITED_LABELS = ("AMOUNT", "DATE", "MUNICIPALITY", "COUNTY")
CONTEXT_CHARS = 90
COLUMNS = ["n", "label", "text", "value", "details", "document", "document_date", "page", "context", "judgement", "note"]


def sample(db: Path, n: int, seed: int, labels: tuple[str, ...]) -> list[dict[str, object]]:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """SELECT e.label, e.text, e.value, e.value_max, e.per, e.historical_code, e.successor_code,
                  d.source, coalesce(CAST(d.document_date AS VARCHAR), 'year ' || d.document_year, ''), e.page_number,
                  e.start_char, e.end_char, p.text
           FROM entities e JOIN documents d USING (sha256)
           JOIN pages p ON p.sha256 = e.sha256 AND p.page_number = e.page_number
           WHERE e.label IN (SELECT unnest(?)) ORDER BY e.entity_id""", [list(labels)]).fetchall()
    by_label: dict[str, list[tuple]] = {}
    for row in rows:
        by_label.setdefault(row[0], []).append(row)
    rng = random.Random(seed)
    share, extra = divmod(n, len(labels))
    picked = []
    for i, label in enumerate(labels):
        pool = by_label.get(label, [])
        picked += rng.sample(pool, min(len(pool), share + (1 if i < extra else 0)))
    rng.shuffle(picked)
    out = []
    for i, (label, text, value, value_max, per, historical, successor, source, dated, page, start, end, page_text) in enumerate(
            picked, 1):
        details = " ".join(f"{k}={v}" for k, v in (("value_max", value_max), ("per", per), ("historical_code", historical),
                                                    ("successor_code", successor)) if v is not None)
        context = (page_text[max(0, start - CONTEXT_CHARS):start] + "«" + page_text[start:end] + "»"
                   + page_text[end:end + CONTEXT_CHARS])
        out.append({"n": i, "label": label, "text": text, "value": json.loads(value) if value else None, "details": details,
                    "document": Path(source).name, "document_date": dated, "page": page, "context": " ".join(context.split()),
                    "judgement": "", "note": ""})
    return out


def score(path: Path) -> dict[str, tuple[int, int, int]]:
    """Per label: (ok, wrong, unsure)."""
    counts: dict[str, Counter] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            counts.setdefault(row["label"], Counter())[row["judgement"].strip().lower() or "unjudged"] += 1
    return {label: (c["ok"], c["wrong"], c["unsure"] + c["unjudged"]) for label, c in counts.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sample")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--seed", type=int, default=18)
    p.add_argument("--labels", default=",".join(AUDITED_LABELS))
    p = sub.add_parser("score")
    p.add_argument("file", type=Path)
    args = parser.parse_args()
    if args.command == "sample":
        rows = sample(args.db, args.n, args.seed, tuple(args.labels.split(",")))
        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        print(f"{args.out}: {len(rows)} entities to judge ({', '.join(f'{k} {v}' for k, v in Counter(r['label'] for r in rows).items())})")
        return 0
    for label, (ok, wrong, unsure) in sorted(score(args.file).items()):
        judged = ok + wrong
        print(f"{label:13} precision {ok / judged if judged else float('nan'):.3f}  ok {ok}  wrong {wrong}  unsure/unjudged {unsure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
