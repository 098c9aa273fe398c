"""One odd file never stops a run, and the inbox is the boundary (issue 15): copies, empty files, undecodable
names, links to host files, pipes and a folder's manifest each get a clear outcome while the rest loads."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from conftest import SHARED
from extractors.sources.folder import list_inbox
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
