"""Full-text search over page text with DuckDB's fts extension (BM25, Norwegian stemmer).

The index is static in DuckDB: `rebuild_search_index` runs after a run that changed documents
(pipeline.warehouse_run) and is cheap to call when nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warehouse.extensions import load_extension

_INDEX_SCHEMA = "fts_main_search_pages"


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


def _index_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    has_index = con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [_INDEX_SCHEMA]).fetchone()[0] > 0
    if not has_index:
        return False
    stale = con.execute(
        """SELECT (SELECT count(*) FROM search_pages s
                   WHERE NOT EXISTS (SELECT 1 FROM pages p JOIN document_years d USING (sha256)
                                     WHERE p.sha256 = s.sha256 AND p.page_number = s.page_number))
                + (SELECT count(*) FROM pages p JOIN document_years d USING (sha256)
                   WHERE NOT EXISTS (SELECT 1 FROM search_pages s
                                     WHERE s.sha256 = p.sha256 AND s.page_number = p.page_number))"""
    ).fetchone()[0]
    return stale == 0


def rebuild_search_index(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Make search_pages and its fts index match the current readable pages; True when rebuilt."""
    if not force and _index_is_current(con):
        return False
    load_extension(con, "fts")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM search_pages")
        con.execute(
            "INSERT INTO search_pages (page_key, sha256, page_number, text) SELECT p.sha256 || ':' || p.page_number, "
            "p.sha256, p.page_number, p.text"
            " FROM pages p JOIN document_years d USING (sha256)")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute(
        "PRAGMA create_fts_index('search_pages', 'page_key', 'text', stemmer = 'norwegian', stopwords = 'none',"
        r" ignore = '(\.|[^a-z0-9æøåéèöäü])+', strip_accents = 0, lower = 1, overwrite = 1)")
    return True


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[SearchHit]:
    """Pages ranked by BM25 for ``query`` (words are stemmed; all words need not occur)."""
    if not query.strip():
        raise ValueError("empty search query")
    has_index = con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [_INDEX_SCHEMA]).fetchone()[0] > 0
    if not has_index:
        raise LookupError("the warehouse has no search index yet; run `kommune-etl ingest` (or `kommune-etl search --rebuild`)")
    load_extension(con, "fts")
    rows = con.execute(
        f"""SELECT s.sha256, s.page_number, score, d.title, d.doc_type, d.year, d.current_source, s.text
            FROM (SELECT *, {_INDEX_SCHEMA}.match_bm25(page_key, ?) AS score FROM search_pages) s
            JOIN document_years d USING (sha256)
            WHERE score IS NOT NULL
            ORDER BY score DESC, s.sha256, s.page_number
            LIMIT ?""", [query, limit]).fetchall()
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
