"""docs/warehouse.md is generated from the live schema; this fails when it drifts from the migrations."""

from __future__ import annotations

import duckdb

from conftest import REPO
from kommune_etl.warehouse.schema_doc import render_fresh, render_markdown, schema_objects

DOC = REPO / "docs" / "warehouse.md"


def test_committed_reference_matches_the_migrations():
    assert DOC.read_text(encoding="utf-8") == render_fresh(), (
        "docs/warehouse.md is stale: run `uv run python scripts/document_warehouse.py` and commit it")


def test_every_table_and_view_states_its_grain_and_keys():
    con = duckdb.connect()
    from kommune_etl.warehouse.migrate import migrate

    migrate(con)
    objects = schema_objects(con)
    assert len(objects) >= 40
    undocumented = [name for name, _, comment in objects if not comment or "Grain:" not in comment]
    keyless = [name for name, _, comment in objects
               if comment and "Keys:" not in comment]
    assert undocumented == []
    assert keyless == []


def test_a_loaded_warehouse_documents_the_same_schema(sample_warehouse):
    """The schema after a real ingest (search index built, reference data loaded) is the documented one."""
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    assert render_markdown(con) == render_fresh()
    documented = DOC.read_text(encoding="utf-8")
    for mart in ("mart_grants_by_region_year", "mart_party_votes", "mart_place_mentions", "search_pages"):
        assert f"## {mart}" in documented
