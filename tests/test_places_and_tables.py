"""Places across reforms, names that are not places, and money tables that scale or subtract (pure; no corpus)."""

from __future__ import annotations

from datetime import date

import pytest

from kommune_etl.transforms.metadata import extract_metadata
from kommune_etl.models import Page
from kommune_etl.transforms.places import council_acronym, default_gazetteer, find_places, find_places_narrowed
from kommune_etl.transforms.tables import money_tables


def _places(text: str, on: date):
    return [(m.label, m.value, m.historical_code, m.successor_code) for m in find_places_narrowed(text, on, default_gazetteer())]


@pytest.mark.parametrize("text,on,expected", [
    ("Søgne kommune", date(2025, 3, 1), ("MUNICIPALITY", None, "1018", "4204")),
    ("Hobøl kommune", date(2021, 6, 1), ("MUNICIPALITY", None, "0138", "3014")),
    ("Hobøl kommune", date(2025, 6, 1), ("MUNICIPALITY", None, "0138", "3118")),  # through the 2024 reform too
    ("Verran kommune", date(2026, 1, 1), ("MUNICIPALITY", None, "5039", "5006")),
    ("Hordaland fylkeskommune", date(2021, 1, 1), ("COUNTY", None, "12", "46")),
    ("Viken fylkeskommune", date(2025, 1, 1), ("COUNTY", None, "30", None)),  # split: no single successor
    ("Senja kommune", date(2019, 9, 1), ("MUNICIPALITY", None, None, None)),  # not yet created
    ("Søgne kommune", date(2019, 3, 1), ("MUNICIPALITY", "1018", None, None)),
])
def test_places_across_reforms_keep_their_last_code_and_successor(text, on, expected):
    assert _places(text, on) == [expected]


def test_sami_nynorsk_and_genitive_forms_resolve():
    on = date(2025, 1, 1)
    assert [v for _, v, _, _ in _places("Unjárga gielda og Guovdageaidnu", on)] == ["5636", "5612"]
    assert _places("Aukra kommune", date(2019, 9, 10)) == [("MUNICIPALITY", "1547", None, None)]
    assert _places("Steinkjers innbyggere", on) == [("MUNICIPALITY", "5006", None, None)]


def test_names_shared_by_two_municipalities_are_written_without_ssbs_county_and_narrowed_by_the_page():
    on = date(2019, 9, 9)
    assert _places("Herøy kommune og Nordland fylkeskommune", on) == [
        ("MUNICIPALITY", "1818", None, None), ("COUNTY", "18", None, None)]
    (heroy,) = find_places("Herøy kommune", on, default_gazetteer())
    assert heroy.value is None and heroy.candidates == ("1515", "1818")  # not guessed
    assert _places("Kari Berg og Berg kommune", on) == [("MUNICIPALITY", "1929", None, None)]  # the surname is not


def test_numbered_districts_companies_and_postcodes():
    on = date(2019, 9, 11)
    table = "0007 Finnfjord 268 46 17,16%\n0008 Vågan 157 13 8,28%\n0024 Torsken 142 12 8,45%"
    assert _places(table, on) == []  # EVA's polling districts, not the municipalities Vågan and Torsken
    assert _places("5006 Steinkjer 1 250 000", date(2025, 1, 1)) == [("MUNICIPALITY", "5006", None, None)]
    letter = "Postadresse\nPostboks 8112 Dep\n0032 Oslo\n"
    assert _places(letter, date(2017, 9, 5)) == [("MUNICIPALITY", "0301", None, None)]  # a post town, not the county
    company = "Steinkjer utvikling er kommunens aktør. Rapporten er laget av Steinkjer Utvikling AS."
    assert _places(company, date(2026, 1, 27)) == []
    clubs = ("De er Steinkjer skolekorps og Steinkjer mannssangforening. Lån til Levanger fotballklubb, arrangert av "
             "Steinkjer\n  Næringsforum.")
    assert _places(clubs, date(2026, 1, 27)) == []
    assert _places("overnatting på Steinkjer skole", date(2026, 1, 20)) == []


def test_county_council_acronyms_need_the_documents_places_to_be_one_council():
    assert council_acronym("Trøndelag") == "TFK" and council_acronym("Møre og Romsdal") == "MRFK"
    assert council_acronym("Vestland") == "VLFK"
    assert _places("Avklare roller mellom regionrådet og Frosta kommune/TFK", date(2026, 1, 27)) == [
        ("MUNICIPALITY", "5036", None, None), ("COUNTY", "50", None, None)]
    assert _places("Møte med TFK om saken", date(2026, 1, 27)) == []  # Trøndelag, Telemark or Troms: not guessed


def test_a_date_inside_a_sentence_does_not_date_the_document():
    page = Page(1, "SAKSFRAMLEGG\nArkivsaksnr: 2025/8750\nRetningslinjene ble vedtatt i Partssammensatt utvalg nye "
                   "Steinkjer 07.03.2019 og revidert pr.17.11.25.\n", "text")
    meta = extract_metadata((page,))
    assert meta.document_date is None and meta.reference_date().year == 2025
    letter = Page(1, "Kommunal- og moderniseringsdepartementet\nOslo, 5. september 2017\nSvar på henvendelse\n", "text")
    assert extract_metadata((letter,)).document_date == date(2017, 9, 5)


def test_money_tables_scale_by_their_caption_and_subtract_in_accounts():
    text = "Tabell 2 Driftsbudsjett (i 1000 kr)\nPost Budsjett 2025 Regnskap 2025\nLønn 1 250 1 310\nDrift 850,5 -120\n"
    (table,) = money_tables(text)
    assert table.scale == 1000
    assert [[c.amount.value for c in row.cells] for row in table.rows] == [[1250000, 1310000], [850500, -120000]]
    accounts = "Resultat\tRegnskap\tBudsjett\nInntekter\t1 250 000\t1 300 000\nAvvik\t(50 000)\t0\n"
    (table,) = money_tables(accounts)
    assert [[c.amount.value for c in row.cells] for row in table.rows] == [[1250000, 1300000], [-50000]]
    grants = "Fylke\tTilskudd\nAgder\t1 250 000\nRogaland\t(300 000)\nSum\t1 550 000\n"
    (table,) = money_tables(grants)
    assert table.rows[1].cells[0].amount.value == 300000 and table.rows[1].cells[0].parenthesised  # a sub-total


def test_a_header_date_repeated_on_every_page_counts_once_per_page():
    from kommune_etl.transforms.nlp.pipeline import extract_entities

    pages = tuple(Page(n, f"Møtebok Kommunestyret 25.03.2026 side {n}\nSak {n}/26 behandlet.\n", "text") for n in (1, 2, 3))
    dates = [(e.page, e.value) for e in extract_entities(pages, date(2026, 3, 25)) if e.label == "DATE"]
    assert dates == [(1, "2026-03-25"), (2, "2026-03-25"), (3, "2026-03-25")]  # and no date from `3/26`


def test_polling_districts_towns_and_names_of_projects_are_not_municipalities():
    on = date(2019, 9, 10)
    remarks = "Anfjord — valgtingsstemmer ordinære: OK\nTorsken — valgtingsstemmer ordinære: Forhåndsstemt\nHemnes 16:00 – 20:00"
    assert _places(remarks, on) == []
    assert _places("i Gatebruksplan for Levanger by og for Bergen sentrum", date(2026, 3, 25)) == []


def test_a_place_inside_a_project_or_organisation_name_is_dropped_but_x_kommune_stays():
    from kommune_etl.transforms.nlp.pipeline import extract_entities

    text = ("I prosjektet «Innovasjonspartnerskap velferdsteknologi Agder» og Digi Møre og Romsdal deltar Agder fylkeskommune "
            "og Kristiansand kommune.\n")
    places = [(e.text, e.value) for e in extract_entities((Page(1, text, "text"),), date(2024, 3, 1))
              if e.label in ("MUNICIPALITY", "COUNTY")]
    assert places == [("Agder", "42"), ("Kristiansand", "4204")]


def test_places_inside_an_election_lists_name_and_amounts_in_an_election_protocol_are_dropped():
    from types import SimpleNamespace

    from kommune_etl.models import Entity
    from kommune_etl.transforms.structures.list_names import election_entities

    page = Page(1, "Smøla til Trøndelag 29\nSenterpartiet 152\nSmøla kommune, Møre og Romsdal\n", "text")
    entities = (Entity("MUNICIPALITY", "Smøla", "1573", 1, 0, 5), Entity("COUNTY", "Trøndelag", "50", 1, 10, 19),
                Entity("MUNICIPALITY", "Smøla", "1573", 1, 41, 46))
    protocol = SimpleNamespace(counts=(SimpleNamespace(party="Smøla til Trøndelag"), SimpleNamespace(party="Senterpartiet")),
                               seats=(), elected=())
    assert [e.start for e in election_entities(entities, (page,), (protocol,))] == [41]
    vote_row = (Entity("AMOUNT", "kr 0,00", 0, 1, 0, 7),)  # `Gunnar Gamst kr 0,00 64,00`: personal votes, not money
    assert election_entities(vote_row, (page,), (protocol,)) == ()
