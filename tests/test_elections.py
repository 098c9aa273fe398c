"""Election protocols (valgprotokoll): real values from real files, the answer keys, and the checks.

The corpus is /shared/corpus/elections (see its README): the national election system's one template,
bokmål and nynorsk, text PDFs and scans. Page texts are read once per session (read_pdf is the cost).
"""

from __future__ import annotations

from functools import cache

import pytest

from kommune_etl.extractors.ocr import garbage_score
from kommune_etl.extractors.readers.pdf import read_pdf
from kommune_etl.election_scoring import load_key, load_pairs, score, summarise
from kommune_etl.models import Page
from tests.conftest import SHARED
from kommune_etl.transforms.structures.election_records import ElectionProtocol, KeyFigures, PartyCount, Seats, TableTotal
from kommune_etl.transforms.structures.elections import (
    detect_election,
    extract_election,
    is_election_protocol,
    party_code,
    read_problems,
    reconcile,
    reconciles,
)

CORPUS = SHARED / "corpus" / "elections"
KEYS = CORPUS / "keys"
PAIRS = load_pairs(KEYS) if KEYS.is_dir() else []


@cache
def pages_of(name: str) -> tuple[Page, ...]:
    return read_pdf((CORPUS / name).read_bytes()).pages


@cache
def protocol(name: str) -> ElectionProtocol:
    result = extract_election(pages_of(name))
    assert result is not None, name
    return result


def count(p: ElectionProtocol, table: str, party: str) -> PartyCount:
    return next(c for c in p.counts if c.table == table and c.party == party)


@cache
def text_pdfs() -> tuple[str, ...]:
    """The corpus PDFs with a readable text layer of their own: not scans, not a scan's OCR layer, not junk
    (Harstad's layer is glyph ids without digits: it needs OCR like a scan)."""
    names = []
    for path in sorted(CORPUS.glob("*.pdf")):
        pages = pages_of(path.name)
        imaged = sum(1 for p in pages if p.has_images)
        junk = sum(1 for p in pages if len(p.text.split()) >= 20 and garbage_score(p.text) > 0.6)
        if any(p.text.strip() for p in pages) and imaged < max(2, 0.8 * len(pages)) and junk <= len(pages) // 2:
            names.append(path.name)
    return tuple(names)


# --------------------------------------------------------------------------------------------------
# Real values
# --------------------------------------------------------------------------------------------------

def test_municipal_protocol_bokmaal():
    p = protocol("Eidskog_valgstyrets-motebok-kommunestyrevalg_2019.pdf")
    assert (p.election, p.year, p.kind, p.language) == ("kommunestyrevalg", 2019, "valgstyret", "nb")
    assert p.document_date == "2019-09-12T11:03:20"
    assert (p.area_name, p.county) == ("Eidskog", "Innlandet")
    assert p.key_figures == KeyFigures(eligible_voters=5218, marked_in_register=3240, turnout_percent=62.09,
                                       advance_votings_approved=1055, election_day_votings_approved=2185,
                                       votings_rejected=0, ballots_approved=3224, ballots_rejected=3)
    assert count(p, "D2.4", "Senterpartiet") == PartyCount("D2.4", "Senterpartiet", "SP", 803, 803, 0)
    assert count(p, "D1.4", "Høyre") == PartyCount("D1.4", "Høyre", "H", 103, 104, 1)
    assert Seats("Senterpartiet", "SP", 9) in p.seats and p.council_size == 25
    assert sum(s.seats for s in p.seats) == 25
    thue = next(e for e in p.elected if e.name == "Kamilla Thue")
    assert (thue.party_code, thue.rank, thue.birth_year, thue.role, thue.personal_votes) == ("A", 1, 1978, "representative", 286)
    assert next(e for e in p.elected if e.name == "Vidar Huse").role == "alternate"
    assert not any(e.name == "Elida Asp" for e in p.elected)      # listed in E2.2 without a star: not elected
    assert ("Kamilla Thue", "chair") in p.board and ("Berit Haveråen", "deputy_chair") in p.board
    assert any(r.table == "B2.1.3" and r.text.startswith("Kryss i manntall er oppgitt til 1005") for r in p.remarks)
    assert p.confidence and set(p.confidence.values()) == {None}
    assert not read_problems(p)


def test_rejected_advance_votings_by_legal_ground():
    p = protocol("Nord-Odal_valgstyrets-motebok-stortingsvalg_2021-09-15.pdf")
    assert (p.election, p.year, p.county) == ("stortingsvalg", 2021, "Hedmark")
    first = p.rejections[0]
    assert (first.table, first.reason, first.domestic, first.abroad) == ("B1.2", "§ 10-1 (1) a", 2, 0)
    assert [r.reason for r in p.rejections][-1] == "§ 10-1a (1) c"
    assert p.key_figures.votings_rejected == 6
    assert ("Lise Selnes", "chair") in p.board      # printed `SELNES LISE Leder`
    assert reconciles(p)


def test_nynorsk_protocol():
    p = protocol("Aukra_valgstyrets-motebok-fylkestingsvalg_2019.pdf")
    assert (p.language, p.election, p.area_name) == ("nn", "fylkestingsvalg", "Aukra")
    assert p.key_figures.eligible_voters == 2750 and p.key_figures.turnout_percent == 67.02
    venstre = count(p, "D1.4", "Venstre")
    assert (venstre.preliminary, venstre.final, venstre.deviation) == (26, 22, -4)
    assert count(p, "D2.4", "Høgre").party_code == "H"
    assert count(p, "D2.4", "Arbeidarpartiet").party_code == "A"
    assert "deviation: D1.4 Venstre: preliminary 26, final 22 (-4)" in p.issues
    assert ("Bernhard Riksfjord", "chair") in p.board and ("Aaslaug Søreide", "secretary") in p.board
    assert not p.seats and p.council_size is None      # the county's seats are not in a municipality's protocol
    assert not read_problems(p)


def test_nynorsk_municipal_seats_and_elected():
    p = protocol("Fjord_valgstyrets-motebok-kommunestyrevalg_2019.pdf")
    assert p.language == "nn" and p.council_size == 23
    assert sum(s.seats for s in p.seats) == 23
    tettli = next(e for e in p.elected if e.name == "Monika Tettli")
    assert (tettli.party, tettli.party_code, tettli.role, tettli.personal_votes) == ("Kristeleg Folkeparti", "KRF", "representative", 26)


def test_polling_station_book():
    p = protocol("Eigersund_stemmestyrets-motebok-Egersund_2019.pdf")
    assert (p.kind, p.district, p.area_name) == ("stemmestyret", "Egersund", "Eigersund")
    assert count(p, "C2 Kommunestyrevalget", "Arbeiderpartiet").preliminary == 600
    assert count(p, "C2 Fylkestingsvalget", "Arbeiderpartiet").preliminary == 393
    cells = {(c.table, c.row): c.value for c in p.cells}
    assert cells[("C1 Kommunestyrevalget", "approved")] == 1799 and cells[("C1 Fylkestingsvalget", "total")] == 1610
    assert p.key_figures.marked_in_register == 1822
    assert ("Knut Pettersen", "chair") in p.board
    assert reconciles(p)


def test_system_reports():
    turnout = protocol("Senja_valgdeltakelse_2019.pdf")
    assert turnout.kind == "report" and turnout.area_name == "Senja"
    assert (turnout.key_figures.eligible_voters, turnout.key_figures.turnout_percent) == (11667, 60.56)
    districts = protocol("Senja_partifordeling-pr-krets_2019.pdf")
    assert count(districts, "Kretsrapport Straumen", "Senjalista").preliminary == 73


def test_detection_needs_the_template_not_just_the_words():
    assert is_election_protocol(pages_of("Marker_valgstyrets-motebok-kommunestyrevalg_2019.pdf"))
    evidence = detect_election(pages_of("Marker_valgstyrets-motebok-kommunestyrevalg_2019.pdf")).evidence
    assert any(e.startswith("title:") for e in evidence) and any(e.startswith("footer:") for e in evidence)
    minutes = (Page(1, "Møteprotokoll\nValgstyret\nSak 12/19 Godkjenning av valgprotokoll for valgstyret\n"
                       "Vedtak: Valgprotokollen godkjennes."),)
    assert not is_election_protocol(minutes)
    assert extract_election(minutes) is None


def test_broken_input_gives_issues_not_exceptions():
    pages = pages_of("Eidskog_valgstyrets-motebok-kommunestyrevalg_2019.pdf")
    assert extract_election(tuple(reversed(pages))) is not None
    for page in pages:
        extract_election((pages[0], page))
        extract_election((pages[0], Page(page.number, page.text[: len(page.text) // 2])))
    half = extract_election(pages[:12])          # the protocol cut off after D2.4: no E1, no E2
    assert half is not None and half.key_figures.eligible_voters == 5218 and not half.elected
    assert half.council_size == 25 and "council size from Representantfordeling Sum" in half.notes


def test_party_codes_in_both_languages():
    assert [party_code(n) for n in ("Høgre", "Arbeidarpartiet", "Framstegspartiet", "Kristeleg Folkeparti",
                                    "Miljøpartiet Dei Grøne", "Raudt", "SV - Sosialistisk Venstreparti",
                                    "Senterpartiet", "Partiet De Kristne", "Helsepartiet")] == \
        ["H", "A", "FRP", "KRF", "MDG", "RØDT", "SV", "SP", "KRISTNE", "HELSE"]
    assert party_code("Bygdalista i Gausdal") is None


# --------------------------------------------------------------------------------------------------
# OCR-shaped text (what Tesseract makes of a scanned D1.4) and the confidence marks
# --------------------------------------------------------------------------------------------------

_OCR_PAGE = """\
10.09.2019 17:53:30 Valgprotokoll for valgstyret Side 2
D1.4 Avvik mellom foreløpig og endelig opptelling av forhåndsstemmesedler
Parti Foreløpig Endelig Avvik
Partiet De Kristne 6 6 0:
Høyre 260 259 -1
Senterpartiet 573 575 2
Rødt 31 30 -1
Arbeiderpartiet 415 4'l7 2
Totalt antall partifordelte stemmesedler 1 285 1287 2
D1.5 Merknad
"""


def _ocr_protocol(text: str) -> ElectionProtocol:
    title = Page(1, "Valgprotokoll for valgstyret i\nSenja kommune, Troms og Finnmark fylke\nFylkestingsvalget 2019",
                 method="ocr", has_images=True, ocr_confidence=90.0)
    result = extract_election((title, Page(2, text, method="ocr", has_images=True, ocr_confidence=80.0)))
    assert result is not None
    return result


def test_ocr_rows_read_with_thousands_glued_and_junk():
    p = _ocr_protocol(_OCR_PAGE.replace("4'l7", "417"))
    assert count(p, "D1.4", "Partiet De Kristne").final == 6
    assert TableTotal("D1.4", "final", 1287) in p.totals
    assert p.confidence["D1.4"] == 0.8
    assert not [i for i in read_problems(p) if i.startswith("D1.4")]


def test_ocr_unreadable_digits_are_none_and_flagged():
    p = _ocr_protocol(_OCR_PAGE)
    ap = count(p, "D1.4", "Arbeiderpartiet")
    assert (ap.preliminary, ap.final, ap.deviation) == (415, None, 2)      # only the cell not read is None
    assert any(i.startswith("unreadable: D1.4 Arbeiderpartiet") for i in p.issues)
    assert any("party value(s) not read" in i for i in p.issues)
    assert p.confidence["D1.4"] == 0.4          # the page's 0.80, halved: the table does not reconcile
    assert not reconciles(p)


def test_ocr_boxed_digit_read_only_where_the_row_decides_it():
    """`8)` is often a 0 against a cell's edge: taken as 0 only when final − preliminary says so."""
    text = _OCR_PAGE.replace("4'l7", "417").replace("Rødt 31 30 -1", "Rødt 31 31 8)\nVenstre 5 6 8)")
    p = _ocr_protocol(text)
    assert count(p, "D1.4", "Rødt").deviation == 0
    assert any(n.startswith("D1.4 Rødt deviation: OCR read '8)', taken as 0") for n in p.notes)
    assert count(p, "D1.4", "Venstre").deviation is None       # neither 8 nor 0 is 6 − 5
    assert any(i.startswith("unreadable: D1.4 Venstre deviation") for i in p.issues)


def test_ocr_lost_deviation_column_is_computed_and_the_columns_still_checked():
    """Tolga 2019 p. 11: Tesseract drops a column of lone `0`s at the page's edge; Avvik is final − preliminary,
    and both read columns are still held to their printed totals."""
    text = (_OCR_PAGE.replace("4'l7", "417").replace("Parti Foreløpig Endelig Avvik", "Parti | Foreløpig Endelig |")
            .replace(" 0:", "").replace(" -1\n", "\n").replace(" 2\n", "\n"))
    p = _ocr_protocol(text)
    assert (count(p, "D1.4", "Høyre").deviation, count(p, "D1.4", "Senterpartiet").deviation) == (-1, 2)
    assert TableTotal("D1.4", "deviation", 2) in p.totals
    assert "D1.4 deviation: the column is not in the OCR text; computed as final − preliminary" in p.notes
    assert not [i for i in read_problems(p) if i.startswith(("D1.4", "unreadable: D1.4"))]
    wrong = _ocr_protocol(text.replace("Høyre 260 259", "Høyre 260 269"))     # a misread still shows
    assert any(i.startswith("D1.4 final: parties sum to") for i in read_problems(wrong))


def test_ocr_digit_lookalike_letter_is_a_repaired_cell_the_total_checks():
    """Frøya 2019 p. 54 reads `Helsepartiet 4 4` as `Helsepartiet A 4`."""
    text = (_OCR_PAGE.replace("4'l7", "417").replace("Foreløpig Endelig Avvik", "Foreløpig Endelig")
            .replace(" -1\n", "\n").replace(" 2\n", "\n")
            .replace("Partiet De Kristne 6 6 0:", "Foreløpig Endelig\nHelsepartiet A 4\nPartiet De Kristne 2 2"))
    p = _ocr_protocol(text.replace("Parti Foreløpig Endelig", "Parti"))
    helse = count(p, "D1.4", "Helsepartiet")
    assert (helse.party_code, helse.preliminary, helse.final, helse.deviation) == ("HELSE", 4, 4, 0)
    assert "D1.4 Helsepartiet preliminary: OCR read 'A', taken as 4 (a letter OCR reads for that digit)" in p.notes
    assert count(p, "D1.4", "Partiet De Kristne").party_code == "KRISTNE"    # the header line is not a label
    assert not [i for i in read_problems(p) if "D1.4" in i]
    wrong = _ocr_protocol(text.replace("Parti Foreløpig Endelig", "Parti").replace("Helsepartiet A 4", "Helsepartiet S 4"))
    assert any(i.startswith("D1.4 preliminary: parties sum to") for i in read_problems(wrong))


# --------------------------------------------------------------------------------------------------
# Reconciliation on hand-made protocols
# --------------------------------------------------------------------------------------------------

def _made(**changes) -> ElectionProtocol:
    base = dict(election="kommunestyrevalg", year=2019, kind="valgstyret", language="nb", document_date=None,
                area_name="X", board=(), key_figures=KeyFigures(100, 60, 60.0, 20, 40, 0, 59, 1), counts=(),
                rejections=(), seats=(), elected=(), remarks=(), council_size=None, confidence={}, issues=())
    return ElectionProtocol(**{**base, **changes})


def test_reconcile_names_the_table_and_the_difference():
    p = _made(counts=(PartyCount("D2.4", "A", "A", 10, 15, 5), PartyCount("D2.4", "B", None, 5, 5, 0)),
              totals=(TableTotal("D2.4", "final", 21),),
              seats=(Seats("A", "A", 3), Seats("B", None, 1)), council_size=5,
              key_figures=KeyFigures(100, 61, 60.0, 20, 40, 0, 59, 1))
    issues = reconcile(p)
    assert "D2.4 final: parties sum to 20, the table states 21 (difference -1)" in issues
    assert "seats: parties sum to 4, the council size stated is 5 (difference -1)" in issues
    assert any(i.startswith("key figures: approved votings 60") and "(difference -1)" in i for i in issues)
    assert "deviation: D2.4 A: preliminary 10, final 15 (+5)" in issues
    assert not any(i.startswith("deviation") for i in reconcile(p, deviation_threshold=6))


# --------------------------------------------------------------------------------------------------
# The answer keys
# --------------------------------------------------------------------------------------------------

#: Where the key is wrong (the protocol is the truth): (table, key row) → the protocol's lines that show it.
#: The key's parser joined two layout rows into one label and kept the second row's values.
KEY_FAULTS = {
    "Aukra_fylkestingsvalget-2019.json": {
        # D1.4: "Liberalistene 0 0 0" / "Sunnmørslista Tverrpolitisk liste for Sunnmøre 0 0 0"
        ("D1.4", "LiberalisteneSunnmørslista Tverrpolitisk liste for Sunnmøre"),
        # D2.4: "Liberalistene 3 3 0" / "Sunnmørslista Tverrpolitisk liste for Sunnmøre 0 0 0"
        ("D2.4", "LiberalisteneSunnmørslista Tverrpolitisk liste for Sunnmøre")},
    "Eigersund_fylkestingsvalget-2019.json": {
        # B2.2.1 prints Godkjente 81 and Blanke 1 (ballots); the key has "GodkjenteBlanke": 1
        ("B2.2.1", "GodkjenteBlanke"),
        # D2.4: "Partiet De Kristne 23 23 0" / "Folkeaksjonen Nei til mer bompenger 110 110 0"
        ("D2.4", "Partiet De KristneFolkeaksjonen Nei til mer bompenger")},
    "Gjesdal_fylkestingsvalget-2019.json": {
        # B2.2.1 prints Godkjente 72 (ballots); the key's "GodkjenteBlanke" has the Blanke value
        ("B2.2.1", "GodkjenteBlanke"),
        # D2.4: "Partiet De Kristne 20 20 0"
        ("D2.4", "Partiet De KristneFolkeaksjonen Nei til mer bompenger")},
    "Hurdal_fylkestingsvalget-2019.json": {
        # D1.4: "Pensjonistpartiet 10 10 0" / "Piratpartiet …"; D2.4: "Pensjonistpartiet 9 9 0"
        ("D1.4", "PensjonistpartietPiratpartiet"), ("D2.4", "PensjonistpartietPiratpartiet")},
    "Kristiansund_fylkestingsvalget-2019.json": {
        # D1.4: "Liberalistene 8 8 0"; D2.4: "Liberalistene 11 11 0"
        ("D1.4", "LiberalisteneSunnmørslista Tverrpolitisk liste for Sunnmøre"),
        ("D2.4", "LiberalisteneSunnmørslista Tverrpolitisk liste for Sunnmøre")},
    "Roest_kommunestyrevalget-2019.json": {
        # D1.4: "Sentrumslista 77 76 -1" / "Røst Samarbeidsliste 93 93 0" (D2.4 has both rows right)
        ("D1.4", "SentrumslistaRøst Samarbeidsliste")},
    "Sande_kommunestyrevalget-2019.json": {
        # error: true, the key's parser stopped at B1.1; it has the key figures only
        ("*", "error")},
    "Vestnes_fylkestingsvalget-2019.json": {
        # D1.4: "Liberalistene 5 5 0"; D2.4: "Liberalistene 4 4 0"
        ("D1.4", "LiberalisteneSunnmørslista Tverrpolitisk liste for Sunnmøre"),
        ("D2.4", "LiberalisteneSunnmørslista Tverrpolitisk liste for Sunnmøre")},
}


@pytest.mark.parametrize("pdf,key", PAIRS, ids=[k for _, k in PAIRS])
def test_answer_key_scored_in_full(pdf, key):
    result = score(protocol(pdf), load_key(KEYS / key), key)
    assert not result.misses, "\n".join(f"{f.field}: key {f.expected!r}, read {f.got!r}" for f in result.misses)
    groups = result.by_group()
    assert groups["key_figures"] == (8, 8)
    if key != "Sande_kommunestyrevalget-2019.json":
        assert groups["D1.4"][1] > 0 and groups["D2.4"][1] > 0
    assert {(f.table, f.key_row) for f in result.key_faults} == KEY_FAULTS.get(key, set())


def test_answer_keys_together():
    scores = [score(protocol(pdf), load_key(KEYS / key), key) for pdf, key in PAIRS]
    summary = summarise(scores)
    assert len(scores) == 14
    assert summary["all"]["share"] == 1.0 and summary["all"]["fields"] > 1700
    assert summary["D1.4"]["fields"] > 400 and summary["D2.4"]["fields"] > 400


# --------------------------------------------------------------------------------------------------
# The whole text-PDF corpus
# --------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_seats_sum_to_the_council_size_on_every_text_protocol():
    checked = 0
    for name in text_pdfs():
        p = protocol(name)
        if not p.seats:
            continue
        checked += 1
        assert p.council_size is not None, name
        assert sum(s.seats for s in p.seats) == p.council_size, name
        assert not [i for i in p.issues if i.startswith(("seats:", "E1:", "E2.2:"))], (name, p.issues)
    assert checked >= 45


@pytest.mark.slow
def test_every_text_protocol_is_read_and_reconciles():
    names = text_pdfs()
    assert len(names) >= 85
    for name in names:
        p = protocol(name)
        assert p.document_date and p.area_name, name
        assert reconciles(p), (name, read_problems(p))
        if p.kind == "valgstyret":
            assert p.board and p.counts and p.rejections, name
            assert len({c.table for c in p.counts} & {"D1.4", "D2.4", "D1.3", "D2.3"}) == 4, name


@pytest.mark.slow
def test_ocr_of_a_scanned_page(tmp_path):
    """One scan's first two pages through the project's OCR: key figures read, marked with their confidence."""
    from dataclasses import replace

    from kommune_etl.extractors.ocr import OcrSettings, available_languages, ocr_document

    if "nor" not in available_languages():
        pytest.skip("Tesseract with Norwegian is not installed")
    content = (CORPUS / "Senja_valgstyrets-motebok-fylkestingsvalg_2019.pdf").read_bytes()
    document = read_pdf(content)
    document = replace(document, pages=document.pages[:2])
    pages = ocr_document(content, document, OcrSettings(cache_dir=tmp_path)).pages
    p = extract_election(pages)
    assert p is not None and p.area_name == "Senja"
    assert (p.key_figures.eligible_voters, p.key_figures.turnout_percent) == (11667, 60.56)
    assert 0 < p.confidence["key_figures"] <= 1
