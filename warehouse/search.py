"""Full-text search over page text: an inverted index in plain tables, ranked by BM25 at query time.

Each page of a current readable document is indexed once, when it first becomes readable: its text is
lower-cased, split where DuckDB's fts extension split it (anything but letters and digits, and dots), and each
word reduced by the Norwegian Snowball stemmer (the one the extension used), so `tilskuddene` finds
`tilskudd`. A run updates the index for the pages it added or retired and nothing else (issue 21: a run costs
O(its documents), not O(warehouse)); `kommune-etl search --rebuild` indexes everything again. No DuckDB
extension is needed to build or to query it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import duckdb

from kommune_etl.warehouse.bulk import insert_rows

#: BM25's parameters, the fts extension's defaults.
K1, B = 1.2, 0.75
_SPLIT = re.compile(r"(?:\.|[^a-z0-9æøåéèöäü])+")
_CHUNK = 500  # pages fetched and indexed per step of a rebuild: memory stays flat at any warehouse size


@dataclass(frozen=True)
class SearchHit:
    sha256: str
    page_number: int
    score: float
    title: str | None
    doc_type: str
    year: int | None
    source: str
    snippet: str

    @property
    def link(self) -> str:
        """Where to open the hit: the source with a PDF-style page fragment."""
        return f"{self.source}#page={self.page_number}"


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("norwegian")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """The stemmed terms of ``text`` in order (the index's and the query's one tokenizer)."""
    return [_stem(word) for word in _SPLIT.split(text.lower()) if word]


_CURRENT_PAGES = "SELECT p.sha256, p.page_number FROM pages p JOIN document_years d USING (sha256)"


def rebuild_search_index(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Bring the index up to date with the current readable pages: retire the pages no longer readable, index the
    new ones (all of them with ``force``). True when anything changed."""
    con.execute("BEGIN TRANSACTION")
    try:
        if force:
            con.execute("DELETE FROM search_terms")
            con.execute("DELETE FROM search_pages")
        retired = con.execute(
            f"""DELETE FROM search_pages s WHERE NOT EXISTS (SELECT 1 FROM ({_CURRENT_PAGES}) c
                WHERE c.sha256 = s.sha256 AND c.page_number = s.page_number) RETURNING page_key""").fetchall()
        if retired:
            con.execute("DELETE FROM search_terms WHERE page_key IN (SELECT unnest(?))", [[k for (k,) in retired]])
        added = con.execute(
            f"""SELECT c.sha256, c.page_number FROM ({_CURRENT_PAGES}) c
                WHERE NOT EXISTS (SELECT 1 FROM search_pages s WHERE s.sha256 = c.sha256 AND s.page_number = c.page_number)
                ORDER BY c.sha256, c.page_number""").fetchall()
        for start in range(0, len(added), _CHUNK):
            chunk = added[start:start + _CHUNK]
            _index_pages(con, con.execute(
                "SELECT p.sha256, p.page_number, p.text FROM pages p JOIN (SELECT unnest($1) AS sha256, unnest($2) AS"
                " page_number) k USING (sha256, page_number)", [[k[0] for k in chunk], [k[1] for k in chunk]]).fetchall())
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return bool(retired or added)


def _index_pages(con: duckdb.DuckDBPyConnection, pages: Iterable[tuple[str, int, str]]) -> None:
    page_rows, term_rows = [], []
    for sha256, page_number, text in pages:
        key = f"{sha256}:{page_number}"
        counted = Counter(terms(text))
        page_rows.append((key, sha256, page_number, text, sum(counted.values())))
        term_rows.extend((term, key, tf) for term, tf in counted.items())
    insert_rows(con, "search_pages", ("page_key", "sha256", "page_number", "text", "terms"), page_rows)
    insert_rows(con, "search_terms", ("term", "page_key", "tf"), term_rows)


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[SearchHit]:
    """Pages ranked by BM25 for ``query`` (words are stemmed; all words need not occur)."""
    if not query.strip():
        raise ValueError("empty search query")
    wanted = sorted(set(terms(query)))
    if not wanted:
        raise ValueError(f"the search query {query!r} has no words to look for")
    pages, mean_length = con.execute("SELECT count(*), avg(terms) FROM search_pages").fetchone()
    if not pages:
        if con.execute(f"SELECT count(*) FROM ({_CURRENT_PAGES})").fetchone()[0]:
            raise LookupError("the warehouse's search index is empty; run `kommune-etl search --rebuild`")
        return []
    rows = con.execute(
        """WITH hits AS (SELECT t.term, t.page_key, t.tf FROM search_terms t WHERE t.term IN (SELECT unnest($1))),
                df AS (SELECT term, count(*) AS n FROM hits GROUP BY term),
                scored AS (
                    SELECT h.page_key, sum(ln(($2 - df.n + 0.5) / (df.n + 0.5) + 1)
                                            * h.tf * ($4 + 1) / (h.tf + $4 * (1 - $5 + $5 * s.terms / $3))) AS score
                    FROM hits h JOIN df USING (term) JOIN search_pages s USING (page_key)
                    GROUP BY h.page_key)
           SELECT s.sha256, s.page_number, scored.score, d.title, d.doc_type, d.year, d.current_source, s.text
           FROM scored JOIN search_pages s USING (page_key) JOIN document_years d USING (sha256)
           ORDER BY scored.score DESC, s.sha256, s.page_number
           LIMIT $6""", [wanted, pages, mean_length or 1.0, K1, B, limit]).fetchall()
    return [SearchHit(sha, page, float(score), title, doc_type, year, source, snippet(text, query))
            for sha, page, score, title, doc_type, year, source, text in rows]


def snippet(text: str, query: str, width: int = 160) -> str:
    """The stretch of ``text`` around the first query word found (case-insensitive), whitespace collapsed."""
    flat = " ".join(text.split())
    lowered = flat.lower()
    positions = [lowered.find(word.lower()[:max(4, len(word) - 2)]) for word in query.split()]
    found = [p for p in positions if p >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    piece = flat[start:start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(flat) else "")
