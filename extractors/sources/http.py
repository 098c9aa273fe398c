"""An HTTP(S) listing source: a JSON feed (paged) or an HTML page of document links, fetched politely.

Polite means: a User-Agent that names us, at most one request per `min_interval_s`, conditional requests
(`If-None-Match` / `If-Modified-Since` from what we stored last time), retries with back-off that honour
`Retry-After` on 429/503, a size limit, a content-type check, and a body that must match its
Content-Length. Documents the source marks as restricted are never requested.

Pure HTTP here; what was fetched is remembered by the caller (warehouse/sources.py) and the files go to an
inbox folder that `ingest` reads — the same path as any other document.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from kommune_etl import __version__

DOCUMENT_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "text/html", "text/plain", "text/markdown", "application/octet-stream")


@dataclass(frozen=True)
class HttpPolicy:
    user_agent: str = f"kommune-etl/{__version__} (+https://github.com/kommune-etl)"
    min_interval_s: float = 1.0
    timeout_s: float = 30.0
    retries: int = 4
    backoff_s: float = 1.0
    max_retry_after_s: float = 60.0
    max_bytes: int = 200 * 2**20
    # Where requests may go: the hosts the source is configured for (links and redirects included). A host that
    # resolves to a loopback or link-local address is refused unless it is named here as such (a local test API).
    allowed_hosts: tuple[str, ...] = ()
    document_deadline_s: float = 300.0   # one document, all retries and a slow body included
    run_deadline_s: float = 3600.0       # every request of one client (one source's fetch)


@dataclass(frozen=True)
class Link:
    url: str
    restricted: bool = False
    title: str | None = None
    checksum: str | None = None      # as the source states it, "algorithm:hex" (see checksum_of)
    immutable: bool = False          # the source never changes a file behind this URL (Elements document ids)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class FetchError(RuntimeError):
    """A document could not be fetched; the message says which URL and why."""


class UrlRefused(FetchError):
    """A URL outside what the source is configured for (another scheme, host or address): never requested."""


def check_url(url: str, allowed_hosts: tuple[str, ...]) -> None:
    """Only http(s), only to the configured hosts, and no loopback or link-local address behind a name.

    An allowed entry is a host (its standard ports 80 and 443) or `host:port` (that port only): a link to
    another port of an allowed host (a database, an admin console) is refused like another host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise UrlRefused(f"{url}: only http and https are fetched, not {parts.scheme or 'a relative URL'!r}")
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise UrlRefused(f"{url}: the port is not a number") from None
    allowed = {h.lower() for h in allowed_hosts}
    if f"{host}:{port}" not in allowed and not (host in allowed and port in (80, 443)):
        where = f"{host}:{port}" if port not in (80, 443) else host
        raise UrlRefused(f"{url}: {where!r} is not where this source is configured to fetch from "
                         f"({', '.join(sorted(allowed)) or 'none'}); add it to the source's allowed_hosts to fetch it")
    if _is_literal(host):
        return  # an address named in the configuration is what the operator asked for
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
    except OSError:
        return  # unresolvable: the request itself will fail and say so
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified:
            raise UrlRefused(f"{url}: {host} resolves to {address}, a loopback or link-local address; not fetched "
                             "(name the address itself in allowed_hosts if that is really meant)")


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return host == "localhost"


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a new request: it must pass the same check (scheme, host, address). Checked here, before
    urllib's own scheme test, so a refused target is reported as refused (every 30x passes through here)."""

    def __init__(self, allowed_hosts: tuple[str, ...]):
        super().__init__()
        self.allowed_hosts = allowed_hosts

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("location") or headers.get("uri")
        if location:
            check_url(urllib.parse.urljoin(req.full_url, location), self.allowed_hosts)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class PoliteClient:
    """One source's HTTP client: its own rate limit, and headers sent on every request (API-KEY, Tenant)."""

    def __init__(self, policy: HttpPolicy = HttpPolicy(), sleep=time.sleep, clock=time.monotonic,
                 headers: dict[str, str] | None = None):
        self.policy, self._sleep, self._clock = policy, sleep, clock
        self.headers = dict(headers or {})
        self.requests = 0
        self._last_request = None
        self._started = None
        # only HTTP(S) handlers: no file://, ftp:// or data: opener, and every redirect checked like the first URL
        self._opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(),
                        urllib.request.HTTPErrorProcessor(), _GuardedRedirects(policy.allowed_hosts)):
            self._opener.add_handler(handler)

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET with rate limit and retries; 2xx, 304 and 404/410 are answers, the rest raise FetchError."""
        check_url(url, self.policy.allowed_hosts)
        last_error = "no attempt"
        self._started = self._started if self._started is not None else time.monotonic()
        document_deadline = time.monotonic() + self.policy.document_deadline_s
        for attempt in range(self.policy.retries + 1):
            self._check_deadlines(url, document_deadline)
            self._wait_turn()
            request = urllib.request.Request(url, headers={"User-Agent": self.policy.user_agent, **self.headers,
                                                           **(headers or {})})
            self.requests += 1
            try:
                with self._opener.open(request, timeout=self.policy.timeout_s) as reply:
                    return Response(reply.status, {k.lower(): v for k, v in reply.headers.items()},
                                    self._read(reply, url, document_deadline))
            except urllib.error.HTTPError as exc:
                if exc.code in (304, 404, 410):
                    return Response(exc.code, {k.lower(): v for k, v in exc.headers.items()}, b"")
                last_error = f"HTTP {exc.code}"
                if exc.code not in (429, 500, 502, 503, 504):
                    break
                self._sleep(self._retry_delay(exc.headers.get("Retry-After"), attempt))
            except (urllib.error.URLError, http.client.IncompleteRead, ConnectionError, TimeoutError) as exc:
                last_error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
                self._sleep(self._retry_delay(None, attempt))
        raise FetchError(f"{url}: {last_error} after {attempt + 1} attempt(s)")

    def _check_deadlines(self, url: str, document_deadline: float) -> None:
        now = time.monotonic()
        if now > document_deadline:
            raise FetchError(f"{url}: no answer within {self.policy.document_deadline_s:g} s (all attempts together)")
        if self._started is not None and now - self._started > self.policy.run_deadline_s:
            raise FetchError(f"{url}: this source's fetch ran past {self.policy.run_deadline_s:g} s; the rest waits for the next run")

    def _read(self, reply, url: str, deadline: float | None = None) -> bytes:
        """The body in chunks, so a server that trickles a byte a second meets the deadline, not the socket timeout."""
        chunks, size = [], 0
        while size <= self.policy.max_bytes:
            if deadline is not None and time.monotonic() > deadline:
                raise FetchError(f"{url}: the body took longer than {self.policy.document_deadline_s:g} s; not kept")
            chunk = reply.read1(65536) if hasattr(reply, "read1") else reply.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)
        if len(body) > self.policy.max_bytes:
            raise FetchError(f"{url}: larger than {self.policy.max_bytes} bytes; raise the limit to fetch it")
        expected = reply.headers.get("Content-Length")
        if expected is not None and int(expected) != len(body):
            raise http.client.IncompleteRead(body, int(expected) - len(body))
        return body

    def get_json(self, url: str):
        """A JSON API answer; anything but 200 with a JSON body is a FetchError naming the URL."""
        reply = self.get(url, {"Accept": "application/json"})
        if reply.status != 200:
            raise FetchError(f"{url}: answered HTTP {reply.status}")
        try:
            return json.loads(reply.body)
        except ValueError as exc:
            raise FetchError(f"{url}: not JSON ({exc})") from exc

    def _wait_turn(self) -> None:
        if self._last_request is not None:
            wait = self.policy.min_interval_s - (self._clock() - self._last_request)
            if wait > 0:
                self._sleep(wait)
        self._last_request = self._clock()

    def _retry_delay(self, retry_after: str | None, attempt: int) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.policy.max_retry_after_s)
        return min(self.policy.backoff_s * 2 ** attempt, self.policy.max_retry_after_s)


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[Link] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            restricted = a.get("data-restricted", "").lower() in ("1", "true", "yes")
            self.links.append(Link(a["href"], restricted))


def parse_listing(body: bytes, content_type: str, base_url: str) -> tuple[list[Link], str | None]:
    """Links of one listing page and the next page's URL (JSON feeds: `items[].url|restricted`, `next`)."""
    if "json" in content_type:
        feed = json.loads(body)
        links = [Link(urllib.parse.urljoin(base_url, item["url"]), bool(item.get("restricted", False)),
                      item.get("title")) for item in feed.get("items", [])]
        nxt = feed.get("next")
        return links, urllib.parse.urljoin(base_url, nxt) if nxt else None
    parser = _Anchors()
    parser.feed(body.decode("utf-8", errors="replace"))
    links = [Link(urllib.parse.urljoin(base_url, a.url), a.restricted) for a in parser.links
             if re.search(r"\.(pdf|docx|html?|txt|md)(\?|$)", a.url, re.I)]
    return links, None


def list_links(client: PoliteClient, listing_url: str, max_pages: int = 1000) -> list[Link]:
    """Every link of a (paged) listing, in order, each URL once."""
    links: dict[str, Link] = {}
    url, pages = listing_url, 0
    while url and pages < max_pages:
        reply = client.get(url, {"Accept": "application/json, text/html;q=0.9"})
        if reply.status != 200:
            raise FetchError(f"{url}: listing answered HTTP {reply.status}")
        found, url = parse_listing(reply.body, reply.headers.get("content-type", ""), url)
        for link in found:
            links.setdefault(link.url, link)
        pages += 1
    return list(links.values())


def file_name_for(url: str) -> str:
    """A stable, safe inbox file name for a URL (its last path part, prefixed by a short hash of the URL)."""
    tail = Path(urllib.parse.urlparse(url).path).name or "document"
    tail = re.sub(r"[^A-Za-z0-9._-]+", "_", tail)[-80:]
    return f"{hashlib.sha256(url.encode()).hexdigest()[:12]}_{tail}"


STATUSES = ("fetched", "not_modified", "restricted", "withdrawn", "failed", "refused")


@dataclass
class FetchOutcome:
    url: str
    status: str                 # fetched | not_modified | restricted | withdrawn | failed | refused
    path: Path | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    message: str = ""
    source_checksum: str | None = None


@dataclass
class FetchSummary:
    outcomes: list[FetchOutcome] = field(default_factory=list)
    requests: int = 0                        # every HTTP request this fetch made (listing and files)
    watermark: datetime | None = None        # the source's watermark after this fetch, if it has one
    error: str | None = None                 # why listing the source failed, if it did (documents listed so far kept)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        """Documents per outcome, in STATUSES order."""
        return {status: self.count(status) for status in STATUSES}


_ALGORITHMS = {"sha256": "sha256", "sha-256": "sha256", "sha1": "sha1", "sha-1": "sha1", "md5": "md5",
               "sha512": "sha512", "sha-512": "sha512"}


def source_checksum(algorithm: str | None, value: str | None) -> str | None:
    """A source's stated checksum as "algorithm:hex" (None when absent or of an algorithm we cannot compute)."""
    if not value:
        return None
    name = _ALGORITHMS.get((algorithm or "sha256").strip().lower())
    return f"{name}:{value.strip().lower()}" if name else None


def checksum_of(body: bytes, stated: str) -> str:
    algorithm = stated.split(":", 1)[0]
    return f"{algorithm}:{hashlib.new(algorithm, body).hexdigest()}"


def fetch_document(client: PoliteClient, link: Link, inbox: Path, known: dict | None) -> FetchOutcome:
    """One document: conditional on what we know of it, into ``inbox``; never raises for a bad document.

    Not requested at all when restricted, when the source states the same checksum as last time, or when the
    URL is immutable and was fetched before; otherwise a conditional GET, and the body is checked against the
    stated checksum.
    """
    if link.restricted:
        return FetchOutcome(link.url, "restricted", message="marked restricted by the source; not requested")
    if known and known.get("sha256") and ((link.checksum and known.get("source_checksum") == link.checksum)
                                          or (link.immutable and not link.checksum)):
        return FetchOutcome(link.url, "not_modified", etag=known.get("etag"), last_modified=known.get("last_modified"),
                            sha256=known["sha256"], source_checksum=link.checksum,
                            message="unchanged by the source's checksum; not requested")
    headers = {}
    if known and known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known and known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    try:
        reply = client.get(link.url, headers)
    except UrlRefused as exc:
        return FetchOutcome(link.url, "refused", message=str(exc))
    except FetchError as exc:
        return FetchOutcome(link.url, "failed", message=f"{exc}; it will be tried again next run")
    if reply.status == 304:
        return FetchOutcome(link.url, "not_modified", etag=known.get("etag"), last_modified=known.get("last_modified"),
                            sha256=known.get("sha256"), source_checksum=link.checksum)
    if reply.status in (404, 410):
        return FetchOutcome(link.url, "withdrawn", message=f"HTTP {reply.status}: withdrawn by the source")
    content_type = reply.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in DOCUMENT_TYPES:
        return FetchOutcome(link.url, "failed", message=f"{link.url}: content type {content_type!r} is not a document")
    got = checksum_of(reply.body, link.checksum) if link.checksum else None
    if got != link.checksum:
        return FetchOutcome(link.url, "failed", message=f"{link.url}: body does not match the source's checksum "
                            f"{link.checksum} (got {got}); not kept, tried again next run")
    target = inbox / file_name_for(link.url)
    inbox.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(reply.body)
    partial.replace(target)
    return FetchOutcome(link.url, "fetched", target, reply.headers.get("etag"), reply.headers.get("last-modified"),
                        hashlib.sha256(reply.body).hexdigest(), source_checksum=link.checksum)
