"""The HTTP client fetches only http(s), only from the hosts a source is configured for (redirects included),
and gives up on a server that trickles its body (issue 15). Real servers on the loopback, no mocks."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kommune_etl.extractors.sources.http import HttpPolicy, Link, PoliteClient, UrlRefused, check_url, fetch_document
from local_api import Answer, serve



def local(url: str) -> HttpPolicy:
    """The policy of a source at the local test server ``url`` (its host and port)."""
    return HttpPolicy(min_interval_s=0.0, backoff_s=0.01, retries=1, allowed_hosts=(url.removeprefix("http://"),))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/plain,secret", "ftp://127.0.0.1/x.pdf",
                                 "http://127.0.0.2/x.pdf", "http://169.254.169.254/latest/meta-data/",
                                 "https://example.org/x.pdf", "/relative.pdf"])
def test_urls_outside_the_source_are_refused(url):
    with pytest.raises(UrlRefused):
        check_url(url, ("127.0.0.1",))


def test_the_configured_host_is_fetched():
    check_url("http://127.0.0.1:8080/docs/a.pdf", ("127.0.0.1:8080",))
    check_url("https://kommune.example.no/docs/a.pdf", ("kommune.example.no",))


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/", "http://127.0.0.1/", "https://kommune.example.no:8443/admin"])
def test_another_port_of_an_allowed_host_is_refused(url):
    """A link to the Redis port of the source's own host is server-side request forgery like another host."""
    with pytest.raises(UrlRefused):
        check_url(url, ("127.0.0.1:8080", "kommune.example.no"))


def test_links_and_redirects_out_of_the_source_are_refused_and_recorded(tmp_path):
    def respond(path, query, headers):
        if path == "/to-file":
            return Answer(302, {"Location": "file:///etc/passwd"})
        if path == "/to-other-host":
            return Answer(302, {"Location": "http://127.0.0.2:9/secret"})
        if path == "/to-other-port":
            return Answer(302, {"Location": "http://127.0.0.1:6379/"})
        return Answer(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 ok")

    with serve(respond) as (url, requests):
        client = PoliteClient(local(url))
        outcomes = {name: fetch_document(client, Link(f"{url}/{name}"), tmp_path, None)
                    for name in ("to-file", "to-other-host", "to-other-port", "fine.pdf")}
        off_source = fetch_document(client, Link("file:///etc/passwd"), tmp_path, None)
    assert {name: o.status for name, o in outcomes.items()} == {
        "to-file": "refused", "to-other-host": "refused", "to-other-port": "refused", "fine.pdf": "fetched"}
    assert "only http and https" in outcomes["to-file"].message and "127.0.0.2" in outcomes["to-other-host"].message
    assert off_source.status == "refused" and [p.name.split("_", 1)[1] for p in tmp_path.iterdir()] == ["fine.pdf"]
    assert "127.0.0.1:6379" in outcomes["to-other-port"].message
    assert [path for path, _, _ in requests] == ["/to-file", "/to-other-host", "/to-other-port", "/fine.pdf"]  # nothing else


def test_a_trickling_body_meets_the_document_deadline(tmp_path):
    sent = []

    class Trickle(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):                       # one byte every 50 ms: 50 s for the whole body
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    sent.append("hung up")
                    return
                sent.append(1)
                time.sleep(0.05)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        policy = HttpPolicy(min_interval_s=0.0, retries=0, document_deadline_s=1.0,
                            allowed_hosts=(f"127.0.0.1:{server.server_port}",))
        outcome = fetch_document(PoliteClient(policy), Link(f"http://127.0.0.1:{server.server_port}/slow.pdf"), tmp_path, None)
        for _ in range(100):  # the server notices the hang-up at its next write
            if "hung up" in sent:
                break
            time.sleep(0.05)
    finally:
        server.shutdown()
    assert outcome.status == "failed" and "took longer than 1 s" in outcome.message
    assert "hung up" in sent and sent.count(1) < 1000  # the client left long before the body was complete
    assert not list(tmp_path.iterdir())


def test_fetch_holds_no_lock_while_downloading_and_records_as_it_goes(tmp_path):
    """While the second document downloads, another process can write the warehouse, and sees the first outcome."""
    import subprocess
    import sys

    from kommune_etl.extractors.sources.config import SourceConfig
    from kommune_etl.fetch import fetch_source
    from local_api import json_answer

    db = tmp_path / "wh" / "warehouse.duckdb"
    seen_meanwhile = []
    probe = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
             "print(con.execute(\"SELECT count(*) FROM fetched_documents WHERE status = 'fetched'\").fetchone()[0])")

    def respond(path, query, headers):
        if path == "/feed.json":
            base = f"http://{headers['Host']}"
            return json_answer({"items": [{"url": f"{base}/docs/a.pdf"}, {"url": f"{base}/docs/b.pdf"}]})
        if path == "/docs/b.pdf":   # another process opens the warehouse read-write in the middle of the fetch
            done = subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True, text=True, timeout=60)
            seen_meanwhile.append((done.returncode, done.stdout.strip(), done.stderr[-200:]))
        return Answer(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 " + path.encode())

    with serve(respond) as (url, _):
        summary = fetch_source(SourceConfig.listing(f"{url}/feed.json"), tmp_path / "inbox", db,
                               policy=HttpPolicy(min_interval_s=0.0, retries=0))
    assert [o.status for o in summary.outcomes] == ["fetched", "fetched"]
    assert seen_meanwhile == [(0, "1", "")]


def test_urls_with_identity_numbers_are_recorded_pseudonymised_and_still_known(tmp_path):
    """A listing links `vedtak-15038712486.pdf`: the warehouse records the URL with a keyed pseudonym for the
    number, and the next fetch still recognises the document (asks conditionally, gets 304)."""
    import duckdb

    from conftest import SAMPLES_PDF
    from kommune_etl.extractors.sources.config import SourceConfig
    from kommune_etl.fetch import fetch_source
    from local_api import file_answer, json_answer

    body = next(SAMPLES_PDF.glob("*.pdf")).read_bytes()

    def respond(path, query, headers):
        if path == "/feed.json":
            return json_answer({"items": [{"url": "/docs/vedtak-15038712486.pdf"}], "next": None})
        return file_answer(body, headers)

    db_path = tmp_path / "w.duckdb"
    with serve(respond) as (url, requests):
        policy = HttpPolicy(min_interval_s=0.0, backoff_s=0.01, retries=1)
        first = fetch_source(SourceConfig.listing(f"{url}/feed.json"), tmp_path / "inbox", db_path, policy=policy)
        second = fetch_source(SourceConfig.listing(f"{url}/feed.json"), tmp_path / "inbox", db_path, policy=policy)
    assert first.count("fetched") == 1 and second.count("not_modified") == 1
    con = duckdb.connect(str(db_path), read_only=True)
    (stored,) = con.execute("SELECT url FROM fetched_documents").fetchone()
    con.close()
    assert "15038712486" not in stored and "/docs/vedtak-[fodselsnummer-" in stored
