"""Real suites on real data: the samples pass without errors; hand-corrupted variants are caught by the
intended expectation with the intended severity; quarantined documents stay out of the analytic tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLES_TEXT
from kommune_etl.models import RawDocument, Status
from kommune_etl.pipeline import ingest_paths, process_document, read_raw, validate
from kommune_etl.transforms.pii import find_pii, is_fodselsnummer, is_orgnr, mask

KS = SAMPLES_TEXT / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.txt"
PROTOCOL = SAMPLES_TEXT / "kristiansand_oppvekstutvalget_referat_2025-03-18.txt"
VALID_FNR = "01019010046"  # synthetic: born 1 Jan 1990, control digits valid


def _variant(path, *replacements: str) -> RawDocument:
    text = path.read_text(encoding="utf-8")
    for old, new in zip(replacements[::2], replacements[1::2]):
        assert old in text
        text = text.replace(old, new, 1)
    return RawDocument(text.encode("utf-8"), f"{path.stem}-variant.txt")


def _failed(raw: RawDocument):
    result, validation = validate(process_document(raw))
    return result, {(c.check, c.severity) for c in validation.results if not c.success}


def _said(raw: RawDocument):
    """The document's result and what each failed check says (its `observed`), by check name."""
    result, validation = validate(process_document(raw))
    return result, {c.check: c.observed for c in validation.results if not c.success}


@pytest.mark.parametrize("path", sorted(SAMPLES_TEXT.glob("*.txt")), ids=lambda p: p.stem[:20])
def test_samples_pass_with_no_errors(path):
    result, validation = validate(process_document(read_raw(path)))
    assert result.status is Status.OK and validation.errors == []


def test_a_grant_sum_off_by_1000_is_a_warning():
    result, failed = _failed(_variant(KS, "<b>SUM</b>\t<b>21 957 778</b>", "<b>SUM</b>\t<b>21 958 778</b>"))
    assert ("sum_reconciles", "warning") in failed and result.status is Status.OK


def test_more_votes_than_members_is_a_warning():
    raw = _variant(PROTOCOL, "(10/1)", "(12/3)", "vedtatt med 10 mot 1 stemme (PP)", "vedtatt med 12 mot 3 stemmer (PP)")
    result, failed = _failed(raw)
    assert ("votes_within_members_present", "warning") in failed and result.status is Status.OK
    # issue 20, point 4: what was wrong and where, in words
    assert _said(raw)[1]["votes_within_members_present"] == \
        "agenda item 14/25 on page 1: 12 for and 3 against make 15 votes, more than the 11 members present"


def test_an_amount_of_10_to_the_15_kroner_is_an_error():
    result, failed = _failed(_variant(KS, "tilskudd til frikjøp", "tilskudd på 1 000 000 000 000 000 kroner til frikjøp"))
    assert ("amount_in_range", "error") in failed
    assert result.status is Status.QUARANTINED and "entities.amount_in_range" in result.error.message


def test_a_date_in_2099_is_a_warning():
    _, failed = _failed(_variant(KS, "senest 15. mai 2023", "senest 15. mai 2099"))
    assert ("date_near_document_date", "warning") in failed


def test_a_municipality_that_did_not_exist_at_the_document_date_is_a_warning():
    # Søgne merged into Kristiansand in 2020: in a 2023 letter it has no valid code
    result, failed = _failed(_variant(KS, "Grimstad\t\t\t967 000", "Søgne kommune\t\t\t967 000"))
    assert ("place_code_resolved", "warning") in failed
    assert ("MUNICIPALITY", None) in {(e.label, e.value) for e in result.entities if e.text == "Søgne"}


def test_a_document_dated_in_the_future_is_an_error():
    from datetime import date, datetime, timezone

    result, said = _said(_variant(KS, "Dato: 08.05.2023", "Dato: 08.05.2099"))
    assert "document_date_not_in_future" in said and result.status is Status.QUARANTINED
    days = f"{(date(2099, 5, 8) - datetime.now(timezone.utc).date()).days:,}".replace(",", " ")
    assert said["document_date_not_in_future"] == (f"the document is dated 2099-05-08, {days} days ahead, and is no "
                                                   "notice, plan or budget (which may be dated ahead)")
    assert f"(observed: {said['document_date_not_in_future']})" in result.error.message


def test_a_grant_recipient_that_is_no_place_is_named_by_page_row_and_value():
    """Issue 20, point 4: the warning said `recipient '156': recipient_resolved=False`, with no page or row. Grimstad
    is the 15th line of KS's table (Oslo, Viken and its six municipalities, Innlandet, …, Agder, then Grimstad)."""
    result, said = _said(_variant(KS, "Grimstad\t\t\t967 000", "156\t\t\t967 000"))
    assert result.status is Status.OK
    assert said["recipient_code_resolved"] == "grant table on page 1, row 15: recipient '156' is not a place"


def test_a_recipient_twice_in_one_column_is_an_error_that_names_both_rows():
    """The key check read `recipient 'Grimstad': key=<sha256>|Grimstad|TILSKUDD 2023|None`; now it is GX's compound
    uniqueness on the real columns, and says which rows hold the recipient twice."""
    result, said = _said(_variant(KS, "Kristiansand\t\t\t559 000", "Grimstad\t\t\t559 000"))
    assert result.status is Status.QUARANTINED and result.error.code == "quality_failed"
    assert said["no_duplicate_recipient_column"] == (
        "grant table on page 1, row 15: recipient 'Grimstad' appears twice in column 'TILSKUDD 2023'; "
        "grant table on page 1, row 16: recipient 'Grimstad' appears twice in column 'TILSKUDD 2023'")


def test_more_failing_rows_than_are_named_are_counted():
    from kommune_etl.quality.messages import listed

    assert listed([f"row {i}" for i in range(1, 8)]) == "row 1; row 2; row 3; row 4; row 5; and 2 more"
    assert listed(["row 1"]) == "row 1"


def test_every_check_has_a_sentence_naming_only_what_its_frame_holds(tmp_path):
    """Issue 20, point 4: every failed check says in words what was wrong and where. A check without a sentence, or
    a sentence naming a value its frame does not hold, fails here (not in a night's run)."""
    import string

    from kommune_etl.quality.messages import SENTENCES
    from kommune_etl.quality.run_size import BAND, run_size_checks
    from kommune_etl.quality.suites import QualitySettings, suite_specs
    from kommune_etl.quality.validate import FRAMES
    from kommune_etl.quality.warehouse_checks import warehouse_frames, warehouse_specs
    from kommune_etl.warehouse.connection import open_warehouse

    result = process_document(read_raw(KS))
    columns = {suite: set(build(result).columns) | {"sha256"} for suite, build in FRAMES.items()}
    con = open_warehouse(tmp_path / "w.duckdb")
    run_id = con.execute("INSERT INTO runs (command, started_at, pipeline_version) VALUES ('test', now(), 'test')"
                         " RETURNING run_id").fetchone()[0]
    columns |= {suite: set(frame.columns) for suite, frame in warehouse_frames(con, run_id).items()}
    con.close()
    band = {"documents_seen": 0, "previous_median": 4, "zero_after_documents": True, "ratio_to_previous": 0.0}
    specs = [(suite, check, kwargs) for suite, checks in {**suite_specs(QualitySettings()), **warehouse_specs()}.items()
             for check, _, _, kwargs in checks]
    names = [check for _, check, _ in specs] + [check for check, *_ in run_size_checks(band)]
    assert sorted(set(names)) == sorted(SENTENCES)          # every check has one, and no sentence outlives its check
    assert len(names) == len(set(names)) + 2                # the run-size guard's two checks, worded with or without GX
    for suite, check, kwargs in specs:
        fields = {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(SENTENCES[check]) if field}
        assert fields <= columns[suite] | set(kwargs) | {"value"}, (check, fields - columns[suite] - set(kwargs))
    assert {c: o for c, _, ok, o in run_size_checks(band | {"previous_median": 4.0}) if not ok} == {
        "run_not_empty_after_documents": "the run saw no documents, where the last runs of its command saw 4 (median)",
        "run_size_within_band": f"the run saw 0 documents, 0.00 times the median of the last runs of its command (4); "
                                f"expected {BAND[0]:g}–{BAND[1]:g} times"}


def test_a_notice_of_a_coming_meeting_is_not_quarantined_for_its_date():
    """Issue 20: a møteinnkalling is dated ahead by nature (the meeting is still to come)."""
    from datetime import date, timedelta

    from kommune_etl.models import RawDocument
    from kommune_etl.pipeline import process_document, validate

    coming = date.today() + timedelta(days=20)
    notice = (f"Steinkjer kommune\nMøteinnkalling\n\nUtvalg: Formannskapet\nMøtested: Rådhuset\n"
              f"Møtedato: {coming:%d.%m.%Y}\nTid: 10:00\n\nSaksliste\n\nPS 12/26 Budsjettjustering\n"
              "PS 13/26 Høring om skolestruktur\n\nForfall meldes til politisk sekretariat.\n").encode()
    result, validation = validate(process_document(RawDocument(notice, "innkalling.txt")))
    assert result.document_date == coming
    assert result.status is Status.OK
    assert "document_date_not_in_future" not in {c.check for c in validation.errors}


@pytest.mark.parametrize("heading, quarantined", [
    ("Levanger kommune\nKommuneplanens samfunnsdel 2027-2039\nHøringsutkast", False),   # a plan (issue 20, point 4)
    ("Levanger kommune\nBudsjett 2027 og økonomiplan 2027-2030\nRådmannens forslag", False),
    ("Volda kommune\nInnkalling til møte i Kommunestyret", False),                          # nynorsk notice
    # a protocol records a meeting held: its date ahead is a misread, though its first item approves the notice
    ("Steinkjer kommune\nMøteprotokoll\nUtvalg: Formannskapet\nSak 1/27 Godkjenning av innkalling og saksliste", True),
    ("Hovedutvalg plan næring og miljøs behandling av sak 1/2027 i møte den {date}:", True),  # `plan` names the body
])
def test_a_date_ahead_is_normal_for_plans_and_notices_but_not_for_protocols(heading, quarantined):
    from datetime import date, timedelta

    coming = date.today() + timedelta(days=90)
    text = (heading.format(date=f"{coming:%d.%m.%Y}") + f"\nDato: {coming:%d.%m.%Y}\n\nKommunestyret i kommunen "
            "behandler saken om tilskudd til kulturhuset og skolen for perioden.\n")
    result, validation = validate(process_document(RawDocument(text.encode(), "coming.txt")))
    assert result.document_date == coming
    failed = {c.check for c in validation.errors}
    assert ("document_date_not_in_future" in failed) is quarantined, (heading, failed)
    assert (result.status is Status.QUARANTINED) is quarantined


def test_a_valid_fodselsnummer_is_masked_and_warned_but_orgnr_is_kept():
    raw = _variant(KS, "Saksbehandler: Kristin Standal",
                   f"Saksbehandler: Kristin Standal (fnr. {VALID_FNR}, kristin.s@gmail.com, org.nr. 971 032 146)")
    result, failed = _failed(raw)
    assert ("no_personal_data", "warning") in failed
    text = result.pages[0].text
    assert VALID_FNR not in text and "*" * 11 in text and "kristin.s@gmail.com" not in text
    assert "971 032 146" in text  # KS's organisation number is not personal data
    assert {kind for _, kind in result.pii} == {"fodselsnummer", "private_email"}


def test_fodselsnummer_control_digits():
    assert is_fodselsnummer(VALID_FNR) == "fodselsnummer"
    assert is_fodselsnummer("01019010047") is None  # wrong second control digit
    assert is_fodselsnummer("41019010046") is None  # day+40 changes the control digits
    assert is_orgnr("971032146") and not is_orgnr("971032147")
    text = f"id {VALID_FNR} tlf 912 34 567"
    masked = mask(text, find_pii(text))
    assert len(masked) == len(text) and "912 34 567" not in masked and masked.startswith("id ***********")
    # vote counts in a table row are not a phone number (Lillestrøm 2019, page 19)
    assert find_pii("Arbeiderpartiet 3 300 8 487 11 787") == []
    assert [f.kind for f in find_pii("ring meg på 91234567")] == ["mobile_phone"]


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_quarantined_documents_stay_out_of_analytic_tables_and_are_reported(db_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bad = _variant(KS, "Dato: 08.05.2023", "Dato: 08.05.2099")
    (inbox / "future.txt").write_bytes(bad.content)
    (inbox / "fine.txt").write_bytes(PROTOCOL.read_bytes())
    summary = ingest_paths([inbox], db_path)
    assert (summary.new, summary.quarantined) == (1, 1)
    con = duckdb.connect(str(db_path), read_only=True)
    status = con.execute("SELECT status FROM documents WHERE source LIKE '%future.txt'").fetchone()
    assert status == ("quarantined",)
    assert con.execute("SELECT stage, reason_code FROM quarantine").fetchall() == [("validate", "document_date_not_in_future")]
    assert con.execute("SELECT count(*) FROM entities e JOIN documents d USING (sha256) WHERE d.status <> 'ok'").fetchone() == (0,)
    assert con.execute("SELECT documents, documents_with_errors FROM quality_runs").fetchall() == [(2, 1)]
    docs = con.execute("SELECT data_docs FROM quality_runs").fetchone()[0]
    con.close()
    index = db_path.parent / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert docs == index.as_uri() and index.exists()  # GX Data Docs of this warehouse, file mode
    validations = list((index.parent / "validations").rglob("*.html"))
    assert {p.parts[-4] for p in validations} >= {"documents", "entities", "items", "grants"}
    out = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "quality", "--db", str(db_path), "--format", "csv"],
                         capture_output=True, text=True, timeout=120)
    assert "1 with errors" in out.stdout
    assert "error,documents.document_date_not_in_future,future.txt,1," in out.stdout


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_a_run_with_errors_alerts_the_webhook_and_smtp_sink_once(db_path, tmp_path):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from aiosmtpd.controller import Controller

    from kommune_etl.quality.alerts import AlertSettings

    posted = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    http = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    import socket

    with socket.socket() as probe:  # aiosmtpd checks readiness by connecting, so it needs a real port
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        (inbox / "future.txt").write_bytes(_variant(KS, "Dato: 08.05.2023", "Dato: 08.05.2099").content)
        (inbox / "fine.txt").write_bytes(PROTOCOL.read_bytes())
        settings = AlertSettings(webhook_url=f"http://127.0.0.1:{http.server_port}/hook", smtp_host="127.0.0.1",
                                 smtp_port=smtp_port, mail_to=("steward@kommune.no",))
        summary = ingest_paths([inbox], db_path, alerts=settings)
        assert summary.alerted == ["log", "webhook", "smtp"]
        assert len(posted) == 1
        assert "1 document(s) quarantined" in posted[0]["text"] and "future.txt" in posted[0]["text"]
        assert "document_date_not_in_future" in posted[0]["text"] and "kommune-etl quality --run 1" in posted[0]["text"]
        assert "Data Docs: file://" in posted[0]["text"]
        (recipients, content), = sink.messages
        assert recipients == ["steward@kommune.no"]
        assert "Subject: kommune-etl: 1 document(s) quarantined in run 1" in content and "future.txt" in content
        assert ingest_paths([inbox], db_path, alerts=settings).alerted == []  # nothing new: no second alert
        assert len(posted) == 1
    finally:
        http.shutdown()
        smtp.stop()


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_warehouse_checks_pass_then_catch_an_empty_run_and_orphans(db_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(PROTOCOL.read_bytes())
    ingest_paths([inbox], db_path)
    con = duckdb.connect(str(db_path), read_only=True)
    failed = con.execute("SELECT check_name FROM quality_results WHERE sha256 = '' AND NOT success").fetchall()
    assert failed == [] and con.execute("SELECT count(*) FROM quality_results WHERE sha256 = ''").fetchone()[0] == 8
    con.close()
    (inbox / "a.txt").unlink()
    empty = tmp_path / "empty"
    empty.mkdir()
    summary = ingest_paths([empty], db_path)  # the source had documents; now it yields none
    con = duckdb.connect(str(db_path))
    assert set(con.execute("SELECT check_name, severity FROM quality_results WHERE run_id = ? AND NOT success",
                           [summary.run_id]).fetchall()) == {("run_not_empty_after_documents", "error"),
                                                             ("run_size_within_band", "warning")}
    assert summary.alerted == ["log"]  # an alert, though no document was quarantined
    con.execute("INSERT INTO entities (sha256, page_number, label, text, value, start_char, end_char, source)"
                " VALUES ('deadbeef', 1, 'DATE', 'x', '\"2025-01-01\"', 0, 1, 'rules')")
    from kommune_etl.quality.warehouse_checks import check_warehouse

    failed = {c.check: c.observed for c in check_warehouse(con, summary.run_id) if not c.success}
    assert failed["no_orphan_entities"] == "1 row(s) in table entities belong to no document (their sha256 is not in documents)"
    assert con.execute("SELECT observed FROM quality_results WHERE run_id = ? AND check_name = 'run_not_empty_after_documents'"
                       " AND NOT success", [summary.run_id]).fetchone() == (
        "the run saw no documents, where the last runs of its command saw 1 (median)",)
    con.close()


def test_masking_can_be_switched_off(db_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fnr.txt").write_bytes(_variant(KS, "Saksbehandler: Kristin Standal", f"Saksbehandler: Kristin Standal {VALID_FNR}").content)
    ingest_paths([inbox], db_path, mask_pii=False)
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT count(*) FROM pages WHERE text LIKE ?", [f"%{VALID_FNR}%"]).fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM quality_issues WHERE check_name = 'no_personal_data'").fetchone() == (1,)
    con.close()


def _validate_in_child(root, result, queue):
    from kommune_etl.quality.validate import Validator

    try:
        validator = Validator(root=root)
        queue.put(sum(c.success for _ in range(3) for c in validator.validate(result).results))
    except Exception as exc:
        queue.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_processes_sharing_one_gx_project_validate_side_by_side(tmp_path):
    """The DAG's mapped tasks (and Celery workers) validate in one GX file project at once; found by the
    CeleryExecutor run: 'ExpectationSuite has changed since it has last been saved'."""
    import multiprocessing

    result = process_document(read_raw(SAMPLES_TEXT / "kristiansand_oppvekstutvalget_referat_2025-03-18.txt"))
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_validate_in_child, args=(tmp_path, result, queue)) for _ in range(4)]
    for w in workers:
        w.start()
    outcomes = [queue.get(timeout=240) for _ in workers]
    for w in workers:
        w.join(30)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert len(set(outcomes)) == 1 and outcomes[0] > 0          # every process ran every check, same results


def test_severity_is_in_gx_own_field():
    """Issue 20: severity sat only in `meta`, so GX called every expectation critical (Data Docs: "Failed")."""
    from kommune_etl.quality.suites import QualitySettings, suite_specs
    from kommune_etl.quality.validate import default_validator

    validator = default_validator()
    ours = {check: severity for specs in suite_specs(QualitySettings()).values() for check, severity, *_ in specs}
    seen = {}
    for suite in ("documents", "entities", "votes"):
        for expectation in validator.context.suites.get(suite).expectations:
            seen[expectation.meta["check"]] = str(expectation.severity.value)
    assert seen["document_date_not_in_future"] == "critical" and ours["document_date_not_in_future"] == "error"
    assert seen["no_personal_data"] == "warning" and seen["roll_call_reconciles"] == "warning"
    assert all({"error": "critical"}.get(ours[c], ours[c]) == s for c, s in seen.items())


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_gx_results_are_named_by_run_and_kept_to_a_limit(tmp_path, monkeypatch):
    """Issue 20: results were stored under the run name `__none__` and kept for ever (a rebuild of Data Docs grew
    linearly with history)."""
    from conftest import SAMPLES_TEXT
    from kommune_etl.pipeline import ingest_paths

    monkeypatch.setenv("KOMMUNE_ETL_GX_KEEP_RUNS", "2")
    db = tmp_path / "wh" / "warehouse.duckdb"
    first = sorted(SAMPLES_TEXT.glob("*.txt"))[0]
    runs, site = [], db.parent / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations" / "documents"
    for i in range(4):
        inbox = tmp_path / f"inbox{i}"
        inbox.mkdir()
        (inbox / "doc.txt").write_text(first.read_text(encoding="utf-8") + f"\nVersjon {i}.\n", encoding="utf-8")
        runs.append(ingest_paths([inbox], db).run_id)
        if i == 2:  # issue 21: a later run renders its own results, not the kept ones again
            third = {page: page.stat().st_mtime_ns for page in site.rglob("*.html")}
    assert all(page.stat().st_mtime_ns == mtime for page, mtime in third.items() if page.exists())
    index = (site.parents[1] / "index.html").read_text(encoding="utf-8")
    assert f"kommune-etl-run-{runs[-1]}" in index and f"kommune-etl-run-{runs[-2]}" in index
    assert f"kommune-etl-run-{runs[0]}<" not in index and f"kommune-etl-run-{runs[0]}/" not in index
    store = db.parent / "gx" / "uncommitted" / "validations" / "documents"
    names = sorted(p.name for p in store.iterdir())
    assert "__none__" not in names and set(names) <= {f"kommune-etl-run-{r}" for r in runs}
    assert sum(1 for run in store.iterdir() for _ in run.iterdir()) == 2          # the newest two results
    assert {p.name for p in store.iterdir()} == {f"kommune-etl-run-{r}" for r in runs[-2:]}
    assert sum(1 for _ in site.rglob("*.html")) == 2


def _page_assets(page):
    """The scripts, stylesheets and images a Data Docs page loads, as written in its HTML."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return ([s["src"] for s in soup.find_all("script", src=True)]
            + [link["href"] for link in soup.find_all("link", href=True) if "stylesheet" in (link.get("rel") or [])]
            + [img["src"] for img in soup.find_all("img", src=True)]), soup


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_data_docs_render_offline_with_the_results_in_static_html(db_path, tmp_path):
    """Issue 20: the index built its table with bootstrap-table from a CDN (offline: an empty page) and every page
    took Bootstrap, jQuery and Font Awesome from CDNs. Now each page loads only files inside the site, and the
    index lists every validation result, linked, in its HTML."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "future.txt").write_bytes(_variant(KS, "Dato: 08.05.2023", "Dato: 08.05.2099").content)
    (inbox / "fine.txt").write_bytes(PROTOCOL.read_bytes())
    run_id = ingest_paths([inbox], db_path).run_id
    site = db_path.parent / "gx" / "uncommitted" / "data_docs" / "local_site"
    index = site / "index.html"
    failed = next((site / "validations" / "documents").rglob("*.html"))   # the future-dated document fails here
    suite_page = site / "expectations" / "documents.html"
    for page in (index, failed, suite_page):
        assets, soup = _page_assets(page)
        assert len(assets) >= 5, page                                  # 2 stylesheets, 2 scripts, the logo
        assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], page
        for asset in assets:                                           # and each is there, beside the page
            assert (page.parent / asset).resolve().is_file(), (page, asset)
        assert {Path(a).name for a in assets} >= {"bootstrap.min.css", "jquery.min.js", "bootstrap.bundle.min.js",
                                                   "logo-long.png"}
        assert "bootstrapTable" not in soup.decode()

    _, soup = _page_assets(index)
    table = soup.find("table", class_="ge-index-page-validation-results-table")
    headers = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    assert headers == ["Status", "Run Time", "Run Name", "Asset Name", "Batch ID", "Expectation Suite"]
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = tr.find_all("td")
        page = site / cells[1].find("a")["href"]                        # the row links to its result page
        assert page.is_file()
        rows[cells[3].get_text(strip=True)] = (cells[0].find("i")["class"], cells[2].get_text(strip=True), page)
    assert {"documents", "entities", "items", "grants", "warehouse_documents"} <= set(rows)
    assert {run for _, run, _ in rows.values()} == {f"kommune-etl-run-{run_id}"}
    assert "fa-times" in rows["documents"][0] and "fa-check-circle" in rows["grants"][0]
    assert rows["documents"][2] == failed
    # the local stylesheet draws GX's status icons (Font Awesome's were the CDN's)
    css = (site / "static" / "offline" / "offline.css").read_text(encoding="utf-8")
    assert ".fas.fa-times::before" in css and ".fas.fa-check-circle::before" in css


@pytest.mark.slow
def test_a_validation_logs_no_info_line_from_gx(tmp_path):
    """Issue 20: each task logged ~216 lines of GX noise (its import registering API docs at INFO). A fresh process
    with logging at INFO, as Airflow's task runner and the CLI have it, validates a document in a file project."""
    code = f"""
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="LOG %(name)s %(levelname)s %(message)s")
from kommune_etl.pipeline import process_document, read_raw
from kommune_etl.quality.validate import Validator
result = process_document(read_raw(__import__("pathlib").Path({str(PROTOCOL)!r})))
validation = Validator(root=__import__("pathlib").Path({str(tmp_path)!r})).validate(result)
logging.getLogger("kommune_etl.test").info("validated %d checks", len(validation.results))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("LOG ")]
    assert any(line.startswith("LOG kommune_etl.test INFO validated ") and int(line.split()[-2]) > 10 for line in lines)
    gx = [line for line in lines if line.startswith("LOG great_expectations")]
    assert not [line for line in gx if line.split()[2] in ("DEBUG", "INFO")], gx[:5]
    assert (tmp_path / "gx" / "uncommitted" / "validations").is_dir()   # it did validate, into the file project
    assert "Calculating Metrics" not in done.stderr                     # nor GX's progress bars


def test_gx_logs_are_quieted_to_warnings_unless_the_caller_chose_fewer():
    import logging

    from kommune_etl.quality.validate import quiet_gx_logs

    logger = logging.getLogger("great_expectations")
    before = logger.level
    try:
        logger.setLevel(logging.NOTSET)
        quiet_gx_logs()
        assert logger.level == logging.WARNING
        logger.setLevel(logging.ERROR)                  # e.g. a DAG task's own choice
        quiet_gx_logs()
        assert logger.level == logging.ERROR
    finally:
        logger.setLevel(before)


LEAN_RUN = """
import sys
from pathlib import Path
from kommune_etl.pipeline import ingest_paths
summary = ingest_paths([Path(sys.argv[1])], Path(sys.argv[2]))
heavy = sorted(m for m in ("spacy", "great_expectations", "kommune_etl.transforms.nlp", "kommune_etl.transforms.structures")
               if m in sys.modules)
print("RESULT", summary.new, summary.unchanged, ",".join(heavy) or "-")
"""


@pytest.mark.slow  # two ingests in fresh processes
def test_a_run_with_nothing_new_imports_no_language_pipeline_or_gx_and_still_guards_its_size(tmp_path):
    """Issue 21: an idle night costs what opening the warehouse costs. It validates nothing, so it imports
    neither spaCy nor GX, and still records the run-size guard (the check a silent night needs)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(PROTOCOL.read_bytes())
    db = tmp_path / "w.duckdb"

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", LEAN_RUN, str(inbox), str(db)], capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        return next(line for line in done.stdout.splitlines() if line.startswith("RESULT")).split()[1:]

    assert run() == ["1", "0", "great_expectations,kommune_etl.transforms.nlp,kommune_etl.transforms.structures,spacy"]
    assert run() == ["0", "1", "-"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT check_name, severity, success FROM quality_results WHERE run_id = 2 ORDER BY 1").fetchall() \
        == [("run_not_empty_after_documents", "error", True), ("run_size_within_band", "warning", True)]
    assert con.execute("SELECT data_docs LIKE 'file://%index.html' FROM quality_runs WHERE run_id = 2").fetchone() == (True,)
    con.close()
