"""Ingesting real files into a real DuckDB file: idempotence, versions, the raw archive, rollback."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import REAL, SAMPLES_PDF, SAMPLES_TEXT, TORTURE
from kommune_etl.models import DocumentResult, Page
from kommune_etl.pipeline import ingest_paths, process_document, read_raw
from kommune_etl.warehouse.connection import open_warehouse, raw_archive_dir
from kommune_etl.warehouse.load import load_document, source_state
from kommune_etl.warehouse.migrate import migration_files


def _rows(db: Path, sql: str, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_ingesting_samples_twice_changes_nothing(db_path):
    first = ingest_paths([SAMPLES_TEXT, SAMPLES_PDF], db_path)
    assert (first.new, first.unchanged, first.updated, first.quarantined) == (10, 0, 0, 0)
    assert first.pages == 5 + (8 + 12 + 11 + 25 + 5)
    counts = _rows(db_path, "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM pages),"
                            " (SELECT count(*) FROM source_versions)")
    second = ingest_paths([SAMPLES_TEXT, SAMPLES_PDF], db_path)
    assert (second.new, second.unchanged, second.updated, second.quarantined) == (0, 10, 0, 0)
    assert _rows(db_path, "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM pages),"
                          " (SELECT count(*) FROM source_versions)") == counts == [(10, 66, 10)]
    runs = _rows(db_path, "SELECT documents_new, documents_unchanged FROM runs ORDER BY run_id")
    assert runs == [(10, 0), (0, 10)]


def test_documents_get_types_dates_and_page_texts(db_path):
    ingest_paths([SAMPLES_TEXT, SAMPLES_PDF], db_path)
    rows = _rows(db_path, "SELECT regexp_extract(source, '([^/]+)$', 1), doc_type, document_date::VARCHAR,"
                          " document_year, pages, extractor FROM documents ORDER BY 1")
    by_name = {r[0]: r[1:] for r in rows}
    assert by_name["kristiansand_oppvekstutvalget_referat_2025-03-18.pdf"] == ("protocol", "2025-03-18", 2025, 25, "pypdfium2")
    assert by_name["ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.txt"] == ("grant_letter", "2023-05-08", 2023, 1, "text")
    assert by_name["ikt_orkide_arsmelding_2023_faggrupper.txt"] == ("annual_report", None, 2023, 1, "text")
    assert by_name["kdd_digitalisering_orientering_kommunesektoren_2022.pdf"][0] == "letter"
    assert by_name["digitrofi_helseteknologi_frokostmote_oppdragsbrev_2024.pdf"][:2] == ("presentation", "2024-09-27")
    page = _rows(db_path, "SELECT p.text FROM pages p JOIN documents d USING (sha256)"
                          " WHERE d.source LIKE '%ks_tilskuddsbrev%.pdf' AND p.page_number = 1")[0][0]
    assert page.startswith("Karmøy kommune \nStatråd Vinjes gate 25")
    assert "Dato: 08.05.2023" in page


def test_raw_bytes_are_archived_by_sha256_before_parsing(db_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(TORTURE / "qpdf_bad1_not-a-pdf.pdf", inbox / "broken.pdf")
    shutil.copy(SAMPLES_TEXT / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.txt", inbox / "letter.txt")
    summary = ingest_paths([inbox], db_path)
    assert (summary.new, summary.quarantined) == (1, 1)
    for name in ("broken.pdf", "letter.txt"):
        content = (inbox / name).read_bytes()
        sha = hashlib.sha256(content).hexdigest()
        archived = raw_archive_dir(db_path) / sha[:2] / sha
        assert archived.read_bytes() == content
    quarantine = _rows(db_path, "SELECT reason_code, stage, message FROM quarantine")
    assert len(quarantine) == 1 and quarantine[0][:2] == ("not_a_pdf", "read")
    assert "broken.pdf" in quarantine[0][2]
    assert _rows(db_path, "SELECT status, error_code FROM documents WHERE source LIKE '%broken.pdf'") == [("rejected", "not_a_pdf")]


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_changed_file_at_same_path_becomes_a_new_version(db_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    target = inbox / "referat.txt"
    target.write_text("Møteprotokoll\nDato: 18.03.2025\nTil stede: Arve Stokkelien (H)\n", encoding="utf-8")
    assert ingest_paths([inbox], db_path).new == 1
    target.write_text("Møteprotokoll\nDato: 18.03.2025\nTil stede: Arve Stokkelien (H), Kjetil Aasen (H)\n",
                      encoding="utf-8")
    summary = ingest_paths([inbox], db_path)
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 0)
    versions = _rows(db_path, "SELECT version, is_current FROM source_versions ORDER BY version")
    assert versions == [(1, False), (2, True)]
    texts = _rows(db_path, "SELECT v.version, p.text LIKE '%Kjetil Aasen%' FROM source_versions v"
                           " JOIN pages p USING (sha256) ORDER BY v.version")
    assert texts == [(1, False), (2, True)]  # the old version stays queryable
    assert _rows(db_path, "SELECT count(*) FROM current_documents") == [(1,)]


def test_a_failure_in_the_middle_of_loading_rolls_back_completely(db_path):
    con = open_warehouse(db_path)
    good = process_document(read_raw(SAMPLES_TEXT / "kdd_digitalisering_orientering_kommunesektoren_2022.txt"))
    # two pages with the same number: the document row goes in, then the pages insert fails on the key
    broken = DocumentResult(**{**good.__dict__, "pages": (Page(1, "first"), Page(1, "duplicate"))})
    with pytest.raises(duckdb.ConstraintException):
        load_document(con, broken, source_state(con, broken.source, broken.sha256))
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM source_versions").fetchone()[0] == 0
    load_document(con, good, source_state(con, good.source, good.sha256))  # the same document loads cleanly after
    assert con.execute("SELECT count(*), max(status) FROM documents").fetchone() == (1, "ok")
    con.close()


def test_a_rejected_file_does_not_stop_the_batch(db_path):
    summary = ingest_paths([TORTURE / "qpdf_bad1_not-a-pdf.pdf", TORTURE / "pdfminer_rc4-40_pw-foo.pdf",
                            REAL / "no_nord-odal_brev_2021-09-29.pdf"], db_path)
    assert (summary.new, summary.quarantined) == (1, 2)
    assert {r.error.code for r in summary.rejected} == {"not_a_pdf", "encrypted"}
    assert _rows(db_path, "SELECT doc_type, document_date::VARCHAR FROM documents WHERE status = 'ok'") == [("letter", "2021-09-29")]


def test_migrations_are_recorded_and_applied_once(db_path):
    open_warehouse(db_path).close()
    open_warehouse(db_path).close()
    versions = [v for v, _, _ in migration_files()]
    assert _rows(db_path, "SELECT version FROM schema_migrations ORDER BY version") == [(v,) for v in versions]


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_a_failing_stage_quarantines_one_document_and_the_batch_goes_on(db_path, monkeypatch):
    import kommune_etl.processing as pipeline  # where the stages run

    real = pipeline.extract_structures

    def fails_on_protocols(pages, doc_type, on, entities=None):
        if doc_type.value == "protocol":
            raise RuntimeError("structure bug")
        return real(pages, doc_type, on, entities)

    monkeypatch.setattr(pipeline, "extract_structures", fails_on_protocols)
    summary = ingest_paths([SAMPLES_TEXT], db_path)
    assert (summary.new, summary.quarantined) == (4, 1)
    rows = _rows(db_path, "SELECT stage, reason_code, message FROM quarantine")
    assert rows[0][:2] == ("transform", "stage_failed")
    assert "structures stage failed (RuntimeError: structure bug)" in rows[0][2] and "kristiansand" in rows[0][2]


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_reprocess_recovers_quarantined_documents_after_a_fix(db_path, monkeypatch):
    import kommune_etl.processing as pipeline  # where the stages run
    from kommune_etl.pipeline import reprocess_quarantined

    real = pipeline.extract_structures
    monkeypatch.setattr(pipeline, "extract_structures", lambda *a: (_ for _ in ()).throw(RuntimeError("bug")))
    assert ingest_paths([SAMPLES_TEXT / "kristiansand_oppvekstutvalget_referat_2025-03-18.txt"], db_path).quarantined == 1
    monkeypatch.setattr(pipeline, "extract_structures", real)  # "the fix"
    summary = reprocess_quarantined(db_path)
    assert (summary.updated, summary.quarantined) == (1, 0)
    assert _rows(db_path, "SELECT status, doc_type FROM documents") == [("ok", "protocol")]
    assert _rows(db_path, "SELECT count(*) FROM quarantine WHERE resolved_at IS NULL") == [(0,)]
    assert _rows(db_path, "SELECT count(*) FROM quarantine WHERE resolved_at IS NOT NULL") == [(1,)]
    assert _rows(db_path, "SELECT members_present FROM meetings") == [(11,)]
    # a recorded run like any other (issue 14, defect 1): its books, its quality results, and the recovered
    # document can be found by search
    assert _rows(db_path, "SELECT command, documents_updated, outcome FROM runs WHERE run_id = ?", [summary.run_id]) == [
        ("reprocess", 1, "completed")]
    assert _rows(db_path, "SELECT count(*) > 0 FROM quality_results WHERE run_id = ?", [summary.run_id]) == [(True,)]
    assert _rows(db_path, "SELECT count(*) FROM quality_runs WHERE run_id = ?", [summary.run_id]) == [(1,)]
    from kommune_etl.warehouse.connection import open_warehouse
    from kommune_etl.warehouse.search import search

    con = open_warehouse(db_path, read_only=True)
    hits = search(con, "oppvekstutvalget")
    con.close()
    assert hits and "kristiansand" in hits[0].source
    assert reprocess_quarantined(db_path).updated == 0  # nothing open any more


def test_an_applied_migration_edited_later_is_a_clear_error(db_path):
    """Issue 14: migrate() compared version numbers only, so a warehouse silently lacked an edited migration."""
    import subprocess
    import sys

    import duckdb

    from conftest import REPO
    from kommune_etl.warehouse.connection import open_warehouse
    from kommune_etl.warehouse.migrate import MigrationChanged, checksum, migration_files

    open_warehouse(db_path).close()
    con = duckdb.connect(str(db_path))
    recorded = dict(con.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    assert recorded == {version: checksum(sql) for version, _, sql in migration_files()}
    con.execute("UPDATE schema_migrations SET checksum = 'f00d' || checksum WHERE version = 5")  # as if 0005 was edited
    con.close()
    with pytest.raises(MigrationChanged, match=r"migration 0005_\w+\.sql was changed after it was applied"):
        open_warehouse(db_path)
    done = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "status", "--db", str(db_path)], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 3 and len(done.stderr.strip().splitlines()) == 1 and "0005_" in done.stderr


def test_progress_moves_per_document_not_per_validated_batch(db_path):
    """Issue 20, point 7: the bar sat at 0/N until a whole batch of 32 was read, validated and loaded. Each
    document is now reported as soon as it is read, then again (without counting twice) when it is loaded."""
    from kommune_etl.progress import DocumentProgress

    events, advances = [], []
    bar = DocumentProgress(lambda advance, description: advances.append((advance, description.split()[0])))

    def processed(path, status):
        events.append(("read", path.name, status))
        bar.processed(path, status)

    def done(path, outcome):
        events.append(("done", path.name, outcome))
        bar.done(path, outcome)

    names = sorted(p.name for p in SAMPLES_TEXT.glob("*.txt"))
    ingest_paths([SAMPLES_TEXT], db_path, on_processed=processed, on_document=done, check_quality=False)
    assert events == [("read", n, "ok") for n in names] + [("done", n, "new") for n in names]
    assert advances == [(1, "read")] * 5 + [(0, "new")] * 5  # 1/5 … 5/5 while reading; loading only relabels

    events.clear(), advances.clear()
    ingest_paths([SAMPLES_TEXT], db_path, on_processed=processed, on_document=done, check_quality=False)
    assert events == [("done", n, "unchanged") for n in names]  # nothing to read: each is counted when passed over
    assert advances == [(1, "unchanged")] * 5
