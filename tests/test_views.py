"""Views as repeatable definitions (issue 14, point 5): one file per view, re-created when the file changes."""

from __future__ import annotations

import re

import duckdb
import pytest

from kommune_etl.warehouse.migrate import migration_files, migrate
from kommune_etl.warehouse.views import apply_views, creation_order, view_files


def _views(con) -> dict:
    return {name: (sql, comment) for name, sql, comment in con.execute(
        "SELECT view_name, sql, comment FROM duckdb_views() WHERE NOT internal AND database_name = current_database()"
    ).fetchall()}


def _column_comments(con) -> set:
    return set(con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE comment IS NOT NULL"
                           " AND table_name IN (SELECT view_name FROM duckdb_views())").fetchall())


def test_the_files_define_exactly_the_views_the_migrations_left():
    """A warehouse made before the files (migrations only) and one made now have the same views, texts and
    comments: the files are the migrations' last word on every view."""
    by_migrations = duckdb.connect()
    migrate(by_migrations)
    now = duckdb.connect()
    migrate(now)
    assert set(apply_views(now)) == set(view_files())          # a new warehouse creates every view once
    assert _views(now) == _views(by_migrations)
    assert _column_comments(now) == _column_comments(by_migrations)
    assert apply_views(now) == []                              # nothing changed: nothing done


def test_a_changed_file_recreates_its_view_and_a_retired_one_is_dropped(monkeypatch):
    con = duckdb.connect()
    migrate(con)
    apply_views(con)
    files = view_files()
    changed = files["mart_grants"].replace("d.current_source AS source", "d.current_source AS source, 1 AS edited")
    assert changed != files["mart_grants"]
    files["mart_grants"] = changed
    files["old_mart"] = "CREATE OR REPLACE VIEW old_mart AS SELECT 1 AS x;"
    monkeypatch.setattr("kommune_etl.warehouse.views.view_files", lambda: dict(files))
    assert apply_views(con) == ["mart_grants", "old_mart"]
    assert "edited" in [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'mart_grants'").fetchall()]
    del files["old_mart"]
    assert apply_views(con) == ["old_mart"]
    assert "old_mart" not in _views(con)


def test_views_are_created_after_the_views_they_read():
    order = creation_order(view_files())
    assert order.index("document_years") < order.index("mart_grants") < order.index("mart_grants_by_region_year")
    with pytest.raises(ValueError, match="cycle"):
        creation_order({"a": "CREATE VIEW a AS SELECT * FROM b", "b": "CREATE VIEW b AS SELECT * FROM a"})


def test_migrations_after_the_files_create_no_views():
    """A view's change belongs in its file now; a numbered migration that defines one would be overwritten."""
    later = [name for version, name, sql in migration_files()
             if version > 23 and re.search(r"\bCREATE\s+(OR\s+REPLACE\s+)?VIEW\b", sql, re.I)]
    assert later == []
