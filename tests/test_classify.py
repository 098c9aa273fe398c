"""Document types and dates on every sample and every real PDF, with evidence."""

from __future__ import annotations

import pytest

from conftest import REAL, SAMPLES_PDF, SAMPLES_TEXT
from kommune_etl.extractors.sandbox import Limits
from kommune_etl.models import Page, Status
from kommune_etl.pipeline import process_document, read_raw
from kommune_etl.transforms.classify import classify
from kommune_etl.transforms.metadata import extract_metadata

CASES = {
    # file: (doc_type, document date or None, year)
    "kristiansand_oppvekstutvalget_referat_2025-03-18": ("protocol", "2025-03-18", 2025),
    "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08": ("grant_letter", "2023-05-08", 2023),
    "kdd_digitalisering_orientering_kommunesektoren_2022": ("letter", None, 2022),  # latest full date mentioned
    "ikt_orkide_arsmelding_2023_faggrupper": ("annual_report", None, 2023),
    "digitrofi_helseteknologi_frokostmote_oppdragsbrev_2024": ("presentation", "2024-09-27", 2024),
}
REAL_CASES = {
    "no_aukra_valprotokoll-fylkestingsvalet_2019_nynorsk.pdf": ("election_protocol", 2019),
    "no_eigersund_stemmestyrets-motebok-egersund_2019.pdf": ("election_protocol", 2019),
    "no_kmd-riksvalgstyret_brev_2017-09-05.pdf": ("letter", 2017),
    "no_lillestrom_valgstyrets-motebok-kommunestyrevalget_2019.pdf": ("election_protocol", 2019),
    "no_nord-odal_brev_2021-09-29.pdf": ("letter", 2021),
    "no_nord-odal_valgprotokoll-stortingsvalget_2021.pdf": ("election_protocol", 2021),
    "no_sande-mr_valprotokoll-kommunestyrevalet_2019_scan-ocr.pdf": ("election_protocol", 2019),
    "no_senja_partifordeling-pr-krets_2019.pdf": ("election_protocol", 2019),  # an election system report
}


@pytest.mark.parametrize("stem", sorted(CASES))
@pytest.mark.parametrize("folder,suffix", [(SAMPLES_TEXT, ".txt"), (SAMPLES_PDF, ".pdf")])
def test_samples_get_type_and_date(stem, folder, suffix):
    result = process_document(read_raw(folder / f"{stem}{suffix}"))
    doc_type, when, year = CASES[stem]
    assert result.doc_type.value == doc_type
    assert (result.document_date.isoformat() if result.document_date else None) == when
    assert result.document_year == year
    assert result.doc_type_evidence


@pytest.mark.parametrize("name", sorted(REAL_CASES))
def test_real_pdfs_get_a_sensible_type(name):
    result = process_document(read_raw(REAL / name), Limits(timeout_s=120))
    assert result.status is Status.OK
    assert (result.doc_type.value, result.document_year) == REAL_CASES[name]


def test_letter_header_beats_protocol_words_in_the_subject():
    page = Page(1, "Deres ref: 21/123\nVår ref: 21/456\nInnsyn i valgprotokoll og møtebok for valgstyret\n"
                   "Med vennlig hilsen\nNord-Odal kommune")
    assert classify((page,), "Innsyn i valgprotokoll").doc_type.value == "letter"


def test_labelled_date_beats_other_dates():
    page = Page(1, "Referanse til brev av 01.02.2020\nDato: 18. marts 2025\nInnhold")
    assert extract_metadata((page,)).document_date.isoformat() == "2025-03-18"
