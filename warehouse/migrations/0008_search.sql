-- Full-text search over page text. search_pages is a copy of the readable pages with a single-column
-- key, which DuckDB's fts index needs; warehouse/search.py rebuilds both after each run that changed pages.

CREATE TABLE search_pages (
    page_key     VARCHAR PRIMARY KEY,   -- sha256 || ':' || page_number
    sha256       VARCHAR NOT NULL,
    page_number  INTEGER NOT NULL,
    text         VARCHAR NOT NULL
);

COMMENT ON TABLE search_pages IS 'Grain: one row per page of a current readable document. Keys: page_key (sha256:page_number). Indexed by the fts extension (schema fts_main_search_pages); query with kommune-etl search or search_pages(query).';
