"""Pure normalisers: every form the entity issue names, plus round-trip property tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kommune_etl.transforms.normalise.amounts import find_amounts, format_amount_nb, parse_number
from kommune_etl.transforms.normalise.dates import find_dates, format_date_nb
from kommune_etl.transforms.normalise.periods import find_periods
from kommune_etl.transforms.references import find_case_refs

AMOUNTS = [
    ("kr 26 640,-", 26640), ("kr. 26 640,-", 26640), ("Kr 2 950 584", 2950584), ("45 000 kroner", 45000),
    ("NOK 45 000", 45000), ("1.250.000,-", 1250000), ("kr 1 234,50", Decimal("1234.50")),
    ("3,5 mill. kr", 3500000), ("7 millioner kroner", 7000000), ("1,9 milliarder kroner", 1900000000),
    ("2,3 mrd. kr", 2300000000), ("3,5 MNOK", 3500000), ("500 TNOK", 500000), ("57,9 mill. kroner", 57900000),
    ("kr.434 800", 434800), ("0,5 mill.kr", 500000), ("kr\u00a026\u00a0640,-", 26640), ("12\u202f500 kr", 12500),
    ("190\nmill. kroner", 190000000),
]


@pytest.mark.parametrize("text,value", AMOUNTS)
def test_amount_forms(text, value):
    found = find_amounts(f"Tilskuddet er {text} i år.")
    assert len(found) == 1 and found[0].value == Decimal(value)


def test_amount_ranges_give_both_ends():
    (low_high,) = find_amounts("anslått til 40-50 000 kr per år")
    assert (low_high.value, low_high.value_max) == (40000, 50000)
    (between,) = find_amounts("mellom 219 og 380 mill. kroner")
    assert (between.value, between.value_max) == (219000000, 380000000)


REAL_FORMS = [  # the forms real case documents and accounts use (issue 18)
    ("950,-", 950, None, None), ("kr 950,- pr. m2", 950, None, "m2"), ("ca. kr. 34,- pr. elev", 34, None, "elev"),
    ("1 200 kr/time", 1200, None, "time"), ("1.5 millioner kroner", 1500000, None, None),
    ("kr 2.5 mill.", 2500000, None, None), ("1,5-2,0 millioner kroner", 1500000, 2000000, None),
    ("kr 1,5–2 mill.", 1500000, 2000000, None), ("-250 000 kr", -250000, None, None), ("kr -250 000", -250000, None, None),
    ("190\nmill. kroner", 190000000, None, None),
]


@pytest.mark.parametrize("text,value,value_max,per", REAL_FORMS)
def test_amount_forms_of_real_documents(text, value, value_max, per):
    (found,) = find_amounts(f"Det gjelder {text} for dette.")
    assert (found.value, found.value_max, found.per) == (value, value_max, per)


def test_a_number_continuing_a_kroner_amount_is_kroner_and_a_count_is_not():
    found = find_amounts("på enkeltsøknader inntil kr 500 000. endres til\n250 000.")
    assert [f.value for f in found] == [500000, 250000]
    assert [f.value for f in find_amounts("kr 500 000 og 2 100 innbyggere")] == [500000]


@pytest.mark.parametrize("text", [
    "sak 26/123 ble behandlet i 2025", "tlf. 74 16 90 00", "side 12 av 40", "økt med 12,5 %",
    "§ 10-1 første ledd", "2 350 stemmesedler og 1 200 velgere", "budsjettet for 2025-2028",
])
def test_what_is_not_an_amount(text):
    assert find_amounts(text) == []


def test_counts_are_not_amounts_and_ambiguous_forms_are_not_guessed():
    assert find_amounts("2 100 trygghetsalarmer og 150 plasser") == []
    (ambiguous,) = find_amounts("Samlet tilskudd utgjør nå 3 796 mill.kr årlig")
    assert ambiguous.ambiguous and ambiguous.value is None


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["kr", "kroner", "nok"]))
def test_amount_round_trip(value, style):
    text = format_amount_nb(value, style)
    (found,) = find_amounts(text)
    assert found.value == value and found.start == 0 and found.end == len(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_number_inverts_grouping(value):
    assert parse_number(f"{value:,}".replace(",", " ")) == value
    assert parse_number(f"{value:,}".replace(",", ".")) == value


def test_dates_of_real_protocols():
    assert [(d.value.isoformat(), d.text) for d in find_dates("Stillinger pr.17.11.25 og pr.06.06.25")] == [
        ("2025-11-17", "17.11.25"), ("2025-06-06", "06.06.25")]
    assert [d.value.isoformat() for d in find_dates("I formannskapet 01.10.25, sak 93/2025 ble")] == ["2025-10-01"]
    assert [(d.value.isoformat(), d.text) for d in find_dates("Møtet holdes den 3.3. i 2026 på rådhuset.")] == [
        ("2026-03-03", "3.3.")]
    assert find_dates("Vi møtes den 3.3. på rådhuset.") == []  # no year in the sentence: not guessed
    assert find_dates("saksnr. 26/123 og kr 1.250.000") == []
    assert [d.value.isoformat() for d in find_dates("innen 1. juni 2026 og 3. desember 2026")] == ["2026-06-01", "2026-12-03"]


DATES = [
    ("18.03.2025", "2025-03-18"), ("18.3.25", "2025-03-18"), ("2025-03-18", "2025-03-18"),
    ("26. februar 2025", "2025-02-26"), ("30.april 2025", "2025-04-30"), ("17. mar. 2025", "2025-03-17"),
    ("18. marts 2025", "2025-03-18"), ("Tirsdag d. 18. marts 2025", "2025-03-18"), ("18-03-2025", "2025-03-18"),
    ("04032025", "2025-03-04"), ("1. januar 2022", "2022-01-01"),
]


@pytest.mark.parametrize("text,iso", DATES)
def test_date_forms(text, iso):
    found = find_dates(f"Møtet ble holdt {text} i salen.")
    assert [d.value.isoformat() for d in found] == [iso]


def test_day_and_month_take_the_year_of_their_sentence_only():
    text = "2025 vil være et overgangsår, og søknadsfristen vil bli rundt 10. april. Kontrakten sies opp innen 30. april."
    assert [d.value.isoformat() for d in find_dates(text)] == ["2025-04-10"]


def test_impossible_dates_are_not_dates():
    assert find_dates("31.02.2025 og 32.01.2025") == []


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(["numeric", "words"]))
def test_date_round_trip(value, style):
    text = format_date_nb(value, style)
    assert [d.value for d in find_dates(text)] == [value]


PERIODS = [
    ("våren 2025", "2025-03-01", "2025-05-31"), ("høsten 2024", "2024-09-01", "2024-11-30"),
    ("første halvår 2025", "2025-01-01", "2025-06-30"), ("3. kvartal 2024", "2024-07-01", "2024-09-30"),
    ("2022-2025", "2022-01-01", "2025-12-31"), ("økonomiplan 2025-28", "2025-01-01", "2028-12-31"),
    ("medio mars 2025", "2025-03-11", "2025-03-20"), ("ultimo mars 2025", "2025-03-21", "2025-03-31"),
    ("uke 12 2025", "2025-03-17", "2025-03-23"), ("2025/26", "2025-08-01", "2026-07-31"),
    ("2. tertial 2025", "2025-05-01", "2025-08-31"), ("primo 2023", "2023-01-01", "2023-03-31"),
]


@pytest.mark.parametrize("text,start,end", PERIODS)
def test_period_forms(text, start, end):
    (found,) = find_periods(f"Arbeidet skjer {text}.")
    assert (found.start_date.isoformat(), found.end_date.isoformat()) == (start, end)


def test_period_without_year_uses_the_document_year():
    (found,) = find_periods("Rapport for 2. tertial", default_year=2025)
    assert (found.start_date, found.end_date) == (date(2025, 5, 1), date(2025, 8, 31))
    assert find_periods("Rapport for 2. tertial") == []


def test_case_reference_forms_of_real_documents():
    text = ("Arkivsaksnr: 2025/8750\nFormannskaps behandling av sak 2/2026 i møte den 29.01.2026\nFO 2/26     Interpellasjon\n"
            "Vår ref: 2024/1234-5. Skoleåret 2025/26 og budsjett 2024/2025; se side 3/4.\n"
            "Deres ref: Vår ref: Saksbehandler: Dato:\n21/19102 Trine Hansen 29.09.2021\n")
    assert [r.value for r in find_case_refs(text)] == ["2025/8750", "2/2026", "2/26", "2024/1234-5", "21/19102"]
