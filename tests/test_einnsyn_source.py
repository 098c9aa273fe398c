"""The eInnsyn connector against a local server speaking eInnsyn's shapes: API-KEY, /search with date filters and
startingAfter cursor pages, meeting → moetesak/moetedokument → dokumentbeskrivelse → dokumentobjekt (ids or
expanded), checksums, accessibleAfter; and the watermark, a warm run and a backfill — then what was ingested."""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import pytest

from conftest import HAS_SHARED, SAMPLES_PDF, SAMPLES_TEXT

from kommune_etl.extractors.sources.config import SourceConfigError, parse_sources
from kommune_etl.extractors.sources.http import HttpPolicy
from kommune_etl.fetch import fetch_source
from kommune_etl.pipeline import ingest_paths
from local_api import Answer, file_answer, json_answer, serve, truncated_answer

if not HAS_SHARED:  # the module reads sample documents as it loads
    pytest.skip("needs the shared materials (../shared)", allow_module_level=True)

FAST = HttpPolicy(min_interval_s=0.0, backoff_s=0.01, retries=2)
KEY = "test-key-7f3a"
PROTOCOL = (SAMPLES_PDF / "kristiansand_oppvekstutvalget_referat_2025-03-18.pdf").read_bytes()
LETTER = (SAMPLES_TEXT / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.txt").read_bytes()
REPORT = (SAMPLES_PDF / "ikt_orkide_arsmelding_2023_faggrupper.pdf").read_bytes()
ORIENTATION = (SAMPLES_PDF / "kdd_digitalisering_orientering_kommunesektoren_2022.pdf").read_bytes()
ASSIGNMENT = (SAMPLES_PDF / "digitrofi_helseteknologi_frokostmote_oppdragsbrev_2024.pdf").read_bytes()
FILES = {"protocol.pdf": PROTOCOL, "letter.txt": LETTER, "report.pdf": REPORT, "orientation.pdf": ORIENTATION,
         "assignment.pdf": ASSIGNMENT}


def _file(name, algorithm=None):
    obj = {"id": f"do_{name}", "entity": "Dokumentobjekt", "referanseDokumentfil": f"/files/{name}"}
    if algorithm:
        obj |= {"sjekksum": hashlib.new(algorithm.replace("-", "").lower(), FILES[name]).hexdigest(),
                "sjekksumAlgoritme": algorithm}
    return obj


def _sak(sid, *files, **extra):
    return {"id": sid, "entity": "Moetesak", "offentligTittel": sid, "moetesakstype": "politisk",
            "dokumentbeskrivelse": [{"id": f"db_{sid}_{i}", "entity": "Dokumentbeskrivelse", "tittel": f["id"],
                                     "dokumentobjekt": [f]} for i, f in enumerate(files)], **extra}


class FakeEInnsyn:
    """Three meetings of one body; ids sort in creation order like eInnsyn's."""

    def __init__(self):
        self.meetings = {
            "mm_1": {"moetedato": "2024-03-10T16:00:00Z", "oppdatertDato": "2024-03-20T08:00:00Z",
                     "moetesak": [_sak("ms_1", _file("protocol.pdf", "SHA-256"))],
                     # a meeting document whose description and file come as ids (not expanded)
                     "moetedokument": [{"id": "mdok_1", "entity": "Moetedokument", "moetedokumenttype": "protokoll",
                                        "dokumentbeskrivelse": ["db_9"]}]},
            "mm_2": {"moetedato": "2024-06-12T16:00:00Z", "oppdatertDato": "2024-06-15T08:00:00Z",
                     "moetesak": [_sak("ms_2", _file("secret.pdf"), accessibleAfter="2099-01-01T00:00:00Z"),
                                  _sak("ms_3", _file("withdrawn.pdf"))],
                     "moetedokument": []},
            "mm_3": {"moetedato": "2024-09-01T16:00:00Z", "oppdatertDato": "2024-09-05T08:00:00Z",
                     "moetesak": [_sak("ms_4", _file("report.pdf", "MD5"), _file("orientation.pdf"))],
                     "moetedokument": []},
        }
        self.throttled = False
        self.truncations_left = 3

    def respond(self, path, query, headers):
        if headers.get("API-KEY") != KEY:
            return Answer(401, {"Content-Type": "application/json"}, b'{"error": "missing or wrong API-KEY"}')
        if path == "/search":
            return self._search(query)
        parts = path.strip("/").split("/")
        if parts[0] == "moetemappe" and len(parts) == 3:
            items = self.meetings[parts[1]][parts[2]]
            if "dokumentbeskrivelse" not in query.get("expand", ""):
                items = [{**i, "dokumentbeskrivelse": [d["id"] if isinstance(d, dict) else d
                                                       for d in i["dokumentbeskrivelse"]]} for i in items]
            return json_answer({"items": items})
        if path == "/dokumentbeskrivelse/db_9":
            return json_answer({"id": "db_9", "entity": "Dokumentbeskrivelse", "tittel": "Protokoll",
                                "dokumentobjekt": ["do_9"]})
        if path == "/dokumentobjekt/do_9":
            return json_answer(_file("letter.txt"))              # no checksum stated: ETag / 304 instead
        if path.startswith("/files/"):
            return self._file(path.removeprefix("/files/"), headers)
        return Answer(404, {})

    def _search(self, query):
        assert query["entity"] == "Moetemappe" and query["sortOrder"] == "asc"
        found = [{"id": mid, "entity": "Moetemappe", "utvalg": "Oppvekstutvalget", "moetenummer": mid,
                  "offentligTittel": f"Møte {mid}", **{k: m[k] for k in ("moetedato", "oppdatertDato")}}
                 for mid, m in sorted(self.meetings.items())]
        if "oppdatertDatoAfter" in query:
            found = [m for m in found if m["oppdatertDato"] > query["oppdatertDatoAfter"]]
        if "moetedatoAfter" in query:
            found = [m for m in found if m["moetedato"] >= query["moetedatoAfter"]]
        if "moetedatoBefore" in query:
            found = [m for m in found if m["moetedato"] <= query["moetedatoBefore"]]
        if "startingAfter" in query:
            found = [m for m in found if m["id"] > query["startingAfter"]]
        page, rest = found[:2], found[2:]                   # the server's page size wins over `limit`
        body = {"items": page}
        if rest:
            nxt = {**query, "startingAfter": page[-1]["id"]}
            body["next"] = "/search?" + "&".join(f"{k}={v}" for k, v in nxt.items())
        return json_answer(body)

    def _file(self, name, headers):
        if name == "protocol.pdf" and not self.throttled:
            self.throttled = True
            return Answer(429, {"Retry-After": "1"})
        if name == "orientation.pdf" and self.truncations_left:
            self.truncations_left -= 1
            return truncated_answer(ORIENTATION)
        if name not in FILES:
            return Answer(404, {})
        return file_answer(FILES[name], headers, "text/plain" if name.endswith(".txt") else "application/pdf")


SOURCES = """
[sources.kristiansand]
kind = "einnsyn"
url = "{url}"
api_key_env = "EINNSYN_TEST_KEY"
start = 2024-01-01
"""


def _by_name(summary):
    return {o.url.rsplit("/", 1)[1]: o.status for o in summary.outcomes}


@pytest.mark.slow
def test_einnsyn_incremental_then_warm_then_backfill(tmp_path, db_path, monkeypatch):
    api = FakeEInnsyn()
    inbox = tmp_path / "inbox"
    with serve(api.respond) as (url, requests):
        source = parse_sources(SOURCES.format(url=url))["kristiansand"]
        monkeypatch.delenv("EINNSYN_TEST_KEY", raising=False)
        with pytest.raises(SourceConfigError, match="EINNSYN_TEST_KEY is not set"):
            fetch_source(source, inbox, db_path, policy=FAST)
        monkeypatch.setenv("EINNSYN_TEST_KEY", KEY)

        first = fetch_source(source, inbox, db_path, policy=FAST)
        assert _by_name(first) == {"protocol.pdf": "fetched", "letter.txt": "fetched", "report.pdf": "fetched",
                                   "orientation.pdf": "failed", "secret.pdf": "restricted",
                                   "withdrawn.pdf": "withdrawn"}
        assert all(h.get("API-KEY") == KEY for _, _, h in requests)
        searches = [q for p, q, _ in requests if p == "/search"]
        assert [q.get("startingAfter") for q in searches] == [None, "mm_2"]          # cursor paging
        assert searches[0]["oppdatertDatoAfter"] == "2024-01-01T00:00:00Z"           # the configured start
        files = [p for p, _, _ in requests if p.startswith("/files/")]
        assert "/files/secret.pdf" not in files                                     # restricted: never asked
        assert files.count("/files/protocol.pdf") == 2                              # 429, Retry-After, again
        assert files.count("/files/orientation.pdf") == 3                           # truncated: 1 + 2 retries
        assert first.watermark.isoformat() == "2024-09-05T08:00:00+00:00" and first.requests == len(requests)

        con = duckdb.connect(str(db_path), read_only=True)
        assert con.execute("SELECT count(*) FROM source_watermarks").fetchone()[0] == 0   # a failure holds it
        con.close()

        # Next night: the truncated file now arrives whole, meeting 3 got a new document.
        api.meetings["mm_3"]["moetesak"].append(_sak("ms_5", _file("assignment.pdf", "SHA-256")))
        api.meetings["mm_3"]["oppdatertDato"] = "2024-10-01T09:30:00Z"
        requests.clear()
        second = fetch_source(source, inbox, db_path, policy=FAST)
        assert _by_name(second) == {"protocol.pdf": "not_modified", "letter.txt": "not_modified",
                                    "report.pdf": "not_modified", "orientation.pdf": "fetched",
                                    "assignment.pdf": "fetched", "secret.pdf": "restricted",
                                    "withdrawn.pdf": "withdrawn"}
        files = [(p, h.get("If-None-Match")) for p, _, h in requests if p.startswith("/files/")]
        asked = {p for p, _ in files}
        assert "/files/protocol.pdf" not in asked and "/files/report.pdf" not in asked   # same checksum: not asked
        assert any(p == "/files/letter.txt" and etag for p, etag in files)             # no checksum: 304
        assert second.watermark.isoformat() == "2024-10-01T09:30:00+00:00"

        requests.clear()
        warm = fetch_source(source, inbox, db_path, policy=FAST)
        assert warm.outcomes == [] and warm.requests == 1                             # listing only
        assert requests[0][1]["oppdatertDatoAfter"] == "2024-10-01T09:30:00Z"

        requests.clear()
        back = fetch_source(source, inbox, db_path, window=(date(2024, 6, 1), date(2024, 6, 30)), policy=FAST)
        assert _by_name(back) == {"secret.pdf": "restricted", "withdrawn.pdf": "withdrawn"}
        search = requests[0][1]
        assert (search["moetedatoAfter"], search["moetedatoBefore"]) == ("2024-06-01T00:00:00Z", "2024-06-30T23:59:59Z")
        assert "oppdatertDatoAfter" not in search

    summary = ingest_paths([inbox], db_path, check_quality=False)
    assert (summary.new, summary.quarantined) == (5, 0)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT watermark FROM source_watermarks WHERE source = 'kristiansand'").fetchone()[0] \
            .isoformat().startswith("2024-10-01T")                                  # the backfill left it
        runs = con.execute("SELECT mode, fetched, not_modified, restricted, withdrawn, failed, requests"
                           " FROM source_runs ORDER BY source_run_id").fetchall()
        assert [r[:6] for r in runs] == [("incremental", 3, 0, 1, 1, 1), ("incremental", 2, 3, 1, 1, 0),
                                         ("incremental", 0, 0, 0, 0, 0), ("backfill", 0, 0, 1, 1, 0)]
        assert runs[2][6] == 1
        assert con.execute("SELECT votes_for || '-' || votes_against FROM agenda_items"
                           " WHERE case_number = '14/25'").fetchone()[0] == "10-1"     # the protocol, read
        assert con.execute("SELECT count(*) FROM grant_allocations").fetchone()[0] > 0  # the letter's grant table
    finally:
        con.close()
