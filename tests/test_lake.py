"""DuckLake mode against the real PostgreSQL on localhost: two loaders publish concurrently, nothing is lost,
and an analyst querying meanwhile always sees whole documents."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import duckdb
import pytest

from conftest import REPO, SAMPLES_PDF, SAMPLES_TEXT
from kommune_etl.warehouse.connection import open_warehouse
from kommune_etl.warehouse.lake import LakeConfig, open_lake_reader, publish, published_tables

pytestmark = pytest.mark.slow  # a DuckLake catalogued in the local PostgreSQL

PG = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c"]


@pytest.fixture
def lake(tmp_path):
    name = f"kommune_etl_lake_{uuid.uuid4().hex[:10]}"
    subprocess.run([*PG, f"CREATE DATABASE {name}"], check=True)
    yield LakeConfig(f"postgres:dbname={name} host=127.0.0.1 user=postgres", tmp_path / "lake-data")
    subprocess.run([*PG, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)


def _loader(paths, db, lake: LakeConfig) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kommune_etl.cli", "ingest", *map(str, paths), "--db", str(db),
                             "--no-progress", "--lake", lake.catalog, "--lake-data", str(lake.data_path),
                             "--lake-batch", "1"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "KOMMUNE_ETL_ALERT_LOG": "0"})


def _counts(con, catalog: str, tables) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {catalog}.{t}").fetchone()[0] for t in tables}


def test_two_loaders_publish_concurrently_and_lose_nothing(lake, tmp_path):
    a_db, b_db = tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb"
    # create the lake first (what a deployment's init step does) so the loaders only append
    with open_warehouse(tmp_path / "init.duckdb") as con:
        publish(con, lake)
    loaders = [_loader([SAMPLES_PDF], a_db, lake), _loader([SAMPLES_TEXT], b_db, lake)]

    # an analyst polls the lake while both loaders run: every document it sees is complete
    analyst = open_lake_reader(lake)
    seen_documents, polls = [], 0
    while any(p.poll() is None for p in loaders):
        analyst.execute("USE memory")
        analyst.execute("DETACH lake")
        analyst.execute(lake.attach_sql())
        analyst.execute("USE lake")
        row = analyst.execute("""SELECT count(*), count(*) FILTER (pages <> (SELECT count(*) FROM pages p
                                                                      WHERE p.sha256 = d.sha256))
                                 FROM documents d""").fetchone()
        seen_documents.append(row[0])
        assert row[1] == 0, "a document was visible without all its pages"
        polls += 1
        time.sleep(0.2)
    outputs = [p.communicate() for p in loaders]
    for p, (out, err) in zip(loaders, outputs):
        assert p.returncode == 0, err
        assert "documents published in 5 commits" in out, out
    assert seen_documents == sorted(seen_documents) and polls > 3

    con = duckdb.connect()
    con.execute(f"ATTACH '{a_db}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b_db}' AS b (READ_ONLY)")
    from kommune_etl.warehouse.lake import attach_lake

    attach_lake(con, lake)
    con.execute("USE a")
    tables = published_tables(con)
    assert {"documents", "pages", "entities", "grant_allocations", "agenda_items", "meeting_attendance"} <= set(tables)
    a, b, lk = _counts(con, "a", tables), _counts(con, "b", tables), _counts(con, "lake", tables)
    assert lk == {t: a[t] + b[t] for t in tables}
    assert lk["documents"] == 10 and lk["entities"] > 1500
    # the same entities, value for value, not just the same number of rows
    assert con.execute("""SELECT count(*) FROM (SELECT sha256, page_number, label, text, value::VARCHAR, start_char
                                               FROM lake.entities
                                               EXCEPT ALL (SELECT sha256, page_number, label, text, value::VARCHAR, start_char
                                                           FROM a.entities UNION ALL
                                                           SELECT sha256, page_number, label, text, value::VARCHAR, start_char
                                                           FROM b.entities))""").fetchone()[0] == 0
    # the marts work on the lake: both copies of the KS letter (PDF and text) count Viken's 2023 grant
    assert con.execute("""SELECT amount_nok, documents FROM lake.mart_grants_by_region_year
                          WHERE county_code_2020 = '30' AND year = 2023 AND column_meaning = 'granted'""").fetchone() == (
        2 * 2856532, 2)
    # data files are Parquet in the lake's data path, the catalog in PostgreSQL
    assert list(lake.data_path.rglob("*.parquet"))


def test_republishing_replaces_a_document_instead_of_duplicating_it(lake, sample_warehouse, tmp_path):
    import shutil

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, db)
    con = open_warehouse(db)
    first = publish(con, lake)
    assert (first.documents, publish(con, lake).documents) == (5, 0)      # nothing changed, nothing sent
    con.execute("UPDATE documents SET processed_at = now() WHERE doc_type = 'protocol'")  # as a reprocess would
    assert publish(con, lake).documents == 1
    reader = open_lake_reader(lake)
    assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
    assert reader.execute("SELECT count(*) FROM mart_decisions").fetchone()[0] == 5
    assert reader.execute("SELECT count(*) FROM entities").fetchone()[0] == con.execute(
        "SELECT count(*) FROM entities").fetchone()[0]


def test_query_and_export_commands_read_the_lake(lake, sample_warehouse, tmp_path):
    import shutil

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, db)
    cli = [sys.executable, "-m", "kommune_etl.cli"]
    lake_args = ["--lake", lake.catalog, "--lake-data", str(lake.data_path)]
    published = subprocess.run([*cli, "publish", "--db", str(db), *lake_args], cwd=REPO, capture_output=True,
                               text=True)
    assert published.returncode == 0, published.stderr
    assert "lake: 5 documents published in 1 commits" in published.stdout
    out = subprocess.run([*cli, "query", *lake_args, "--format", "csv",
                          "SELECT votes_for, votes_against FROM mart_decisions WHERE case_number = '14/25'"],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["votes_for,votes_against", "10,1"]
    exported = subprocess.run([*cli, "export", *lake_args, "--out", str(tmp_path / "exp")], cwd=REPO,
                              capture_output=True, text=True, check=True).stdout
    assert "mart_grants: 49 rows, years 2023, 2024" in exported
