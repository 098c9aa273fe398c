"""The HTTP listing source against a real local server: paging, 304, 429 + Retry-After, 404, a truncated
body, restricted documents — and what then lands in the warehouse."""

from __future__ import annotations

from dataclasses import replace

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

from conftest import SAMPLES_PDF
from kommune_etl.extractors.sources.config import SourceConfig
from kommune_etl.extractors.sources.http import HttpPolicy
from kommune_etl.fetch import fetch_source
from kommune_etl.pipeline import ingest_paths

PDFS = {p.name: p.read_bytes() for p in sorted(SAMPLES_PDF.glob("*.pdf"))}
NAMES = sorted(PDFS)
FAST = HttpPolicy(min_interval_s=0.0, backoff_s=0.01, retries=2)


class Source(BaseHTTPRequestHandler):
    """Feed page 1 → page 2; documents with ETags; one 429 first; one withdrawn; one truncated; one restricted."""

    requests: list[tuple[str, dict]] = []
    throttled_once = False

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requests.append((self.path, dict(self.headers)))
        if self.path == "/feed.json":
            return self._json({"items": [{"url": f"/docs/{NAMES[0]}"}, {"url": f"/docs/{NAMES[1]}"},
                                         {"url": "/docs/secret.pdf", "restricted": True}], "next": "/feed.json?page=2"})
        if self.path == "/feed.json?page=2":
            return self._json({"items": [{"url": f"/docs/{NAMES[2]}"}, {"url": "/docs/withdrawn.pdf"},
                                         {"url": "/docs/truncated.pdf"}], "next": None})
        name = self.path.removeprefix("/docs/")
        if name == NAMES[1] and not type(self).throttled_once:
            type(self).throttled_once = True
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return
        if name == "truncated.pdf":
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(PDFS[NAMES[0]][:1000])
            return
        if name not in PDFS:
            self.send_error(404)
            return
        etag = f'"{hash(PDFS[name]) & 0xffffffff:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(PDFS[name])))
        self.end_headers()
        self.wfile.write(PDFS[name])

    def _json(self, payload):
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    Source.requests, Source.throttled_once = [], False
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Source)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_listing_is_fetched_politely_and_only_what_changed_is_downloaded(server, tmp_path, db_path):
    inbox = tmp_path / "inbox"
    feed = f"{server}/feed.json"
    first = fetch_source(SourceConfig.listing(feed), inbox, db_path, policy=FAST)
    assert {o.url.rsplit("/", 1)[1]: o.status for o in first.outcomes} == {
        NAMES[0]: "fetched", NAMES[1]: "fetched", "secret.pdf": "restricted", NAMES[2]: "fetched",
        "withdrawn.pdf": "withdrawn", "truncated.pdf": "failed"}
    paths = [p for p, _ in Source.requests]
    assert "/docs/secret.pdf" not in paths                          # restricted: never requested
    assert paths.count(f"/docs/{NAMES[1]}") == 2                    # 429, then retried after Retry-After
    assert all(h.get("User-Agent", "").startswith("kommune-etl/") for _, h in Source.requests)
    truncated = next(o for o in first.outcomes if o.url.endswith("truncated.pdf"))
    assert "IncompleteRead" in truncated.message and "tried again next run" in truncated.message
    files = sorted(p.name for p in inbox.iterdir())
    assert len(files) == 3 and not any(f.endswith(".part") for f in files)

    summary = ingest_paths([inbox], db_path, check_quality=False)
    assert (summary.new, summary.quarantined) == (3, 0)

    Source.requests = []
    second = fetch_source(SourceConfig.listing(feed), inbox, db_path, policy=FAST)
    assert second.count("not_modified") == 3 and second.count("fetched") == 0
    asked = [(p.removeprefix("/docs/"), h.get("If-None-Match")) for p, h in Source.requests if p.startswith("/docs/")]
    assert sorted(name for name, etag in asked if etag) == NAMES[:3]            # conditional requests, answered 304
    assert [name for name, etag in asked if not etag] == ["withdrawn.pdf"] + ["truncated.pdf"] * 3  # 1 try + 2 retries

    con = duckdb.connect(str(db_path), read_only=True)
    rows = dict(con.execute("SELECT regexp_extract(url, '[^/]+$'), status FROM fetched_documents").fetchall())
    assert rows["secret.pdf"] == "restricted" and rows["withdrawn.pdf"] == "withdrawn"
    assert rows["truncated.pdf"] == "failed" and rows[NAMES[0]] == "not_modified"
    assert con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0] == 3


def test_a_body_that_does_not_match_the_stated_checksum_is_not_kept(tmp_path):
    """A checksum stated by the source (eInnsyn's sjekksum) is checked against the bytes that arrived."""
    import hashlib

    from kommune_etl.extractors.sources.http import Link, PoliteClient, fetch_document
    from local_api import file_answer, serve

    body = PDFS[NAMES[0]]
    right = f"sha256:{hashlib.sha256(body).hexdigest()}"
    wrong = "sha256:" + "0" * 64
    inbox = tmp_path / "inbox"
    with serve(lambda path, query, headers: file_answer(body, headers)) as (url, _):
        client = PoliteClient(replace(FAST, allowed_hosts=(url.removeprefix("http://"),)))
        bad = fetch_document(client, Link(f"{url}/bad.pdf", checksum=wrong), inbox, None)
        good = fetch_document(client, Link(f"{url}/good.pdf", checksum=right), inbox, None)
    assert bad.status == "failed" and f"(got {right})" in bad.message and wrong in bad.message
    assert good.status == "fetched" and good.sha256 == hashlib.sha256(body).hexdigest()
    assert good.source_checksum == right
    assert [p.read_bytes() == body for p in inbox.iterdir()] == [True]      # only the matching body was kept
