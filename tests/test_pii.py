"""Personal data as people write it (issue 15): identity numbers validated by python-stdnum in every common
form, D-, H- and FH-numbers, mobile numbers in pairs and with 0047, and titles from file metadata masked."""

from __future__ import annotations

import pytest
from stdnum.no import fodselsnummer

from kommune_etl.transforms.pii import find_pii, is_fodselsnummer, mask


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


def _table_texts(con) -> str:
    """Every text value of every table and view a reader can query, as one string."""
    out = []
    for table, column in con.execute("SELECT table_name, column_name FROM information_schema.columns"
                                     " WHERE data_type = 'VARCHAR' AND table_schema = 'main'").fetchall():
        out += [str(v) for (v,) in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()]
    return "\n".join(out)


@pytest.mark.slow
def test_file_names_hold_no_personal_data_yet_keep_their_identity(tmp_path, db_path):
    """Applications named after the applicant's identity number: the warehouse stores a keyed pseudonym for
    each number (two people stay two files, a re-run finds them unchanged), never the number itself."""
    import subprocess
    import sys

    import duckdb

    from kommune_etl.pipeline import ingest_paths

    first, second = "15038712486", _valid("010180123")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    body = "Søknad om tilskudd til velferdsteknologi i Steinkjer kommune, mottatt 12.03.2024. Beløp kr 50 000."
    (inbox / f"Søknad {first}.txt").write_text(body + " Søker A.", encoding="utf-8")
    (inbox / f"Søknad {second}.txt").write_text(body + " Søker B.", encoding="utf-8")
    assert ingest_paths([inbox], db_path).new == 2
    again = ingest_paths([inbox], db_path)
    assert (again.new, again.unchanged, again.updated) == (0, 2, 0)
    (inbox / f"Søknad {first}.txt").write_text(body + " Søker A, rettet.", encoding="utf-8")
    assert ingest_paths([inbox], db_path).updated == 1
    con = duckdb.connect(str(db_path), read_only=True)
    sources = sorted(r[0] for r in con.execute("SELECT source FROM documents").fetchall())
    paths = {r[0] for r in con.execute("SELECT source FROM source_versions").fetchall()}
    stored = _table_texts(con)
    con.close()
    assert len(paths) == 2 and all("[fodselsnummer-" in p for p in paths)
    assert len(sources) == 3 and all(s in paths for s in sources)
    for number in (first, second):
        assert number not in stored
    key = (db_path.parent / "raw" / ".name-key")
    assert key.stat().st_mode & 0o077 == 0  # the key is its owner's only
    out = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "extract", str(inbox / f"Søknad {second}.txt"),
                          "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 0 and second not in out.stdout and "Søknad ***********.txt" in out.stdout
