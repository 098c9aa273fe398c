"""How the warehouse grows: ingest time, size and mart/search latency at 1k and 10k documents.

    uv run python benchmarks/scale.py [--sizes 1000,10000] [--keep DIR]

Generates a corpus by sampling the five bundled text documents and perturbing each copy the way real
documents differ: other municipalities (current names from the shipped refdata), years shifted by -2..+1,
amounts scaled by 1-3 (so table sums still reconcile), and a unique closing line. Ingests it in steps into
one warehouse (the first size, then the rest on top, as nightly runs would), and after each step reports
ingest seconds and documents/s, warehouse + raw archive size, and the median of 5 runs of every mart
query and of a full-text search. One run on this machine; compare rows of one run, not across machines.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HOME_NAMES = ["Karmøy", "Kristiansand", "Sandnes", "Grimstad", "Skien", "Rindal", "Kristiansund", "Sola", "Bodø"]
AMOUNT = re.compile(r"\b\d{1,3}(?: \d{3})+\b")
YEAR = re.compile(r"\b(20[12]\d)\b")
MART_QUERIES = {
    "grants by region and year": "SELECT year, county_code_2020, sum(amount_nok) FROM mart_grants_by_region_year GROUP BY ALL",
    "amounts by place and year": "SELECT * FROM mart_amounts_by_place_year ORDER BY total_nok DESC LIMIT 20",
    "mentions of one municipality": "SELECT count(*), count(DISTINCT sha256) FROM mart_place_mentions WHERE place_code = '4204'",
    "party votes tally": "SELECT party, vote, sum(members) FROM mart_party_votes GROUP BY ALL",
    "decisions per body and year": "SELECT body, year, count(*) FROM mart_decisions GROUP BY ALL",
    "projects over time": "SELECT name, year, sum(mentions) FROM mart_actors_over_time WHERE kind = 'PROJECT' GROUP BY ALL",
}


def current_municipalities() -> list[str]:
    from kommune_etl.refdata import load

    return sorted({r["name"] for r in load("municipalities.csv")
                   if not r["valid_to"] and r["valid_from"] <= "2020-01-01" and " - " not in r["name"]})


def perturb(text: str, rng: random.Random, names: list[str], serial: int) -> str:
    swap = {home: rng.choice(names) for home in HOME_NAMES if home in text}
    for home, other in swap.items():
        text = re.sub(rf"\b{re.escape(home)}\b", other, text)
    shift, factor = rng.randint(-2, 1), rng.randint(1, 3)
    text = YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    text = AMOUNT.sub(lambda m: f"{int(m.group(0).replace(' ', '')) * factor:,}".replace(",", " "), text)
    return text + f"\n\nDokument {serial} (generert for skalatest)\n"


def generate(inbox: Path, start: int, count: int, seed: int = 7) -> None:
    rng = random.Random(seed + start)
    names = current_municipalities()
    samples = [(p.suffix, p.read_text(encoding="utf-8"))
               for p in sorted((REPO / "kommune_etl" / "samples" / "text").glob("*.txt"))]
    inbox.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        suffix, text = samples[i % len(samples)]
        (inbox / f"doc{i:06d}{suffix}").write_text(perturb(text, rng, names, i), encoding="utf-8")


def median_ms(con, sql: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes to measure at, ascending")
    parser.add_argument("--keep", type=Path, help="keep the corpus and warehouse in this folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from kommune_etl.pipeline import ingest_paths
    from kommune_etl.warehouse.connection import open_warehouse
    from kommune_etl.warehouse.search import rebuild_search_index, search

    root = args.keep or Path(tempfile.mkdtemp(prefix="kommune-scale-"))
    db = root / "warehouse" / "warehouse.duckdb"
    rows, done = [], 0
    for size in sizes:
        inbox = root / f"inbox-{size}"
        t = time.perf_counter()
        generate(inbox, done, size - done)
        generated = time.perf_counter() - t
        t = time.perf_counter()
        summary = ingest_paths([inbox], db)
        ingest = time.perf_counter() - t
        con = open_warehouse(db)
        t = time.perf_counter()
        rebuild_search_index(con, force=True)
        index = time.perf_counter() - t
        con.close()
        con = open_warehouse(db, read_only=True)
        documents, pages, entities = con.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM pages), (SELECT count(*) FROM entities)"
        ).fetchone()
        latency = {name: median_ms(con, sql) for name, sql in MART_QUERIES.items()}
        t = time.perf_counter()
        for _ in range(5):
            search(con, "tilskudd velferdsteknologi kommunenettverk", limit=10)
        latency["full-text search"] = 1000 * (time.perf_counter() - t) / 5
        con.close()
        rows.append({"size": size, "added": size - done, "generated_s": generated, "ingest_s": ingest,
                     "docs_per_s": (size - done) / ingest, "new": summary.new, "quarantined": summary.quarantined,
                     "documents": documents, "pages": pages, "entities": entities,
                     "warehouse_mb": db.stat().st_size / 2**20, "raw_mb": folder_mb(db.parent / "raw"),
                     "index_s": index, "latency_ms": latency})
        done = size
        r = rows[-1]
        print(f"\n== {size} documents ({r['added']} added: {r['new']} new, {r['quarantined']} quarantined) ==")
        print(f"generate {generated:.1f} s; ingest {ingest:.1f} s = {r['docs_per_s']:.1f} documents/s "
              f"({pages} pages, {entities} entities in the warehouse)")
        print(f"warehouse file {r['warehouse_mb']:.1f} MB, raw archive {r['raw_mb']:.1f} MB; "
              f"search index rebuild {index:.1f} s")
        for name, ms in latency.items():
            print(f"  {name:32s} {ms:8.1f} ms (median of 5)")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = last["documents"] / first["documents"]
        print(f"\n== growth {first['size']} -> {last['size']} documents ({growth:.0f}x) ==")
        print(f"ingest throughput {first['docs_per_s']:.1f} -> {last['docs_per_s']:.1f} documents/s "
              f"(ratio {last['docs_per_s'] / first['docs_per_s']:.2f})")
        print(f"warehouse size ratio {last['warehouse_mb'] / first['warehouse_mb']:.1f}x; "
              f"index rebuild ratio {last['index_s'] / first['index_s']:.1f}x")
        for name in first["latency_ms"]:
            print(f"  {name:32s} latency ratio {last['latency_ms'][name] / first['latency_ms'][name]:5.1f}x")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
