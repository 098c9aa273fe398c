"""A real HTTP server on 127.0.0.1 for source tests: each test gives a `respond(path, query, headers)` function;
every request is recorded. Helpers build the answers real APIs give (JSON, files with ETag, 304, 404, 429,
truncated bodies)."""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes = b""


def json_answer(payload) -> Answer:
    return Answer(200, {"Content-Type": "application/json"}, json.dumps(payload).encode())


def file_answer(body: bytes, request_headers: dict, content_type: str = "application/pdf") -> Answer:
    """A document with a strong ETag; 304 when the client already has it."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    if request_headers.get("If-None-Match") == etag:
        return Answer(304, {"ETag": etag})
    return Answer(200, {"Content-Type": content_type, "ETag": etag}, body)


def truncated_answer(body: bytes) -> Answer:
    """Content-Length promises the whole file; a tenth of it arrives."""
    return Answer(200, {"Content-Type": "application/pdf", "Content-Length": str(len(body))}, body[: len(body) // 10])


@contextmanager
def serve(respond):
    """Yields (base_url, requests) — requests is a list of (path, query dict, headers)."""
    requests: list[tuple[str, dict, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            headers = self.headers              # case-insensitive .get, as HTTP headers are
            requests.append((parts.path, query, headers))
            answer = respond(parts.path, query, headers)
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            if "Content-Length" not in answer.headers:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
