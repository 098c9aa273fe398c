"""Cases across meetings: case documents and handlings in several bodies linked by archive case or by the text passed on."""

from __future__ import annotations

import duckdb
import pytest

from conftest import SHARED
from kommune_etl.pipeline import ingest_paths
from kommune_etl.transforms.cases import Handling, fingerprint, link_cases
from kommune_etl.transforms.structures.case_documents import extract_case_document

STEINKJER = SHARED / "corpus" / "protocols" / "steinkjer"


def test_handlings_join_by_archive_case_or_by_the_recommendation_passed_on():
    recommendation = "1.Innherredsbyen som satsing i et partnerskap videreføres også etter 2027."
    links = {link.key: link for link in link_cases([
        Handling("fs", None, None, (recommendation, "")), Handling("ks", None, None, ("1. Innherredsbyen som satsing i et "
                                                                                     "partnerskap videreføres også etter 2027.",)),
        Handling("au", "5006", "2026/1075", ("Tas til orientering",)), Handling("doc", None, "2026/1075-3", ("",)),
        Handling("other", "5006", None, ("Saken tas til orientering",)), Handling("elsewhere", "5037", "2026/1075", ("",))])}
    assert links["fs"].case_id == links["ks"].case_id and links["ks"].rule == "same_text"
    assert links["au"].case_id == links["doc"].case_id and links["doc"].rule == "archive_ref"
    assert links["other"].rule == "alone"  # a short stock phrase joins nothing
    assert links["elsewhere"].case_id != links["au"].case_id  # the same archive number in another municipality
    assert fingerprint("Tas til orientering") is None


def test_a_case_document_gives_its_archive_case_title_bodies_and_proposal():
    case = extract_case_document((STEINKJER / "744266.txt").read_text(encoding="utf-8"))
    assert (case.archive_ref, case.title, case.case_handler) == (
        "2026/309", "Temaplan næring - Handlingsplan og budsjett 2026", "Ingunn Ramdal")
    assert case.bodies == ("Hovedutvalg plan næring og miljø",) and case.meeting_dates == ("27.01.2026",)
    assert case.proposal.startswith("1. Handlingsplan for Temaplan næring 2026 godkjennes som fremlagt.")


@pytest.mark.slow
def test_case_history_links_a_committee_the_executive_board_and_the_council(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("7700.txt", "7701.txt", "744266.txt", "7733.txt", "731677.txt", "7635.txt"):
        (inbox / name).write_bytes((STEINKJER / name).read_bytes())
    db = tmp_path / "wh" / "warehouse.duckdb"
    ingest_paths([inbox], db, check_quality=False)
    con = duckdb.connect(str(db), read_only=True)
    history = con.execute("""SELECT body, case_number, CAST(meeting_date AS VARCHAR), outcome FROM mart_case_history
                             WHERE kind = 'handling' AND case_id = (SELECT case_id FROM case_handlings
                                                                    WHERE case_number = '3/2026' AND body = 'Kommunestyre')
                             ORDER BY step""").fetchall()
    assert history == [("Formannskap", "2/2026", "2026-01-29", "majority"), ("Kommunestyre", "3/2026", "2026-02-04", "majority")]
    budget = con.execute("""SELECT archive_ref, title, handlings, status FROM cases WHERE archive_ref = '2026/309'""").fetchone()
    assert budget == ("2026/309", "Temaplan næring - Handlingsplan og budsjett 2026", 1, "unanimous")
