"""`kommune-etl query` reads and nothing else (issue 15): no writing files, no other databases, no extensions,
no settings, no host files — each refused with one line — while the warehouse's own views still answer."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO


def _query(db, sql):
    return subprocess.run([sys.executable, "-m", "kommune_etl.cli", "query", "--db", str(db), sql, "--format", "csv"],
                          capture_output=True, text=True, cwd=REPO)


@pytest.mark.parametrize("sql, refused", [
    ("COPY (SELECT 1) TO '{db}'", "COPY"),
    ("ATTACH '{tmp}/other.duckdb' (READ_WRITE)", "ATTACH"),
    ("INSTALL httpfs", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("SELECT 1; COPY documents TO '{tmp}/out.csv'", "COPY"),
])
def test_writes_and_settings_are_refused(sample_warehouse, tmp_path, sql, refused):
    before = sample_warehouse.read_bytes()
    result = _query(sample_warehouse, sql.format(db=sample_warehouse, tmp=tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"refused: {refused}" in result.stderr
    assert sample_warehouse.read_bytes() == before and not list(tmp_path.iterdir())


@pytest.mark.parametrize("sql", ["SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_blob('/etc/hostname')",
                                 "SELECT * FROM glob('/root/*')"])
def test_host_files_are_out_of_reach(sample_warehouse, sql):
    result = _query(sample_warehouse, sql)
    assert result.returncode == 1 and "root:" not in result.stdout
    assert "file system operations are disabled" in result.stderr and result.stderr.count("\n") == 1


def test_reading_still_works(sample_warehouse):
    result = _query(sample_warehouse, "SELECT count(*) AS n FROM documents")
    assert result.returncode == 0 and result.stdout.splitlines() == ["n", "5"]
    assert _query(sample_warehouse, "SELECT count(*) FROM search_pages").returncode == 0


def test_csv_exports_neutralise_formulas(tmp_path):
    import duckdb

    from kommune_etl.warehouse.marts import export_marts

    con = duckdb.connect()
    con.execute("""CREATE VIEW mart_titles AS SELECT * FROM (VALUES
                   (2024, '=HYPERLINK("http://evil")', 3), (2024, '@SUM(A1)', -2), (2024, 'Referatsaker', 5)) t(year, title, n)""")
    export_marts(con, tmp_path, "csv")
    lines = next((tmp_path / "mart_titles").rglob("*.csv")).read_text(encoding="utf-8").splitlines()
    assert lines == ["title,n", '"\'=HYPERLINK(""http://evil"")",3', "'@SUM(A1),-2", "Referatsaker,5"]
    export_marts(con, tmp_path / "pq", "parquet")   # Parquet keeps the values as they are
    assert con.execute(f"SELECT title FROM '{tmp_path}/pq/mart_titles/*/*.parquet' ORDER BY n LIMIT 1").fetchone() == ("@SUM(A1)",)
