"""The console script as a user runs it: a real subprocess, real files, real exit codes."""

from __future__ import annotations

import pytest

import csv
import io
import json
import os
import subprocess
import sys

from conftest import REAL, SAMPLES_TEXT, TORTURE

pytestmark = pytest.mark.slow  # each test runs the whole CLI in a subprocess

EXE = [sys.executable, "-m", "kommune_etl.cli"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*EXE, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_extract_prints_the_documented_json():
    done = run("extract", str(SAMPLES_TEXT / "kristiansand_oppvekstutvalget_referat_2025-03-18.txt"), "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    doc = payload["document"]
    assert set(doc) >= {"sha256", "source", "doc_type", "title", "date", "pages", "extractor", "status"}
    assert (doc["doc_type"], doc["date"], doc["pages"], doc["extractor"], doc["status"]) == (
        "protocol", "2025-03-18", 1, "text", "ok")
    assert doc["title"] == "REFERAT Oppvekstutvalget d. 18-03-2025"
    assert payload["error"] is None
    amount = next(e for e in payload["entities"] if e["label"] == "AMOUNT" and e["value"] == 26640)
    assert amount == {"label": "AMOUNT", "text": "kr. 26 640,-", "value": 26640, "page": 1,
                      "start": amount["start"], "end": amount["start"] + len("kr. 26 640,-")}
    municipality = next(e for e in payload["entities"] if e["label"] == "MUNICIPALITY" and e["value"] == "4204")
    assert municipality["text"] == "Kristiansand"
    ranged = next(e for e in payload["entities"] if e["label"] == "AMOUNT" and e.get("value_max") == 50000)
    assert ranged["value"] == 40000


def test_extract_of_a_rejected_file_exits_1_and_still_prints_json():
    done = run("extract", str(TORTURE / "pdfminer_aes-256-r6_pw-usersecret.pdf"), "--format", "json")
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert payload["document"]["status"] == "rejected"
    assert payload["error"]["code"] == "encrypted"
    assert "pdfminer_aes-256-r6_pw-usersecret.pdf" in payload["error"]["message"]
    assert "encrypted" in done.stderr


def test_usage_errors_exit_2():
    assert run("extract").returncode == 2
    assert run("extract", "/no/such/file.pdf").returncode == 2
    assert run("frobnicate").returncode == 2


def test_ingest_query_and_status_round_trip(tmp_path):
    db = str(tmp_path / "w.duckdb")
    done = run("ingest", str(SAMPLES_TEXT), str(REAL / "no_kmd-riksvalgstyret_brev_2017-09-05.pdf"),
               str(TORTURE / "qpdf_bad1_not-a-pdf.pdf"), "--db", db)
    assert done.returncode == 0, done.stderr
    assert "documents: 6 new, 0 unchanged, 0 updated, 1 quarantined" in done.stdout
    assert "not_a_pdf" in done.stderr and "qpdf_bad1_not-a-pdf.pdf" in done.stderr

    as_csv = run("query", "SELECT doc_type, count(*) AS n FROM documents GROUP BY 1 ORDER BY 1", "--db", db,
                 "--format", "csv")
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [
        ["doc_type", "n"], ["annual_report", "1"], ["grant_letter", "1"], ["letter", "2"], ["other", "1"],
        ["presentation", "1"], ["protocol", "1"]]
    as_json = run("query", "SELECT document_date FROM documents WHERE source LIKE '%riksvalgstyret%'", "--db", db,
                  "--format", "json")
    assert json.loads(as_json.stdout) == [{"document_date": "2017-09-05"}]

    status = run("status", "--db", db)
    assert status.returncode == 0
    assert "open quarantine" in status.stdout and "not_a_pdf" in status.stdout


def test_query_is_read_only_and_reports_sql_errors(tmp_path):
    db = str(tmp_path / "w.duckdb")
    run("ingest", str(SAMPLES_TEXT / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.txt"), "--db", db)
    refused = run("query", "DELETE FROM documents", "--db", db)
    assert refused.returncode == 2 and "only reading is allowed" in refused.stderr and "refused: DELETE" in refused.stderr
    assert json.loads(run("query", "SELECT count(*) AS n FROM documents", "--db", db, "--format", "json").stdout) == [{"n": 1}]


def test_db_defaults_to_environment_variable(tmp_path):
    db = tmp_path / "env.duckdb"
    done = run("ingest", str(SAMPLES_TEXT / "ikt_orkide_arsmelding_2023_faggrupper.txt"), env={"KOMMUNE_ETL_DB": str(db)})
    assert done.returncode == 0 and db.exists()


def test_demo_ingests_the_bundled_samples(tmp_path):
    db = tmp_path / "demo.duckdb"
    done = run("demo", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "documents: 5 new, 0 unchanged, 0 updated, 0 quarantined" in done.stdout
    assert "grant_letter" in done.stdout


def test_a_db_that_is_no_warehouse_is_one_line_and_exit_2(tmp_path):
    """Issue 20, CLI hygiene: a text file or a folder given as --db was a DuckDB traceback."""
    not_a_db = tmp_path / "notes.duckdb"
    not_a_db.write_text("not a database", encoding="utf-8")
    for db in (not_a_db, tmp_path):
        for command in (("status",), ("ingest", str(SAMPLES_TEXT))):
            done = run(*command, "--db", str(db))
            assert done.returncode == 2, (command, db, done.stderr[-300:])
            (line,) = done.stderr.strip().splitlines()
            assert line.startswith(f"kommune-etl: {db} is not a warehouse") and "--db" in line


def test_a_sqlite_file_or_someone_elses_duckdb_as_db_is_one_line_and_exit_2(tmp_path):
    """Issue 20, point 7: a SQLite file as --db made DuckDB try to download its SQLite extension (a traceback
    offline); a DuckDB file kommune-etl did not make gave CatalogError tracebacks on status, report, quality and
    person, and `ingest` would have added the warehouse's tables to it."""
    import sqlite3

    import duckdb

    sqlite = tmp_path / "notebook.db"
    with sqlite3.connect(sqlite) as con:
        con.execute("CREATE TABLE t (x)")
    theirs = tmp_path / "analysis.duckdb"
    with duckdb.connect(str(theirs)) as con:
        con.execute("CREATE TABLE budget AS SELECT 1 AS x")
    for db, what in ((sqlite, "a SQLite database"), (theirs, "a DuckDB database that kommune-etl did not make")):
        for command in (("status",), ("quality",), ("person", "Vordal"), ("query", "SELECT 1"),
                        ("ingest", str(SAMPLES_TEXT / "ikt_orkide_arsmelding_2023_faggrupper.txt"))):
            done = run(*command, "--db", str(db))
            assert done.returncode == 2, (command, db, done.stderr[-300:])
            (line,) = done.stderr.strip().splitlines()
            assert line.startswith(f"kommune-etl: {db} is not a warehouse ({what}; "), line
    with duckdb.connect(str(theirs), read_only=True) as con:  # nothing was added to their database
        assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("budget",)]
    assert not (tmp_path / "raw").exists()


def test_query_into_a_closed_pipe_ends_quietly(tmp_path):
    """`kommune-etl query … | head -1` died with BrokenPipeError."""
    db = tmp_path / "w.duckdb"
    assert run("ingest", str(SAMPLES_TEXT), "--db", str(db), "--no-progress").returncode == 0
    reader = subprocess.Popen([sys.executable, "-m", "kommune_etl.cli", "query", "SELECT range FROM range(200000)",
                               "--db", str(db), "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout.readline().strip() == b"range"
    reader.stdout.close()  # what `head -1` does after its line
    assert reader.wait(timeout=60) == 0
    assert b"Traceback" not in reader.stderr.read()
    # the table format too: rich caught the broken pipe itself and exited 1, "a query failed" by the contract
    for command in (("query", "SELECT 1 AS one"), ("status",)):
        reader = subprocess.Popen([*EXE, *command, "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        reader.stdout.close()  # `| true`: the reader is gone before the first write
        assert reader.wait(timeout=60) == 0, command
        assert reader.stderr.read() == b"", command


def test_the_progress_bar_is_drawn_on_stderr_when_stdout_is_redirected(tmp_path):
    """Issue 20, point 7: rich drew the bar on stdout, so `ingest … > log` (stderr still a terminal) showed no
    bar and left a blank line in the log. The bar goes to the terminal on stderr; stdout gets the summary only."""
    import pty
    import re

    terminal, child_side = pty.openpty()
    ingest = subprocess.Popen([*EXE, "ingest", str(SAMPLES_TEXT), "--db", str(tmp_path / "w.duckdb")],
                              stdin=child_side, stdout=subprocess.PIPE, stderr=child_side,
                              env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "160"})
    os.close(child_side)
    drawn = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(terminal)
    out = ingest.stdout.read().decode()
    assert ingest.wait(timeout=300) == 0
    plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", drawn).decode("utf-8", "replace")
    assert re.search(r"ingest .* 5/5 .* new +ks_tilskuddsbrev", plain), plain[-500:]
    assert out.splitlines()[0].startswith("documents: 5 new, 0 unchanged, 0 updated, 0 quarantined; 5 pages")


def test_ingest_counts_what_it_skipped_in_the_summary_line_and_the_runs_row(tmp_path):
    """Issue 20, point 4: skipped paths were named on stderr only; now they are counted in the summary line, in
    `runs.paths_skipped` and in `status`, and a hidden file is counted as well (in one line)."""
    import shutil

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES_TEXT / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.txt", inbox / "ks.txt")
    (inbox / "MANIFEST.tsv").write_text("file\tsha256\nks.txt\t…\n")
    (inbox / "README").write_text("Innboks for KS-brev\n")
    (inbox / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    db = str(tmp_path / "w.duckdb")
    done = run("ingest", str(inbox), "--db", db, "--no-progress")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("documents: 1 new, 0 unchanged, 0 updated, 0 quarantined, 3 skipped (not documents); ")
    assert "skipped 3 path(s) that are not documents to read:" in done.stderr
    assert f"  skipped {inbox / 'README'}: folder bookkeeping" in done.stderr
    assert "  skipped 1 hidden file(s) or folder(s) (names starting with '.'" in done.stderr
    rows = run("query", "SELECT documents_new, paths_skipped FROM runs", "--db", db, "--format", "json")
    assert json.loads(rows.stdout) == [{"documents_new": 1, "paths_skipped": 3}]
    documents = run("query", "SELECT regexp_extract(source, '[^/]+$') AS f FROM documents", "--db", db, "--format", "csv")
    assert documents.stdout.split() == ["f", "ks.txt"]
    assert "skipped" in run("status", "--db", db).stdout


def test_a_file_or_folder_that_may_not_be_read_or_written_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    """Issue 20, point 7: an unreadable file given to `extract` and a --db where no file may be created were
    tracebacks (PermissionError; DuckDB's IOException), a folder given to `extract` was "no such file"."""
    done = run("ingest", str(SAMPLES_TEXT / "ikt_orkide_arsmelding_2023_faggrupper.txt"), "--db", "/sys/w.duckdb")
    assert done.returncode == 2, done.stderr[-300:]
    (line,) = done.stderr.strip().splitlines()
    assert line == ("kommune-etl: cannot open /sys/w.duckdb.creating (Permission denied); check the path and its "
                    "permissions, or pass another file or --db (in a folder you may write).")
    folder = run("extract", str(tmp_path))
    assert (folder.returncode, folder.stderr.strip()) == (
        2, f"kommune-etl extract: {tmp_path}: is a folder (extract reads one file; `ingest` takes folders)")

    from kommune_etl import cli, pipeline

    locked = tmp_path / "locked.pdf"  # chmod 000 means nothing to root: the read itself is refused here
    locked.write_bytes(b"%PDF-1.4")

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pipeline, "read_raw", refuse)
    assert cli.main(["extract", str(locked)]) == 2
    assert capsys.readouterr().err == (f"kommune-etl: cannot open {locked} (Permission denied); check the path and its "
                                       "permissions, or pass another file or --db (in a folder you may write).\n")
