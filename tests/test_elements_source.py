"""The Elements Publikum connector against a local server with its shapes: Tenant header, meetings per year,
handlings per meeting, documents per handling; access-coded documents never asked; lookback and watermark;
a backfill window; and what was ingested."""

from __future__ import annotations

import pytest

import json
from datetime import date

import duckdb

from conftest import HAS_SHARED, SAMPLES_PDF, SAMPLES_TEXT

from kommune_etl.extractors.sources.config import parse_sources
from kommune_etl.extractors.sources.http import HttpPolicy
from kommune_etl.fetch import fetch_source
from kommune_etl.pipeline import ingest_paths
from local_api import Answer, file_answer, json_answer, serve, truncated_answer

if not HAS_SHARED:  # the module reads sample documents as it loads
    pytest.skip("needs the shared materials (../shared)", allow_module_level=True)

FAST = HttpPolicy(min_interval_s=0.0, backoff_s=0.01, retries=2)
TENANT = "840029212_PROD-840029212"
DOCS = {11: (SAMPLES_PDF / "kristiansand_oppvekstutvalget_referat_2025-03-18.pdf").read_bytes(),
        13: (SAMPLES_TEXT / "digitrofi_helseteknologi_frokostmote_oppdragsbrev_2024.txt").read_bytes(),
        21: (SAMPLES_PDF / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.pdf").read_bytes()}
MEETINGS = {2023: [{"MO_ID": 90, "MO_START": "2023-11-20T10:00:00", "MO_NAME": "Kommunestyret"}],
            2024: [{"MO_ID": 100, "MO_START": "2024-02-01T10:00:00", "MO_NAME": "Formannskapet"},
                   {"MO_ID": 101, "MO_START": "2024-05-02T18:00:00", "MO_NAME": "Kommunestyret"}]}
HANDLINGS = {90: [{"Id": 900}], 100: [{"Id": 1000}], 101: [{"Id": 1010}, {"Id": 1011}]}


def _documents(entry_id, *docs):
    return {"RegistryEntry": {"Database": "db-1", "Id": entry_id,
                              "Documents": [{"DocumentDescription": d} for d in docs]}}


DETAILS = {900: _documents(7, {"Id": 21, "DocumentTitle": "Tilskuddsbrev"}),
           1000: _documents(8, {"Id": 10, "DocumentTitle": "Saksframlegg"}),
           1010: _documents(9, {"Id": 11, "DocumentTitle": "Protokoll"},
                            {"Id": 12, "DocumentTitle": "Unntatt offentlighet", "AccessCode": "13"}),
           1011: _documents(10, {"Id": 13, "DocumentTitle": "Oppdragsbrev"},
                            {"Id": 14, "DocumentTitle": "Trukket"})}


HICCUPS = {"throttle": 0, "truncate": 0}      # set per test: how many 429s / truncated bodies to give first


def respond(path, query, headers):
    if headers.get("Tenant") != TENANT:
        return Answer(403, {}, b"unknown tenant")
    if path == "/publikum/api/PredefinedQuery/DmbMeetings":
        if HICCUPS["throttle"]:
            HICCUPS["throttle"] -= 1
            return Answer(429, {"Retry-After": "1"})
        return json_answer(MEETINGS.get(int(query["year"]), []))
    if path.startswith("/publikum/api/DmbHandlings/GetByMeetingId/"):
        return json_answer(HANDLINGS[int(path.rsplit("/", 1)[1])])
    if path.startswith("/publikum/api/DmbHandlings/"):
        return json_answer(DETAILS[int(path.rsplit("/", 1)[1])])
    if path.startswith("/publikum/Documents/ShowDocument/db-1/"):
        doc = int(path.rsplit("/", 1)[1])
        if doc not in DOCS:
            return Answer(404, {})
        if doc == 13 and HICCUPS["truncate"]:
            HICCUPS["truncate"] -= 1
            return truncated_answer(DOCS[doc])
        return file_answer(DOCS[doc], headers, "text/plain" if doc == 13 else "application/pdf")
    return Answer(404, {})


SOURCES = """
[sources.steinkjer]
kind = "elements"
url = "{url}/publikum/"
tenant = "{tenant}"
start = 2024-03-01
lookback_days = 10
"""


def _by_doc(summary):
    return {int(o.url.rsplit("/", 1)[1]): o.status for o in summary.outcomes}


@pytest.mark.slow
def test_elements_meetings_by_year_with_lookback_and_backfill(tmp_path, db_path):
    inbox = tmp_path / "inbox"
    HICCUPS.update(throttle=1, truncate=1)          # the meeting list answers 429 once; one body arrives cut short
    with serve(respond) as (url, requests):
        source = parse_sources(SOURCES.format(url=url, tenant=TENANT))["steinkjer"]
        first = fetch_source(source, inbox, db_path, policy=FAST)
        meeting_lists = [q["year"] for p, q, _ in requests if p.endswith("DmbMeetings")]
        assert meeting_lists[:2] == ["2024", "2024"]                              # 429, Retry-After, asked again
        assert [p for p, _, _ in requests].count("/publikum/Documents/ShowDocument/db-1/10/13") == 2  # retried whole
        # Formannskapet 1 Feb is before start − 10 days: not walked
        assert _by_doc(first) == {11: "fetched", 12: "restricted", 13: "fetched", 14: "withdrawn"}
        assert all(h.get("Tenant") == TENANT for _, _, h in requests)
        assert not any(p.endswith("/12") for p, _, _ in requests)                  # access-coded: never asked
        years = meeting_lists[1:]
        assert years == [str(y) for y in range(2024, date.today().year + 1)]
        assert first.watermark.isoformat() == "2024-05-02T00:00:00+00:00"

        requests.clear()
        second = fetch_source(source, inbox, db_path, policy=FAST)          # 2 May − 10 days: same meeting again
        assert _by_doc(second) == {11: "not_modified", 12: "restricted", 13: "not_modified", 14: "withdrawn"}
        files = [p for p, _, _ in requests if "ShowDocument" in p]
        assert files == ["/publikum/Documents/ShowDocument/db-1/10/14"]       # fetched ids are not asked again

        requests.clear()
        back = fetch_source(source, inbox, db_path, window=(date(2023, 11, 1), date(2023, 12, 31)), policy=FAST)
        assert _by_doc(back) == {21: "fetched"}
        assert [q["year"] for p, q, _ in requests if p.endswith("DmbMeetings")] == ["2023"]

    summary = ingest_paths([inbox], db_path, check_quality=False)
    assert (summary.new, summary.quarantined) == (3, 0)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT watermark::DATE FROM source_watermarks").fetchall() == [(date(2024, 5, 2),)]
        assert con.execute("SELECT mode, window_from, fetched FROM source_runs ORDER BY source_run_id").fetchall() \
            == [("incremental", None, 2), ("incremental", None, 0), ("backfill", date(2023, 11, 1), 1)]
        assert con.execute("SELECT votes_for || '-' || votes_against FROM agenda_items"
                           " WHERE case_number = '14/25'").fetchone()[0] == "10-1"
    finally:
        con.close()


@pytest.mark.slow
def test_cli_backfill_ingests_and_sources_shows_the_watermark(tmp_path, db_path, capsys):
    from kommune_etl.cli import main

    inbox = tmp_path / "inbox"
    with serve(respond) as (url, _):
        config = tmp_path / "sources.toml"
        config.write_text(SOURCES.format(url=url, tenant=TENANT), encoding="utf-8")
        common = ["--sources", str(config), "--inbox", str(inbox), "--db", str(db_path), "--min-interval", "0"]
        assert main(["backfill", "steinkjer", "--from", "2023-11-01", "--to", "2023-11-30", "--ingest", *common]) == 0
        out = capsys.readouterr().out
        assert "steinkjer: 1 fetched, 0 not_modified, 0 restricted, 0 withdrawn, 0 failed" in out
        assert "documents: 1 new" in out
        assert main(["fetch", *common]) == 0
        assert "watermark 2024-05-02" in capsys.readouterr().out
        assert main(["backfill", "nowhere", "--from", "2023-11-01", "--to", "2023-11-30", *common]) == 2
        assert "unknown source(s) nowhere; configured: steinkjer" in capsys.readouterr().err
        assert main(["backfill", "steinkjer", "--from", "2024-01-01", "--to", "2023-01-01", *common]) == 2
    assert main(["sources", "--sources", str(config), "--db", str(db_path), "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["source"], row["kind"], row["mode"], row["fetched"]) == ("steinkjer", "elements", "incremental", 2)
    assert row["watermark"].startswith("2024-05-02")
