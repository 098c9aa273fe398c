"""Data quality: Great Expectations suites as code, run on every document before it is loaded.

GX is imported lazily (inside functions), never at module top level: importing it costs ~7 s and the
Airflow DAG files must stay cheap to parse.
"""
