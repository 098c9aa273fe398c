-- The search index as plain tables, updated per document (issue 21): for each indexed page its length in terms,
-- and for each (stemmed term, page) how often the term occurs. BM25 is computed at query time from these
-- (warehouse/search.py), so a run indexes only its new and changed pages and no DuckDB extension is needed.
-- The fts extension's static index, rebuilt whole after every run with new documents, is dropped.

DROP SCHEMA IF EXISTS fts_main_search_pages CASCADE;

ALTER TABLE search_pages ADD COLUMN terms INTEGER;   -- the page's length in terms (BM25's document length)

CREATE TABLE search_terms (
    term      VARCHAR NOT NULL,   -- lower-cased, Snowball-stemmed (Norwegian)
    page_key  VARCHAR NOT NULL,   -- search_pages.page_key
    tf        INTEGER NOT NULL    -- occurrences of the term on the page
);

-- every page is indexed again by the next run, in this format
DELETE FROM search_pages;

COMMENT ON TABLE search_pages IS 'Grain: one row per page of a current readable document. Keys: page_key (sha256:page_number). Its terms are in search_terms; query with kommune-etl search.';
COMMENT ON TABLE search_terms IS 'Grain: one row per stemmed term per indexed page. Keys: (term, page_key). The inverted index behind kommune-etl search (BM25 at query time).';
