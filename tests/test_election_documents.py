"""Election protocols as documents: their type, their date (the print stamp in every page footer), and no
money read from their count tables (issue 17, points 1 and 2)."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest

from conftest import SHARED
from kommune_etl.models import Page
from kommune_etl.transforms.classify import classify
from kommune_etl.transforms.metadata import extract_metadata
from kommune_etl.transforms.tables import money_tables

ELECTIONS = SHARED / "corpus" / "elections"


@cache
def _pages(path: Path):
    from kommune_etl.extractors.readers.pdf import read_pdf

    return read_pdf(path.read_bytes()).pages


def _text_pdfs() -> list[Path]:
    return [p for p in sorted(ELECTIONS.glob("*.pdf")) if any(page.text.strip() for page in _pages(p))]


def test_count_table_headers_are_not_money():
    text = ("Sum mottatte forhåndsstemmegivninger\tGodkjente\tForkastede\n"
            "Innenriks\t1 234\t12\nUtenriks\t2 345\t3\n")
    assert money_tables(text) == []
    text = "Sum\nGjerdsvika\t163\nGursken\t1 022\nSandsøy\t1 106\n"   # a lone `Sum` heads no table
    assert money_tables(text) == []
    assert money_tables("Kommune\tTilskudd 2023\nHalden\t1 200 000\nMoss\t2 500 000\n")  # money still is


def test_print_stamp_in_the_footers_is_the_document_date():
    pages = (Page(1, "Valprotokoll for valstyret i\nAukra kommune\nValet vart halde 9. september 2019\n"
                     "10.09.2019 17:56:07 Valprotokoll for valstyret Side 1"),
             Page(2, "Parti Tal\nSum 21\n10.09.2019 17:56:07 Valprotokoll for valstyret Side 2"))
    assert extract_metadata(pages).document_date == date(2019, 9, 10)
    assert classify(pages).doc_type.value == "election_protocol"


def test_a_letter_about_an_election_stays_a_letter():
    page = Page(1, "Spørsmål til Riksvalgstyret om opptelling\nVi viser til henvendelse til valgstyret og fylkesvalgstyret.\n"
                   "Med vennlig hilsen\nKommunal- og moderniseringsdepartementet")
    assert classify((page,)).doc_type.value != "election_protocol"


@pytest.mark.slow
def test_every_text_election_protocol_is_typed_dated_and_moneyless():
    from kommune_etl.transforms.nlp.pipeline import extract_entities
    from kommune_etl.transforms.structures.grants import extract_grants

    typed = dated = 0
    amounts, grants, pdfs = [], [], _text_pdfs()
    for path in pdfs:
        pages = _pages(path)
        meta = extract_metadata(pages)
        typed += classify(pages).doc_type.value == "election_protocol"
        dated += meta.document_date is not None
        amounts += [(path.name, e.text) for e in extract_entities(pages, meta.reference_date()) if e.label == "AMOUNT"]
        grants += [path.name for _ in extract_grants(pages, meta.reference_date())[0]]
    # one text layer (Harstad) is enciphered glyph codes (`9DOJSURWRNROO` = `Valgprotokoll` shifted by 3): OCR's job
    assert len(pdfs) >= 90 and typed >= len(pdfs) - 1 and dated >= len(pdfs) - 1
    assert amounts == [] and grants == []


@pytest.mark.slow
def test_extract_and_ingest_agree_on_real_election_protocols(tmp_path):
    """`extract` runs ingest's checks: the protocols once quarantined as phantom grant tables are `ok` in both."""
    import json
    import subprocess
    import sys

    from conftest import REPO
    from kommune_etl.pipeline import ingest_paths

    names = ["Lillestrom_valgstyrets-motebok-fylkestingsvalg_2019.pdf", "Bergen_valgstyrets-motebok-kommunestyrevalg_2019.pdf",
             "Vestnes_valgstyrets-motebok-fylkestingsvalg_2019.pdf"]
    statuses = {}
    for name in names:
        done = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "extract", str(ELECTIONS / name)],
                              capture_output=True, text=True, cwd=REPO)
        statuses[name] = json.loads(done.stdout)["document"]["status"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in names:
        (inbox / name).write_bytes((ELECTIONS / name).read_bytes())
    summary = ingest_paths([inbox], tmp_path / "wh" / "warehouse.duckdb")
    assert statuses == {name: "ok" for name in names}
    assert (summary.new, summary.quarantined) == (3, 0)


@pytest.mark.slow
def test_election_marts_from_real_protocols(tmp_path):
    import duckdb

    from kommune_etl.pipeline import ingest_paths

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("Aukra_valgstyrets-motebok-kommunestyrevalg_2019.pdf", "Lillestrom_valgstyrets-motebok-kommunestyrevalg_2019.pdf",
                 "Bergen_valgstyrets-motebok-kommunestyrevalg_2019.pdf"):
        (inbox / name).write_bytes((ELECTIONS / name).read_bytes())
    db = tmp_path / "wh" / "warehouse.duckdb"
    assert ingest_paths([inbox], db).quarantined == 0
    con = duckdb.connect(str(db), read_only=True)
    turnout = {r[0]: r[1:] for r in con.execute(
        "SELECT municipality, municipality_code, municipality_code_on_election_day, eligible_voters, turnout_percent, "
        "council_size, reconciled FROM mart_election_turnout").fetchall()}
    assert turnout["Aukra"] == ("1547", "1547", 2750, 67.02, 21, True)
    # Lillestrøm was formed 1 January 2020: the 2019 protocol elects 3030, no code was valid on the election day
    assert turnout["Lillestrøm"][:2] == ("3030", None) and turnout["Lillestrøm"][4] == 55
    assert con.execute("SELECT preliminary, final, deviation FROM mart_election_count_deviations WHERE municipality = 'Bergen'"
                       " AND ballots = 'advance' AND party LIKE 'SV%'").fetchone() == (5200, 5609, 409)
    assert con.execute("SELECT birth_year, party_code, role, personal_votes FROM mart_elected "
                       "WHERE name = 'Odd Jørgen Nilssen'").fetchone() == (1956, "H", "representative", 186)
    assert con.execute("SELECT count(*) FROM mart_elected WHERE body_area_code = '4601' AND role = 'representative'"
                       ).fetchone()[0] == 67
    assert con.execute("SELECT count(*) FROM entities WHERE label = 'AMOUNT'").fetchone()[0] == 0
