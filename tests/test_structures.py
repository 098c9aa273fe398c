"""Structures against the answer keys, plus hand-made variants of the real tables and protocol."""

from __future__ import annotations

from datetime import date
from functools import cache

import duckdb
import pytest

from conftest import GOLD, SAMPLES_PDF, SAMPLES_TEXT
from kommune_etl.contract import document_json
from kommune_etl.evaluate import load_gold
from kommune_etl.models import DocType, Page
from kommune_etl.pipeline import ingest_paths, process_document, read_raw
from kommune_etl.transforms.structures import extract_structures
from kommune_etl.transforms.structures.grants import extract_grants
from kommune_etl.transforms.structures.meetings import extract_meeting

GOLDS = load_gold(GOLD)
PROTOCOL = "kristiansand_oppvekstutvalget_referat_2025-03-18"
LETTERS = ["ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08", "digitrofi_helseteknologi_frokostmote_oppdragsbrev_2024"]
FORMATS = [(SAMPLES_TEXT, ".txt"), (SAMPLES_PDF, ".pdf")]


@cache
def _json(path):
    return document_json(process_document(read_raw(path)))


@pytest.mark.parametrize("folder,suffix", FORMATS)
def test_protocol_matches_its_answer_key(folder, suffix):
    gold = GOLDS[PROTOCOL]["meeting"]
    meeting = _json(folder / f"{PROTOCOL}{suffix}")["meeting"]
    for key in ("body", "municipality", "date", "start", "end", "place", "chair"):
        assert meeting[key] == gold[key], key
    assert [(m["name"], m["party"], m["substitute_for"]) for m in meeting["members_present"]] == [
        (m["name"], m["party"], m["substitute_for"]) for m in gold["members_present"]]
    keys = ("case", "archive_ref", "title", "outcome", "votes_for", "votes_against", "against_parties", "decision_kind")
    assert [{k: i[k] for k in keys} for i in meeting["items"]] == [{k: i[k] for k in keys} for i in gold["items"]]
    proposal_keys = ("by", "outcome", "votes_for", "votes_against", "against_parties")
    assert [[{k: p[k] for k in proposal_keys} for p in i["extra_proposals"]] for i in meeting["items"]] == [
        [{k: p[k] for k in proposal_keys} for p in i["extra_proposals"]] for i in gold["items"]]
    assert all(not i["issues"] for i in meeting["items"])
    assert meeting["secretary"] == "Eva Sand"
    assert {m["party_code"] for m in meeting["members_present"] if m["party"] == "AP"} == {"A"}


@pytest.mark.parametrize("stem", LETTERS)
@pytest.mark.parametrize("folder,suffix", FORMATS)
def test_grant_tables_match_their_answer_keys(stem, folder, suffix):
    gold = GOLDS[stem]
    found = _json(folder / f"{stem}{suffix}")
    keys = ("recipient", "recipient_code", "recipient_level", "column", "amount_nok", "project_number", "year")
    assert [tuple(g[k] for k in keys) for g in found["grants"]] == [tuple(g[k] for k in keys) for g in gold["grants"]]
    total_keys = ("column", "stated_sum", "computed_sum_of_rows", "consistent")
    assert [tuple(t[k] for k in total_keys) for t in found["table_totals"]] == [
        tuple(t[k] for k in total_keys) for t in gold["table_totals"]]


def test_digitrofi_sum_is_off_by_one_krone():
    (total,) = _json(SAMPLES_TEXT / f"{LETTERS[1]}.txt")["table_totals"]
    assert (total["stated_sum"], total["computed_sum_of_rows"], total["difference"]) == (36683801, 36683802, -1)


def _ks_table_pages() -> tuple[Page, ...]:
    return process_document(read_raw(SAMPLES_TEXT / f"{LETTERS[0]}.txt")).pages


def test_a_wrong_sum_is_flagged_with_its_difference():
    pages = tuple(Page(p.number, p.text.replace("SUM\t21 957 778", "SUM\t21 958 778")) for p in _ks_table_pages())
    _, totals = extract_grants(pages, date(2023, 5, 8))
    weighted = next(t for t in totals if t.column == "Vektet fordeling")
    assert (weighted.consistent, weighted.difference) == (False, 1000)


def test_a_missing_cell_is_read_by_position_and_flagged():
    pages = tuple(Page(p.number, p.text.replace("Oslo\t1 447 130\t1 390 000\t1 390 000", "Oslo\t1 447 130\t\t1 390 000"))
                  for p in _ks_table_pages())
    assert "Oslo\t1 447 130\t\t1 390 000" in pages[0].text
    grants, totals = extract_grants(pages, date(2023, 5, 8))
    oslo = {g.column: g.amount_nok for g in grants if g.recipient == "Oslo"}
    assert oslo == {"Vektet fordeling": 1447130, "TILSKUDD 2023": 1390000}  # the application cell is empty
    applied = next(t for t in totals if t.column == "SØKNADSSUM 2023")
    assert (applied.consistent, applied.difference) == (False, 1390000)


def test_a_county_split_over_a_page_break_keeps_its_municipal_rows():
    pages = (Page(1, "Fylke\tVektet fordeling\tSØKNADSSUM 2023\tTILSKUDD 2023\n"
                     "<b>Agder</b>\t<b>1 400 904</b>\t1 526 000\t(1 526 000)\nGrimstad\t\t\t967 000"),
             Page(2, "Kristiansand\t\t\t559 000\n<b>SUM</b>\t<b>1 400 904</b>\t<b>1 526 000</b>\t<b>1 526 000</b>"))
    grants, totals = extract_grants(pages, date(2023, 5, 8))
    kristiansand = next(g for g in grants if g.recipient == "Kristiansand")
    assert (kristiansand.recipient_level, kristiansand.recipient_code, kristiansand.page) == ("municipality", "4204", 2)
    assert all(t.consistent for t in totals) and len(totals) == 3


def test_more_votes_than_members_is_a_quality_issue_not_a_crash():
    text = (SAMPLES_TEXT / f"{PROTOCOL}.txt").read_text(encoding="utf-8").replace("(10/1)", "(12/3)")
    meeting = extract_meeting((Page(1, text),), date(2025, 3, 18))
    item = next(i for i in meeting.items if i.case == "14/25")
    assert (item.votes_for, item.votes_against) == (10, 1)  # the Voteringer line wins over the marker
    text = text.replace("vedtatt med 10 mot 1 stemme (PP)", "vedtatt med 12 mot 3 stemmer (PP, MDG)")
    item = next(i for i in extract_meeting((Page(1, text),), date(2025, 3, 18)).items if i.case == "14/25")
    assert "decision: 12 for + 3 against = 15 > 11 members present" in item.issues
    assert any("MDG" in issue for issue in item.issues)


def test_letter_header_deadlines_and_project_number():
    letter = _json(SAMPLES_PDF / f"{LETTERS[0]}.pdf")["letter"]
    assert (letter["our_reference"], letter["case_handler"], letter["date"], letter["sender"]) == (
        "23/02307-5", "Kristin Standal", "2023-05-08", "KS")
    assert letter["recipients"] == ["Karmøy kommune"]
    assert {d["date"] for d in letter["deadlines"]} >= {"2024-01-15", "2023-05-15"}
    assert letter["project_numbers"] == ["102265"]


def test_annual_report_sections():
    report = _json(SAMPLES_PDF / "ikt_orkide_arsmelding_2023_faggrupper.pdf")["report"]
    assert report["year"] == 2023
    assert [(s["title"], s["leader"]) for s in report["sections"]] == [
        ("10.1 Stab støtte", "Pål Ranes"), ("10.2 Teknisk", None), ("10.3 Helse og omsorg", None), ("10.4 Oppvekst", None)]
    assert report["sections"][0]["coordinator"] == "Torgrim Sjåvik"
    statuses = {status for s in report["sections"] for _, status in s["initiatives"] if status}
    assert {"gjennomført", "tatt i bruk"} <= statuses


@pytest.mark.slow  # a whole ingest or a subprocess: the full suite runs it (fast tier < 2 min)
def test_structures_land_in_the_warehouse_and_views(db_path):
    ingest_paths([SAMPLES_PDF], db_path)
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT body, municipality, members_present FROM meetings").fetchall() == [("Oppvekstutvalget", "4204", 11)]
    assert con.execute("SELECT count(*) FROM meeting_attendance WHERE role = 'administration'").fetchone()[0] == 8
    assert con.execute("SELECT outcome, votes_for, votes_against FROM agenda_items WHERE case_number = '14/25'"
                       ).fetchone() == ("majority", 10, 1)
    assert con.execute("SELECT against_party FROM votes_by_party WHERE case_number = '14/25'").fetchall() == [("PP",)]
    assert con.execute("SELECT proposed_by, outcome FROM proposals WHERE case_number = '16/25'"
                       ).fetchall() == [("Arve Stokkelien (H)", "adopted")]
    viken = con.execute("SELECT year, county_code, historical_code, amount_nok, comparable_2024_codes FROM grants_by_county_year"
                        " WHERE county = 'Viken' AND column_meaning IN ('granted', 'to_distribute') ORDER BY year").fetchall()
    assert viken == [(2023, "30", None, 2856532, ["31", "32", "33"]), (2024, None, "30", 4734462, ["31", "32", "33"])]
    assert con.execute("SELECT count(*) FROM grant_allocations").fetchone()[0] == 49
    assert con.execute("SELECT consistent, difference FROM table_totals WHERE column_name = 'Til fordeling'").fetchone() == (False, -1)
    mentions = con.execute("SELECT documents FROM municipality_mentions WHERE kommunenummer = '4204' AND doc_type = 'protocol'").fetchone()
    assert mentions == (1,)
    con.close()


def test_non_protocols_have_no_meeting():
    result = process_document(read_raw(SAMPLES_TEXT / "kdd_digitalisering_orientering_kommunesektoren_2022.txt"))
    structures = extract_structures(result.pages, DocType.LETTER, date(2022, 7, 1))
    assert structures.meeting is None and structures.grants == ()


def test_a_letters_signers_are_read_after_the_greeting():
    from kommune_etl.transforms.structures.letters import signers

    text = ("på nettsidene. \r\nMed hilsen\r\nSiri Dolven (e.f.)\r\navdelingsdirektør\r\nMarie Svendsen Mjøsund\r\nseniorrådgiver\r\n"
            "Dokumentet er elektronisk signert og har derfor ikke håndskrevne signaturer\r\nKopi\r\nMarianne Aasen\r\n")
    assert signers(text) == (("Siri Dolven", "avdelingsdirektør"), ("Marie Svendsen Mjøsund", "seniorrådgiver"))
    ks = "Med vennlig hilsen\n\nKristin Weidemann Wieland  \nOmrådedirektør FID\n\nTerje Wistner  \nAvdelingsdirektør eHelse\n"
    assert signers(ks) == (("Kristin Weidemann Wieland", "Områdedirektør FID"), ("Terje Wistner", "Avdelingsdirektør eHelse"))
    assert signers("Venleg helsing\nKari Nordmann\nrådgjevar\n") == (("Kari Nordmann", "rådgjevar"),)
