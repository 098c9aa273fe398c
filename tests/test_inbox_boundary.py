"""One odd file never stops a run, and the inbox is the boundary (issue 15): copies, empty files, undecodable
names, links to host files, pipes and a folder's manifest each get a clear outcome while the rest loads."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from conftest import SHARED
from kommune_etl.extractors.sources.folder import list_inbox
from kommune_etl.pipeline import ingest_paths

RECORDS = SHARED / "corpus" / "protocols" / "steinkjer"


def test_listing_skips_links_pipes_and_bookkeeping(tmp_path):
    (tmp_path / "a.txt").write_text("Referat")
    (tmp_path / "passwd.txt").symlink_to("/etc/passwd")
    (tmp_path / "etc").symlink_to("/etc")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "MANIFEST.tsv").write_text("file\tdescription\n")
    (tmp_path / "README.md").write_text("# Protocols of 2026\n")
    (tmp_path / ".swap.txt").write_text("x")
    listing = list_inbox([tmp_path])
    assert [p.name for p in listing.files] == ["a.txt"]
    reasons = {os.path.basename(path): reason for path, reason in listing.skipped}
    assert set(reasons) == {"passwd.txt", "etc", "pipe.txt", "MANIFEST.tsv", "README.md"}
    assert "symbolic link" in reasons["passwd.txt"] and "pipe" in reasons["pipe.txt"]


@pytest.mark.slow
def test_odd_files_in_one_batch(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(RECORDS / "7700.txt", inbox / "a.txt")
    shutil.copy(RECORDS / "7700.txt", inbox / "copy-of-a.txt")          # the same bytes at two paths
    (inbox / "empty1.txt").write_bytes(b"")
    (inbox / "empty2.txt").write_bytes(b"")                             # and two empty files: the same bytes too
    shutil.copy(RECORDS / "7701.txt", os.fsdecode(bytes(inbox) + b"/bad\xffname.txt"))  # not valid UTF-8
    (inbox / "passwd.txt").symlink_to("/etc/passwd")
    db = tmp_path / "wh" / "warehouse.duckdb"
    summary = ingest_paths([inbox], db)
    assert (summary.new, summary.quarantined, summary.unchanged) == (2, 1, 2)
    assert [r.error.code for r in summary.rejected] == ["empty"]
    assert [os.path.basename(p) for p, _ in summary.skipped] == ["passwd.txt"]
    con = duckdb.connect(str(db), read_only=True)
    versions = dict(con.execute("SELECT regexp_extract(source, '[^/]+$'), left(sha256, 8) FROM source_versions").fetchall())
    assert versions["a.txt"] == versions["copy-of-a.txt"] and versions["empty1.txt"] == versions["empty2.txt"]
    assert "bad\\xffname.txt" in versions
    assert con.execute("SELECT count(*) FROM pages WHERE text LIKE '%root:x:0:0%'").fetchone()[0] == 0


def test_manifests_spreadsheets_readmes_and_hidden_files_are_skipped_and_counted(tmp_path):
    """Issue 20, point 4: a folder's manifests, metadata spreadsheets and hidden files are skipped, counted, not
    ingested. A README without an extension was read as a document (`other`); hidden files were not counted."""
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    for name in ("protokoll.txt", "sub/brev.txt"):
        (tmp_path / name).write_text("Referat fra møtet")
    for name in ("MANIFEST.tsv", "manifest.csv", "metadata.xlsx", "Dokumentoversikt.XLSX", "sub/dokumentliste.ods",
                 "sub/metadata.csv", "README", "README.md", "sub/LESMEG.txt", "Les meg"):
        (tmp_path / name).write_bytes(b"file\tsha256\n")
    for name in (".DS_Store", "._protokoll.txt", "sub/.protokoll.txt.swp"):
        (tmp_path / name).write_bytes(b"\x00\x05\x16\x07")
    listing = list_inbox([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in listing.files] == ["protokoll.txt", "sub/brev.txt"]
    assert sorted(os.path.relpath(path, tmp_path) for path, _ in listing.skipped) == [
        "Dokumentoversikt.XLSX", "Les meg", "MANIFEST.tsv", "README", "README.md", "manifest.csv", "metadata.xlsx",
        "sub/LESMEG.txt", "sub/dokumentliste.ods", "sub/metadata.csv"]
    assert {reason for _, reason in listing.skipped} == {
        "folder bookkeeping (a manifest, checksums, a metadata sheet or a README), not a record"}
    assert listing.hidden == 4  # .DS_Store, ._protokoll.txt, sub/.protokoll.txt.swp and the .git folder (once)
