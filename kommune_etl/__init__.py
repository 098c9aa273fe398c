"""kommune-etl: Norwegian municipal records into a queryable DuckDB warehouse."""

__version__ = "0.1.0"
