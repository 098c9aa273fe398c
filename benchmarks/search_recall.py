"""The search index in tables against DuckDB's fts extension it replaced: the same queries on the same documents.

    uv run --with duckdb-extension-fts==1.5.5 python benchmarks/search_recall.py --fts OLD.duckdb --new NEW.duckdb

OLD is a warehouse built by a version with the fts index (before migration 0023), NEW one built by this version
from the same inbox. For each query: how many of the fts index's top 10 pages the new index also ranks in its top
10 (recall at 10), and the median latency of each (5 runs). Pages are compared by (sha256, page_number).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUERIES = ["tilskudd", "velferdsteknologi", "barnehage", "budsjett", "kommunestyret vedtak", "fritidsordninger",
           "Helseplattformen", "skole", "eiendomsskatt", "reguleringsplan", "klima", "interpellasjon", "habilitet",
           "sykehjem", "valg", "Innherredsbyen", "forslag", "enstemmig vedtatt", "Arbeiderpartiet", "næringsutvikling",
           "barnevern", "vann og avløp", "kulturhus", "helsestasjon", "folkehelse", "digitalisering", "bredbånd",
           "revisjon", "tilskuddene til lag og foreninger", "prosjektmidler"]


def _fts_top(con, query: str, k: int = 10) -> list[tuple[str, int]]:
    rows = con.execute("""SELECT sha256, page_number FROM (SELECT *, fts_main_search_pages.match_bm25(page_key, ?) AS s
                          FROM search_pages) WHERE s IS NOT NULL ORDER BY s DESC, sha256, page_number LIMIT ?""",
                       [query, k]).fetchall()
    return [(a, b) for a, b in rows]


def _median_ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    from kommune_etl.warehouse.search import search

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fts", type=Path, required=True)
    parser.add_argument("--new", type=Path, required=True)
    args = parser.parse_args()
    old = duckdb.connect(str(args.fts), read_only=True)
    import duckdb_extension_fts  # noqa: F401 (the wheel's file, loaded below)
    from importlib import resources

    ext = Path(str(resources.files("duckdb_extension_fts"))) / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    old.execute(f"LOAD '{ext}'")
    new = duckdb.connect(str(args.new), read_only=True)
    pages = old.execute("SELECT count(*) FROM search_pages").fetchone()[0], new.execute("SELECT count(*) FROM search_pages").fetchone()[0]
    print(f"pages indexed: fts {pages[0]}, tables {pages[1]}")
    recalls, old_ms, new_ms = [], [], []
    print(f"{'query':34} {'fts':>4} {'both':>5} {'recall@10':>9} {'fts ms':>8} {'tables ms':>10}")
    for query in QUERIES:
        before = _fts_top(old, query)
        after = [(h.sha256, h.page_number) for h in search(new, query)]
        both = len(set(before) & set(after))
        recall = both / len(before) if before else 1.0
        recalls.append(recall)
        old_ms.append(_median_ms(lambda: _fts_top(old, query)))
        new_ms.append(_median_ms(lambda: search(new, query)))
        print(f"{query:34} {len(before):4} {both:5} {recall:9.2f} {old_ms[-1]:8.1f} {new_ms[-1]:10.1f}")
    print(f"mean recall@10 {statistics.mean(recalls):.3f}; median latency fts {statistics.median(old_ms):.1f} ms, "
          f"tables {statistics.median(new_ms):.1f} ms")


if __name__ == "__main__":
    main()
