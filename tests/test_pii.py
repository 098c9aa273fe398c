"""Personal data as people write it (issue 15): identity numbers validated by python-stdnum in every common
form, D-, H- and FH-numbers, mobile numbers in pairs and with 0047, and titles from file metadata masked."""

from __future__ import annotations

import pytest
from stdnum.no import fodselsnummer

from transforms.pii import find_pii, is_fodselsnummer, mask


def _valid(first_nine: str) -> str:
    c1 = fodselsnummer.calc_check_digit1(first_nine)
    return first_nine + c1 + fodselsnummer.calc_check_digit2(first_nine + c1)


@pytest.mark.parametrize("written", ["15038712486", "150387 12486", "150387-12486", "15.03.87 12486"])
def test_birth_numbers_in_the_forms_people_write(written):
    text = f"Søker: {written}, Storgata 1"
    assert [(f.kind, text[f.start:f.end]) for f in find_pii(text)] == [("fodselsnummer", written)]
    assert written not in mask(text, find_pii(text))


def test_d_h_and_fh_numbers():
    assert is_fodselsnummer(_valid("550387125")) == "d_nummer"     # day + 40
    assert is_fodselsnummer(_valid("154387124")) == "h_nummer"     # month + 40
    assert is_fodselsnummer(_valid("853387124")) == "fh_nummer"    # no birth date by design
    assert is_fodselsnummer("15038712487") is None                 # a control digit off
    assert is_fodselsnummer(_valid("311387124")) is None           # 31 November: no such day


@pytest.mark.parametrize("text, number", [("Mobil: 41 23 45 67", "41 23 45 67"), ("ring 0047 41234567", "41234567"),
                                          ("tlf +47 412 34 567", "412 34 567"), ("mob. 91234567", "91234567")])
def test_mobile_numbers(text, number):
    assert [(f.kind, text[f.start:f.end]) for f in find_pii(text)] == [("mobile_phone", number)]


@pytest.mark.parametrize("text", ["Sum 1 234 567 stemmer", "8 487 11 787 stemmer", "Saksnr 2024/150387",
                                  "Beløp 1.250.000 kr", "kr 412 345 678"])
def test_figures_are_not_personal_data(text):
    assert [f for f in find_pii(text) if f.masked] == []


def test_title_from_metadata_is_masked():
    from kommune_etl.models import RawDocument
    from kommune_etl.pipeline import process_document

    html = ("<html><head><title>Søknad fra 15038712486</title></head><body><p>Søknad om tilskudd til "
            "velferdsteknologi i kommunen, sendt til kommunen for behandling.</p></body></html>").encode()
    result = process_document(RawDocument(html, "soknad.html", media_type="text/html"))
    assert result.title == "Søknad fra ***********"
    assert ("fodselsnummer" in {kind for _, kind in result.pii})
