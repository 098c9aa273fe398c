"""The attack suite of issue 15: every hostile case, run against the real CLI, reported as one table.

    uv run python benchmarks/attack.py [--json FILE] [--only NAME ...]

Each case runs `kommune-etl` as a child process in its own temporary folder (faults injected with kill -9,
SIGTERM and a file-size limit that stands in for a full disk; hostile files in the inbox; hostile servers on
the loopback) and is judged on three things:

- **outcome**: what the CLI did (exit code, documents, the reason it gave);
- **lost**: a document that should be in the warehouse after the case (and a re-run, where there is one) is not;
- **leaked**: a secret planted by the case — identity numbers, mobile numbers, a host file's content — can be
  found anywhere outside the raw archive and the inbox: any file in the case's folder (warehouse, WAL, Data
  Docs, OCR cache, exports, report), any text value of any table, or anything the CLI printed.

Time is wall-clock per case; peak memory is the largest resident size (VmHWM) of any process of the CLI's
process group — the CLI and its sandbox children — sampled every 20 ms (wait4's ru_maxrss would count the
benchmark's own memory, which a forked child inherits until it executes the CLI).
The test tier runs this suite and fails on any "lost" or "leaked" (tests/test_attack_suite.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

SAMPLES = REPO / "kommune_etl" / "samples"
FNR, FNR_DASHED, FNR_DOTTED = "15038712486", "150387-12486", "15.03.87 12486"
MOBILE_PAIRS, MOBILE_0047 = "41 23 45 67", "0047 93456781"
PASSWD_MARK = "root:x:0:0"


@dataclass
class Outcome:
    case: str
    outcome: str
    seconds: float = 0.0
    peak_mb: float = 0.0
    lost: bool = False
    leaked: bool = False
    detail: str = ""


@dataclass
class Ran:
    returncode: int
    out: str
    seconds: float
    peak_mb: float


@dataclass
class Workspace:
    """One case's folder: an inbox, a warehouse beside its raw archive, and everything the CLI printed."""

    root: Path
    printed: list[str] = field(default_factory=list)
    peak_mb: float = 0.0

    @property
    def inbox(self) -> Path:
        path = self.root / "inbox"
        path.mkdir(exist_ok=True)
        return path

    @property
    def db(self) -> Path:
        return self.root / "wh" / "warehouse.duckdb"

    def cli(self, *args: str, timeout: float = 600, kill: tuple[Callable[[], bool], int] | None = None,
            file_size_limit: int | None = None, env: dict | None = None) -> Ran:
        """Run `kommune-etl ARGS`; with ``kill=(condition, signal)`` send the signal once the condition holds."""
        def limits():
            if file_size_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail (EFBIG) as on a full disk
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

        log = self.root / f"cli-{len(self.printed)}.log"
        started = time.monotonic()
        with open(log, "wb") as out:
            child = subprocess.Popen([sys.executable, "-m", "kommune_etl.cli", *args], cwd=REPO, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=limits,
                                     env={**os.environ, **(env or {})})
            peaks = [0]
            watcher = threading.Thread(target=_watch, args=(child, kill, started + timeout, peaks), daemon=True)
            watcher.start()
            _, status, _ = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            watcher.join(5)
        seconds = time.monotonic() - started
        text = log.read_text(encoding="utf-8", errors="replace")
        log.unlink()
        self.printed.append(text)
        peak = peaks[0] / 1024
        self.peak_mb = max(self.peak_mb, peak)
        return Ran(child.returncode, text, seconds, peak)

    def sql(self, query: str, params=()) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return con.execute(query, list(params)).fetchall()
        finally:
            con.close()

    def leaks(self, secrets: list[str]) -> list[str]:
        """Where any secret can be found outside the raw archive and the inbox."""
        found = []
        needles = [s.encode() for s in secrets]
        for path in self.root.rglob("*"):
            if not path.is_file() or path.is_symlink() or self.inbox in path.parents or (self.db.parent / "raw") in path.parents:
                continue
            data = path.read_bytes()
            found += [f"{path.relative_to(self.root)}: {s}" for s, n in zip(secrets, needles) if n in data]
        if self.db.exists():  # every row of every table and view, whatever its column types, as text
            for (table,) in self.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"):
                for secret in secrets:
                    if self.sql(f'SELECT count(*) FROM "{table}" AS t WHERE contains(t::VARCHAR, ?)', [secret])[0][0]:
                        found.append(f"table {table}: {secret}")
        for text in self.printed:
            found += [f"printed: {s}" for s in secrets if s in text]
        return found


def _watch(child: subprocess.Popen, kill, deadline: float, peaks: list[int]) -> None:
    """Sample the group's peak memory (KB) until the child ends; signal it when ``kill``'s condition holds
    (or kill it at the deadline)."""
    while child.returncode is None:
        peaks[0] = max(peaks[0], _group_peak_kb(child.pid))
        if kill and kill[0]():
            time.sleep(0.05)
            _signal(child, kill[1])
            kill = None
        if time.monotonic() >= deadline:
            _signal(child, signal.SIGKILL)
        time.sleep(0.02)


def _group_peak_kb(group: int) -> int:
    """The largest VmHWM among the live processes of a process group."""
    peak = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != group:  # fields after the command: state, ppid, pgrp
                continue
            with open(f"/proc/{entry.name}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
                        break
        except (OSError, ValueError, IndexError):
            continue
    return peak


def _signal(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except ProcessLookupError:
        pass


def _copy_samples(inbox: Path, kinds=("text", "pdf")) -> int:
    count = 0
    for kind in kinds:
        for path in sorted((SAMPLES / kind).iterdir()):
            if path.is_file() and path.suffix in (".txt", ".pdf", ".html", ".md"):
                shutil.copy(path, inbox / path.name)
                count += 1
    return count


def _variants(inbox: Path, count: int) -> int:
    """``count`` distinct text documents made from the bundled samples (each with its own closing line)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "text").iterdir()) if p.suffix == ".txt"]
    for i in range(count):
        (inbox / f"variant-{i:03d}.txt").write_text(texts[i % len(texts)] + f"\nKopi nr. {i}.\n", encoding="utf-8")
    return count


# --- crashes ------------------------------------------------------------------------------------------------

def _killed_run(ws: Workspace, sig: int, earlier_run: bool) -> Outcome:
    name = f"{'later' if earlier_run else 'first'} run {'killed (kill -9)' if sig == signal.SIGKILL else 'stopped (SIGTERM)'}"
    expected = _copy_samples(ws.inbox, ("text",))
    if earlier_run:
        ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
        (ws.inbox / "later.txt").write_text((SAMPLES / "text").joinpath(sorted(os.listdir(SAMPLES / "text"))[0])
                                            .read_text(encoding="utf-8") + "\nEndret etter første kjøring.\n")
        expected += 1
    raw = ws.db.parent / "raw"
    started = time.monotonic()
    before = len(list(raw.rglob("*"))) if raw.exists() else 0
    ws.cli("ingest", str(ws.inbox), "--db", str(ws.db),
           kill=(lambda: raw.exists() and len(list(raw.rglob("*"))) > before, sig))
    opens = ws.db.exists() and _opens(ws.db)
    again = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    documents = ws.sql("SELECT count(*) FROM documents WHERE status = 'ok'")[0][0]
    outcomes = [r[0] for r in ws.sql("SELECT outcome FROM runs ORDER BY run_id")]
    closed = outcomes[-1] == "completed" and set(outcomes[:-1]) <= {"interrupted", "completed"}
    return Outcome(name, f"{'opens' if opens or not ws.db.exists() else 'DOES NOT OPEN'}; re-run exit {again.returncode}, "
                         f"{documents}/{expected} documents; runs {outcomes}",
                   time.monotonic() - started, ws.peak_mb, lost=documents != expected or not closed)


def _opens(db: Path) -> bool:
    import duckdb

    try:
        duckdb.connect(str(db)).close()
        return True
    except duckdb.Error:
        return False


def case_first_run_kill9(ws):
    return _killed_run(ws, signal.SIGKILL, earlier_run=False)


def case_first_run_sigterm(ws):
    return _killed_run(ws, signal.SIGTERM, earlier_run=False)


def case_later_run_kill9(ws):
    return _killed_run(ws, signal.SIGKILL, earlier_run=True)


def case_reprocess_killed(ws):
    """Every document quarantined (a 1 ms budget), then `reprocess --quarantined` killed half-way; a re-run
    of reprocess recovers all of them."""
    expected = _variants(ws.inbox, 60)
    ws.cli("ingest", str(ws.inbox), "--db", str(ws.db), "--timeout", "0.001")
    quarantined = ws.sql("SELECT count(*) FROM documents WHERE status <> 'ok'")[0][0]
    started = time.monotonic()
    killed = ws.cli("reprocess", "--quarantined", "--db", str(ws.db),
                    kill=(lambda: time.monotonic() - started > 5, signal.SIGKILL)).returncode == -signal.SIGKILL
    opens = _opens(ws.db)
    again = ws.cli("reprocess", "--quarantined", "--db", str(ws.db))
    ok = ws.sql("SELECT count(*) FROM documents WHERE status = 'ok'")[0][0]
    open_quarantine = ws.sql("SELECT count(*) FROM quarantine WHERE resolved_at IS NULL")[0][0]
    return Outcome("reprocess killed (kill -9) half-way", f"{quarantined} quarantined; killed mid-run: {killed}; "
                   f"opens: {opens}; re-run exit "
                   f"{again.returncode}, {ok}/{expected} recovered, {open_quarantine} still open",
                   time.monotonic() - started, ws.peak_mb, lost=ok != expected or not opens)


def case_fetch_killed(ws):
    """A fetch of 2 000 links killed after 3 s: the warehouse opens, no half-written file is in the inbox, and
    the next fetch completes the listing (what the killed one downloaded is asked for again at most)."""
    _Hostile.links = 2_000
    httpd = _server()
    try:
        sources = _sources_file(ws, f"http://127.0.0.1:{httpd.server_port}/many.html")
        started = time.monotonic()
        ws.cli("fetch", "--sources", str(sources), "--inbox", str(ws.inbox), "--db", str(ws.db),
               kill=(lambda: time.monotonic() - started > 3, signal.SIGKILL))
        opens = _opens(ws.db)
        recorded = ws.sql("SELECT count(*) FROM fetched_documents")[0][0] if opens else 0
        again = ws.cli("fetch", "--sources", str(sources), "--inbox", str(ws.inbox), "--db", str(ws.db))
    finally:
        httpd.shutdown()
    from kommune_etl.extractors.sources.folder import list_inbox

    done = ws.sql("SELECT count(*) FROM fetched_documents WHERE status IN ('fetched', 'not_modified')")[0][0]
    listing = list_inbox([ws.inbox])
    partial = [p for p in listing.files if p.name.endswith(".part")]
    complete = len(listing.files) == 2000
    return Outcome("fetch killed (kill -9) after 3 s of 2 000 links", f"opens: {opens}; {recorded} recorded when "
                   f"killed; re-run exit {again.returncode}, {done}/2000 recorded; {len(listing.files)} files for ingest, "
                   f"{sum(r.startswith('an unfinished') for _, r in listing.skipped)} partial skipped",
                   time.monotonic() - started, ws.peak_mb, lost=done != 2000 or not opens or bool(partial) or not complete)


def case_publish_killed(ws):
    """A loader's 60 documents published one per lake commit, the publish killed after its first commits: the
    lake holds whole documents only, and a re-run publishes the rest (a PostgreSQL-catalogued DuckLake)."""
    import uuid

    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    name = f"kommune_etl_attack_{uuid.uuid4().hex[:10]}"
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    lake = ["--lake", f"postgres:dbname={name} host=127.0.0.1 user=postgres", "--lake-data", str(ws.root / "lake")]
    try:
        expected = _variants(ws.inbox, 60)
        ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
        started = time.monotonic()
        data = ws.root / "lake"
        killed = ws.cli("publish", "--db", str(ws.db), *lake, "--batch", "1",
                        kill=(lambda: data.exists() and len(list(data.rglob("*.parquet"))) >= 20, signal.SIGKILL)
                        ).returncode == -signal.SIGKILL
        halfway = _lake_counts(ws, lake)
        again = ws.cli("publish", "--db", str(ws.db), *lake, "--batch", "8")
        final = _lake_counts(ws, lake)
    finally:
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
    whole = halfway[1] == halfway[2]  # every published document has all its page rows
    return Outcome("publish to the lake killed (kill -9) after its first commits",
                   f"killed mid-run: {killed}; lake then {halfway[0]} documents with {halfway[1]} pages (whole: {whole}); "
                   f"re-run exit {again.returncode}, lake {final[0]}/{expected} documents", time.monotonic() - started,
                   ws.peak_mb, lost=final[0] != expected or not whole)


def _lake_counts(ws: Workspace, lake: list[str]) -> tuple[int, int, int]:
    """Documents in the lake, their page rows, and the pages they say they have."""
    ran = ws.cli("query", "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM pages),"
                 " (SELECT coalesce(sum(pages), 0) FROM documents)", "--format", "csv", *lake)
    rows = [line for line in ran.out.strip().splitlines() if line and line[0].isdigit()]
    documents, pages, stated = rows[-1].split(",") if rows else ("0", "0", "0")
    return int(documents), int(pages), int(stated)


def case_full_disk(ws):
    """Writes fail past 3 MB (EFBIG, as on a full disk); after space is freed a re-run completes."""
    expected = _copy_samples(ws.inbox)
    started = time.monotonic()
    full = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db), file_size_limit=3 * 1024 * 1024)
    opens = not ws.db.exists() or _opens(ws.db)
    again = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    documents = ws.sql("SELECT count(*) FROM documents WHERE status = 'ok'")[0][0]
    said = full.out.strip().splitlines()[-1][:120] if full.out.strip() else ""
    return Outcome("full disk during the first run", f"exit {full.returncode} ({said}); opens: {opens}; re-run exit "
                   f"{again.returncode}, {documents}/{expected} documents", time.monotonic() - started, ws.peak_mb,
                   lost=documents != expected or not opens)


# --- one odd file -------------------------------------------------------------------------------------------

def case_duplicates_and_empties(ws):
    body = (SAMPLES / "text").joinpath(sorted(os.listdir(SAMPLES / "text"))[0]).read_bytes()
    (ws.inbox / "a.txt").write_bytes(body)
    (ws.inbox / "copy-of-a.txt").write_bytes(body)
    (ws.inbox / "empty-1.txt").write_bytes(b"")
    (ws.inbox / "empty-2.txt").write_bytes(b"")
    (ws.inbox / "b.txt").write_bytes(body + b"\nAnnen versjon.\n")
    ran = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    docs = dict(ws.sql("SELECT status, count(*) FROM documents GROUP BY ALL"))
    versions = ws.sql("SELECT count(*) FROM source_versions")[0][0]
    empty = ws.sql("SELECT count(*) FROM quarantine WHERE reason_code = 'empty'")[0][0]
    return Outcome("same bytes at two paths, two empty files", f"exit {ran.returncode}; documents {docs}; "
                   f"{versions} source versions; empty quarantined: {empty}", ran.seconds, ran.peak_mb,
                   lost=docs.get("ok") != 2 or versions != 5 or empty < 1)


def case_odd_names_links_and_pipes(ws):
    body = (SAMPLES / "text").joinpath(sorted(os.listdir(SAMPLES / "text"))[0]).read_bytes()
    (ws.inbox / "ok.txt").write_bytes(body)
    with open(os.path.join(os.fsencode(ws.inbox), b"m\xf8te-latin1-\xff.txt"), "wb") as handle:
        handle.write(body + b"\nNavn som ikke er UTF-8.\n")
    (ws.inbox / "passwd.txt").symlink_to("/etc/passwd")
    (ws.inbox / "outside").symlink_to("/etc")
    os.mkfifo(ws.inbox / "pipe.txt")
    ran = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db), timeout=120)
    documents = ws.sql("SELECT count(*) FROM documents WHERE status = 'ok'")[0][0]
    hits = ws.cli("search", "root", "--db", str(ws.db))
    leaks = ws.leaks([PASSWD_MARK, "/bin/bash"])
    return Outcome("undecodable name, symlinks out of the inbox, a pipe",
                   f"exit {ran.returncode}; {documents}/2 documents; skipped: {ran.out.count('skipped ')} lines",
                   ran.seconds + hits.seconds, ws.peak_mb, lost=documents != 2, leaked=bool(leaks),
                   detail="; ".join(leaks))


# --- the HTTP boundary --------------------------------------------------------------------------------------

class _Hostile(BaseHTTPRequestHandler):
    """A listing whose links leave the source every way there is; one document trickles."""

    asked: list[str] = []
    links = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).asked.append(self.path)
        port = self.server.server_address[1]
        if self.path == "/list.json":  # a JSON feed: every item is a document link (an HTML page keeps only those)
            links = ["file:///etc/passwd", "data:text/plain,secret", "ftp://127.0.0.1/x.pdf", "http://127.0.0.2/x.pdf",
                     f"http://127.0.0.1:{port + 1}/other-port.pdf", "http://169.254.169.254/latest/meta-data/",
                     "http://localhost/x.pdf", "/redirect-out", "/redirect-file", "/ok.txt"]
            return self._send(200, "application/json", json.dumps({"items": [{"url": u} for u in links]}).encode())
        if self.path == "/many.html":
            return self._send(200, "text/html", "".join(f'<a href="/d/{i}.txt">{i}</a>'
                                                        for i in range(type(self).links)).encode())
        if self.path == "/redirect-out":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.2:9/secret")
            return self.end_headers()
        if self.path == "/redirect-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            return self.end_headers()
        if self.path == "/trickle.txt":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(100000):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(1.0)
            return None
        return self._send(200, "text/plain", f"Vedtak i Steinkjer kommune, dokument {self.path}.".encode())

    def _send(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _server():
    _Hostile.asked = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _sources_file(ws: Workspace, url: str) -> Path:
    path = ws.root / "sources.toml"
    path.write_text(f'[sources.hostile]\nkind = "http"\nurl = "{url}"\nmin_interval_s = 0.0\n', encoding="utf-8")
    return path


def _fetch_listing(ws: Workspace, listing: str) -> Ran:
    """`kommune-etl fetch` of the hostile server's ``listing``, configured as a source in a sources file."""
    httpd = _server()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}{listing}"
        return ws.cli("fetch", "--sources", str(_sources_file(ws, url)), "--inbox", str(ws.inbox), "--db", str(ws.db))
    finally:
        httpd.shutdown()


def case_links_out_of_the_source(ws):
    ran = _fetch_listing(ws, "/list.json")
    statuses = dict(ws.sql("SELECT status, count(*) FROM fetched_documents GROUP BY ALL"))
    fetched = sorted(p.name for p in ws.inbox.iterdir())
    asked_outside = [p for p in _Hostile.asked if p not in ("/list.json", "/redirect-out", "/redirect-file", "/ok.txt")]
    leaks = ws.leaks([PASSWD_MARK])
    return Outcome("links and redirects out of the source (file:, data:, ftp:, other host/port, link-local)",
                   f"exit {ran.returncode}; {statuses}; inbox {fetched}", ran.seconds, ran.peak_mb,
                   lost=statuses.get("fetched") != 1,
                   leaked=bool(leaks or asked_outside or len(fetched) != 1 or statuses.get("refused") != 9),
                   detail="; ".join(leaks + asked_outside))


def case_trickling_server(ws):
    httpd = _server()
    try:
        said, seconds, peak = _fetch_one(ws, f"http://127.0.0.1:{httpd.server_port}/trickle.txt")
    finally:
        httpd.shutdown()
    return Outcome("a server trickling 1 byte/s (10 s document deadline)", said, seconds, peak, lost=False,
                   leaked=any(ws.inbox.iterdir()) if ws.inbox.exists() else False)


def _fetch_one(ws: Workspace, url: str):
    """The trickle through the HTTP client in a child, with a 10 s per-document deadline (the default is 300 s)."""
    code = ("import time; from pathlib import Path;"
            "from extractors.sources.http import HttpPolicy, Link, PoliteClient, fetch_document;"
            f"p = HttpPolicy(min_interval_s=0.0, retries=0, document_deadline_s=10, allowed_hosts=({url.split('/')[2]!r},));"
            "t = time.monotonic();"
            f"o = fetch_document(PoliteClient(p), Link({url!r}), Path({str(ws.inbox)!r}), None);"
            "print(o.status, 'after', round(time.monotonic() - t, 1), 's:', o.message[-60:])")
    started = time.monotonic()
    with open(ws.root / "fetch.log", "w+b") as out:
        child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        peaks = [0]
        watcher = threading.Thread(target=_watch, args=(child, None, started + 120, peaks), daemon=True)
        watcher.start()
        _, status, _ = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        watcher.join(5)
        out.seek(0)
        said = out.read().decode(errors="replace").strip()
    return said.splitlines()[-1] if said else "", time.monotonic() - started, peaks[0] / 1024


def case_ten_thousand_links(ws):
    _Hostile.links = 10_000
    ran = _fetch_listing(ws, "/many.html")
    recorded = ws.sql("SELECT count(*) FROM fetched_documents WHERE status = 'fetched'")[0][0]
    return Outcome("a listing of 10 000 links", f"exit {ran.returncode}; {recorded} recorded", ran.seconds, ran.peak_mb,
                   lost=recorded != 10_000)


# --- query ----------------------------------------------------------------------------------------------------

def case_query_surface(ws):
    _copy_samples(ws.inbox, ("text",))
    ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    attacks = [f"COPY documents TO '{ws.db}'", f"ATTACH '{ws.root / 'other.duckdb'}' AS o (READ_WRITE)",
               "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_blob('/etc/passwd')",
               "SELECT * FROM glob('/root/*')", "INSTALL httpfs", "LOAD httpfs", "SET enable_external_access = true",
               "SELECT * FROM read_text('/etc/passwd')", "CREATE TABLE x AS SELECT 1", "DROP TABLE documents"]
    refused, seconds = 0, 0.0
    for sql in attacks:
        ran = ws.cli("query", sql, "--db", str(ws.db))
        seconds += ran.seconds
        refused += ran.returncode != 0 and len(ran.out.strip().splitlines()) == 1
    intact = ws.sql("SELECT count(*) FROM documents")[0][0]
    leaks = ws.leaks([PASSWD_MARK])
    created = (ws.root / "other.duckdb").exists()
    return Outcome("query that writes or reads the host (COPY, ATTACH, read_csv, glob, INSTALL, SET, DDL)",
                   f"{refused}/{len(attacks)} refused in one line; warehouse intact ({intact} documents)", seconds,
                   ws.peak_mb, lost=intact == 0, leaked=bool(leaks) or created or refused != len(attacks),
                   detail="; ".join(leaks))


# --- personal data --------------------------------------------------------------------------------------------

def _image_pdf(text_lines: list[str]) -> bytes:
    """A scan: the lines rendered to a 200 dpi grey image, embedded with no text layer."""
    import pypdfium2 as pdfium

    from pdfmaker import make_pdf, pdf_of

    ops = b"".join(b"BT /F1 14 Tf 72 %d Td (%s) Tj ET\n" % (760 - 24 * i, line.encode("latin-1"))
                   for i, line in enumerate(text_lines))
    document = pdfium.PdfDocument(make_pdf(ops))
    pixels = document[0].render(scale=200 / 72, grayscale=True).to_numpy()
    document.close()
    if pixels.ndim == 3:
        pixels = pixels[:, :, 0]
    height, width = pixels.shape
    data = zlib.compress(pixels.astype("uint8").tobytes())
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
               b" /Resources << /XObject << /Im0 5 0 R >> >> >>"]
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
                   b" /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (width, height, len(data))
                   + data + b"\nendstream")
    return pdf_of(objects)


def _h_number() -> str:
    from stdnum.no import fodselsnummer

    first = "154387124"  # 15 March 1987 with month + 40
    c1 = fodselsnummer.calc_check_digit1(first)
    return first + c1 + fodselsnummer.calc_check_digit2(first + c1)


def case_personal_data(ws):
    h_number = _h_number()
    text = ("Steinkjer kommune\nVedtak om tilskudd\nMøtedato: 12.03.2024\n"
            f"Søker: Kari Nordmann, fødselsnummer {FNR_DASHED}, mobil {MOBILE_PAIRS}.\n"
            f"Verge: Ola Nordmann ({FNR_DOTTED}), telefon {MOBILE_0047}, H-nummer {h_number}.\n"
            "Kommunestyret vedtok å gi kr 50 000 i tilskudd. Vedtaket er enstemmig.\n")
    (ws.inbox / f"Søknad {FNR}.txt").write_text(text, encoding="utf-8")
    html = (f"<html><head><title>Klage fra {FNR}</title></head><body><p>Klage på vedtak i Steinkjer kommune, "
            "mottatt 12.03.2024, behandlet av formannskapet.</p></body></html>")
    (ws.inbox / "klage.html").write_text(html, encoding="utf-8")
    (ws.inbox / "skannet.pdf").write_bytes(_image_pdf(["Steinkjer kommune", "Vedtak 12.03.2024",
                                                        f"Fodselsnummer {FNR}", "Tilskudd kr 50 000"]))
    started = time.monotonic()
    ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    ws.cli("export", "--format", "csv", "--out", str(ws.root / "export"), "--db", str(ws.db))
    ws.cli("report", "--out", str(ws.root / "report.html"), "--db", str(ws.db))
    ws.cli("search", "Nordmann", "--db", str(ws.db))
    ws.cli("quality", "--db", str(ws.db))
    for name in ("klage.html", "skannet.pdf", f"Søknad {FNR}.txt"):
        ws.cli("extract", str(ws.inbox / name), "--format", "json")
    documents = ws.sql("SELECT count(*) FROM documents WHERE status = 'ok'")[0][0]
    scan = ws.sql("SELECT text FROM pages JOIN documents USING (sha256) WHERE media_type = 'application/pdf'")
    ocr_masked = bool(scan) and "***********" in scan[0][0]
    secrets = [FNR, FNR_DASHED, FNR_DOTTED, MOBILE_PAIRS, "93456781", h_number]
    leaks = ws.leaks(secrets)
    return Outcome("personal data in text, title, file name and a scan (OCR cache, exports, report, extract)",
                   f"{documents}/3 documents; scan's number masked after OCR: {ocr_masked}",
                   time.monotonic() - started, ws.peak_mb, lost=documents != 3, leaked=bool(leaks) or not ocr_masked,
                   detail="; ".join(leaks))


# --- size and hostile files ------------------------------------------------------------------------------------

def case_huge_text(ws):
    line = "Kommunestyret behandlet saken om skolestruktur og vedtok forslaget fra formannskapet i møtet.\n"
    with open(ws.inbox / "huge.txt", "w", encoding="utf-8") as out:
        page = line * 40
        for _ in range(150_000_000 // len(page)):
            out.write(page + "\f")
    ran = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db), timeout=900)
    stored = ws.sql("SELECT coalesce(sum(length(text)), 0) FROM pages")[0][0]
    state = ws.sql("SELECT status, text_truncated_chars FROM documents")
    return Outcome("a 150 MB text with page breaks", f"exit {ran.returncode}; {state}; {stored:,} characters stored",
                   ran.seconds, ran.peak_mb, lost=not state or stored > 5_000_000)


def case_huge_docx(ws):
    paragraph = "<w:p><w:r><w:t>Formannskapet vedtok budsjettet for skole og helse i Steinkjer kommune.</w:t></w:r></w:p>"
    body = paragraph * (46_000_000 // 70)
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
           '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + "</w:body></w:document>")
    with zipfile.ZipFile(ws.inbox / "huge.docx", "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                      'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
                      'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
                      'xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                      'officedocument.wordprocessingml.document.main+xml"/></Types>')
        docx.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                      'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                      'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                      '</Relationships>')
        docx.writestr("word/document.xml", xml)
    ran = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db), timeout=900)
    stored = ws.sql("SELECT coalesce(sum(length(text)), 0) FROM pages")[0][0]
    state = ws.sql("SELECT status FROM documents")
    reason = ws.sql("SELECT reason_code FROM quarantine")
    return Outcome(f"a DOCX of {len(body) // 1_000_000} M characters ({(ws.inbox / 'huge.docx').stat().st_size // 1024} KB "
                   "zipped)", f"exit {ran.returncode}; {state} {reason}; {stored:,} characters stored", ran.seconds,
                   ran.peak_mb, lost=not state or stored > 5_000_000)


def case_decompression_bomb(ws):
    from pdfmaker import bomb_pdf

    (ws.inbox / "bomb.pdf").write_bytes(bomb_pdf(inflated_mb=1500))
    _copy_samples(ws.inbox, ("text",))
    ran = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db), "--max-memory-mb", "512", timeout=900)
    reasons = [r[0] for r in ws.sql("SELECT reason_code FROM quarantine")]
    ok = ws.sql("SELECT count(*) FROM documents WHERE status = 'ok'")[0][0]
    expected = len([p for p in (SAMPLES / "text").iterdir() if p.suffix in (".txt", ".md", ".html")])
    return Outcome("a PDF that inflates to 1.5 GB beside good documents", f"exit {ran.returncode}; bomb: {reasons}; "
                   f"{ok}/{expected} others loaded", ran.seconds, ran.peak_mb, lost=ok != expected)


def case_encodings_and_nul(ws):
    (ws.inbox / "cp1252.txt").write_bytes("Møteprotokoll for formannskapet i Åfjord kommune, møtedato 12.03.2024. "
                                          "Vedtak: søknaden innvilges.\n".encode("cp1252"))
    (ws.inbox / "nul.txt").write_bytes(("Protokoll fra kommunestyret i Steinkjer kommune 12.03.2024. " * 40).encode()
                                       + b"\x00\x00hidden\x00" + b" Vedtak fattet.\n")
    ran = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    ok = ws.sql("SELECT count(*) FROM documents WHERE status = 'ok'")[0][0]
    nul = ws.sql("SELECT count(*) FROM pages WHERE contains(text, chr(0))")[0][0]
    letters = ws.sql("SELECT count(*) FROM pages WHERE contains(text, 'Møteprotokoll')")[0][0]
    return Outcome("Windows-1252 text and NUL bytes", f"exit {ran.returncode}; {ok}/2 loaded; pages with NUL: {nul}; "
                   f"æøå read: {letters == 1}", ran.seconds, ran.peak_mb, lost=ok != 2 or nul != 0 or letters != 1)


def case_formula_injection(ws):
    """A title that is a formula, in a document with an amount: the title reaches mart_amounts' CSV."""
    text = ('=HYPERLINK("http://evil.example/","Møteprotokoll")\nSteinkjer kommune\nMøtedato: 12.03.2024\n'
            "Vedtak: kommunestyret gir kr 50 000 i tilskudd til +cmd|' /C calc'!A0. Vedtatt enstemmig.\n")
    (ws.inbox / "=cmd.txt").write_text(text, encoding="utf-8")
    ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    ran = ws.cli("export", "--format", "csv", "--out", str(ws.root / "export"), "--db", str(ws.db))
    import csv

    dangerous, neutralised = [], 0
    for path in (ws.root / "export").rglob("*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                dangerous += [f"{path.name}: {cell[:30]}" for cell in row if cell[:1] in ("=", "+", "-", "@")
                              and not _number(cell)]
                neutralised += sum(cell.startswith("'=") for cell in row)
    return Outcome("CSV export of cells starting with = + - @", f"exit {ran.returncode}; {neutralised} formula cells "
                   f"exported as text; {len(dangerous)} live formulas", ran.seconds, ran.peak_mb,
                   lost=neutralised == 0, leaked=bool(dangerous), detail="; ".join(dangerous[:5]))


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def case_corrupt_ocr_cache(ws):
    (ws.inbox / "scan.pdf").write_bytes(_image_pdf(["Steinkjer kommune", "Vedtak 12.03.2024", "Tilskudd kr 50 000"]))
    ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    entries = list((ws.db.parent / "ocr-cache").rglob("*.ocr"))
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:10])  # what a crash mid-write left before writes were atomic
    ws.cli("query", "SELECT 1", "--db", str(ws.db))
    os.remove(ws.db)
    shutil.rmtree(ws.db.parent / "raw")
    ran = ws.cli("ingest", str(ws.inbox), "--db", str(ws.db))
    ok = ws.sql("SELECT count(*) FROM documents WHERE status = 'ok'")[0][0]
    return Outcome("a truncated OCR cache entry", f"exit {ran.returncode}; {len(entries)} entries cut; scan loaded again: "
                   f"{ok == 1}", ran.seconds, ran.peak_mb, lost=ok != 1)


CASES = {name.removeprefix("case_"): function for name, function in globals().items() if name.startswith("case_")}


def run(names: list[str] | None = None, progress=print) -> list[Outcome]:
    results = []
    for name, case in CASES.items():
        if names and name not in names:
            continue
        with tempfile.TemporaryDirectory(prefix=f"attack-{name}-") as tmp:
            workspace = Workspace(Path(tmp))
            started = time.monotonic()
            try:
                outcome = case(workspace)
            except Exception as exc:  # a case that cannot finish is a finding, not a crash of the suite
                outcome = Outcome(name, f"CASE FAILED: {type(exc).__name__}: {exc}", time.monotonic() - started,
                                  workspace.peak_mb, lost=True)
        progress(f"{outcome.case}: {outcome.outcome}")
        results.append(outcome)
    return results


def table(results: list[Outcome]) -> str:
    rows = ["| case | outcome | time (s) | peak memory (MB) | lost | leaked |", "|---|---|---:|---:|---|---|"]
    for r in results:
        detail = f" — {r.detail}" if r.detail else ""
        cell = f"{r.outcome}{detail}".replace("|", "\\|")
        rows.append(f"| {r.case} | {cell} | {r.seconds:.1f} | {r.peak_mb:.0f} | "
                    f"{'YES' if r.lost else 'no'} | {'YES' if r.leaked else 'no'} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="run only these cases")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()
    results = run(args.only, progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if any(r.lost or r.leaked for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
