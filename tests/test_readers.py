"""Readers on real files: page-aware text, markup dropped, content kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REAL, SAMPLES_PDF, SAMPLES_TEXT
from kommune_etl.extractors import sniff
from kommune_etl.extractors.readers import read_document
from kommune_etl.extractors.readers.pdf import PDFMINER, PYPDFIUM2, read_pdf
from kommune_etl.extractors.readers.text import strip_markup
from kommune_etl.models import ReadError, ReasonCode


def _read(path: Path, **kwargs):
    content = path.read_bytes()
    return read_document(content, sniff.sniff_media_type(content, path.name), **kwargs)


def test_text_sample_drops_markup_keeps_table_cells():
    doc = _read(SAMPLES_TEXT / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.txt")
    text = doc.pages[0].text
    assert "<b>" not in text and "## " not in text
    assert "Oslo\t1 447 130\t1 390 000\t1 390 000" in text
    assert "Innvilger tilskudd til kommunene for frikjøp" in text
    assert doc.extractor == "text" and len(doc.pages) == 1


def test_strip_markup_keeps_link_text_and_emphasis_words():
    assert strip_markup("# Bakgrunn for **nettverksorganisering** e-helse") == "Bakgrunn for nettverksorganisering e-helse"
    assert strip_markup("se <https://www.ks.no/a.pdf> og [KS](https://ks.no)") == "se https://www.ks.no/a.pdf og KS"
    assert strip_markup("publisert 21.12.2023<sup>1</sup>.") == "publisert 21.12.2023¹."


@pytest.mark.parametrize("backend", [PYPDFIUM2, PDFMINER])
def test_sample_pdf_pages_keep_their_text(backend):
    doc = read_pdf((SAMPLES_PDF / "kristiansand_oppvekstutvalget_referat_2025-03-18.pdf").read_bytes(), backend=backend)
    assert doc.extractor == backend
    assert len(doc.pages) == 25
    assert [p.number for p in doc.pages] == list(range(1, 26))
    assert doc.pages[0].text.startswith("REFERAT Oppvekstutvalget d. 18-03-2025")
    assert "Arve Stokkelien (H)" in doc.pages[1].text or "Arve Stokkelien (H)" in doc.pages[0].text
    assert "\r" not in "".join(p.text for p in doc.pages)


def test_lillestrom_form_xobject_text_is_read_in_order_without_glued_words():
    doc = read_pdf((REAL / "no_lillestrom_valgstyrets-motebok-kommunestyrevalget_2019.pdf").read_bytes())
    assert doc.extractor == PYPDFIUM2 and len(doc.pages) == 65
    first = doc.pages[0].text
    assert first.startswith("Valgprotokoll for valgstyret i\nLillestrøm kommune, Viken fylke")
    assert "iLillestrøm" not in first and "fylkeKommunestyrevalget" not in first


@pytest.mark.slow
def test_pdfminer_fallback_reads_form_xobjects_too():
    doc = read_pdf((REAL / "no_lillestrom_valgstyrets-motebok-kommunestyrevalget_2019.pdf").read_bytes(),
                   backend=PDFMINER)
    assert "Lillestrøm kommune" in doc.pages[0].text


def test_scanned_pdf_pages_come_back_as_images_without_guessed_text():
    doc = _read(REAL / "no_bergen_stemmestyrets-motebok-hordvik_2019_scan.pdf")
    assert len(doc.pages) == 5
    assert all(p.has_images and p.text == "" for p in doc.pages)


def test_scan_with_ocr_switched_off_is_no_text_layer():
    from kommune_etl.extractors.ocr import OcrSettings
    from kommune_etl.pipeline import process_document, read_raw

    result = process_document(read_raw(REAL / "no_bergen_stemmestyrets-motebok-hordvik_2019_scan.pdf"),
                              ocr=OcrSettings(enabled=False))
    assert result.error.code == "no_text_layer" and "5 pages" in result.error.message


def test_html_reader_keeps_visible_text_only():
    html = ("<html><head><title>Møteplan</title><script>var x=1;</script></head><body><nav>Meny</nav>"
            "<h1>Kommunestyret</h1><p>Møte 18.03.2025 i <b>Formannskapssalen</b>.</p>"
            "<table><tr><td>Oslo</td><td>1 447 130</td></tr></table></body></html>").encode()
    doc = read_document(html, sniff.sniff_media_type(html, "plan.html"))
    text = doc.pages[0].text
    assert "Kommunestyret" in text and "Formannskapssalen" in text and "Oslo\t" in text
    assert "var x" not in text and "Meny" not in text
    assert doc.metadata_title == "Møteplan"


def test_docx_reader_reads_paragraphs_tables_and_page_breaks(tmp_path):
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.core_properties.title = "Tilskuddsbrev 2023"
    document.add_paragraph("Vår referanse: 23/02307-5")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Agder", "1 400 904"
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Med vennlig hilsen KS")
    path = tmp_path / "brev.docx"
    document.save(path)
    doc = _read(path)
    assert doc.media_type == sniff.DOCX and doc.metadata_title == "Tilskuddsbrev 2023"
    assert len(doc.pages) == 2
    assert "Agder\t1 400 904" in doc.pages[0].text
    assert doc.pages[1].text.strip() == "Med vennlig hilsen KS"


def test_sniffing_trusts_bytes_over_names():
    assert sniff.sniff_media_type(b"<!DOCTYPE html><html></html>", "rapport.pdf") == sniff.HTML
    assert sniff.sniff_media_type(b"%PDF-1.7\n...", "x.txt") == sniff.PDF
    assert sniff.sniff_media_type(b"\x00\x01\x02binary", "blob.bin") == sniff.UNKNOWN
    with pytest.raises(ReadError) as caught:
        read_document(b"\x00\x01", sniff.UNKNOWN)
    assert caught.value.code is ReasonCode.UNSUPPORTED_FORMAT


def test_windows_1252_text_is_decoded():
    doc = read_document("Møtebok for Sør-Odal".encode("cp1252"), sniff.TEXT)
    assert doc.pages[0].text == "Møtebok for Sør-Odal"


def test_windows_1252_text_is_read_and_nul_bytes_are_dropped():
    from kommune_etl.models import RawDocument
    from kommune_etl.pipeline import process_document

    cp1252 = "Møteprotokoll for formannskapet i Ås kommune.\nVedtak: enstemmig vedtatt.\n".encode("cp1252")
    result = process_document(RawDocument(cp1252, "protokoll.txt"))
    assert result.status.value == "ok" and "Møteprotokoll" in result.pages[0].text and "Ås kommune" in result.pages[0].text
    with_nul = ("Referat fra møtet. " * 100).encode() + b"\x00\x00skjult tekst"
    result = process_document(RawDocument(with_nul, "referat.txt"))
    assert result.status.value == "ok" and "\x00" not in result.pages[0].text and "skjult tekst" in result.pages[0].text


def test_text_beyond_the_limit_is_cut_with_a_warning():
    from kommune_etl.extractors.sandbox import Limits
    from kommune_etl.models import RawDocument
    from kommune_etl.pipeline import process_document, validate

    text = "\f".join(f"Side {n}: referat fra møtet i kommunestyret og formannskapet. " * 40 for n in range(1, 6))
    result = process_document(RawDocument(text.encode(), "langt-referat.txt"), Limits(max_text_chars=5000))
    assert sum(len(p.text) for p in result.pages) == 5000 and result.page_count == 3
    assert result.text_truncated_chars == len(text.replace("\f", "")) - 5000
    checked, validation = validate(result)
    assert checked.status.value == "ok"
    assert "text_not_truncated" in {c.check for c in validation.warnings}


def test_image_detection_is_the_same_as_walking_every_object():
    """Issue 21: the cheap PDFium walk finds the same pages with images as pypdfium2's object iterator did, on the
    real corpus's PDFs (scans, text PDFs with logos, text PDFs without images)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from conftest import REAL
    from kommune_etl.extractors.readers.pdf import _has_image

    seen = {True: 0, False: 0}
    for path in sorted(REAL.glob("*.pdf")):
        document = pdfium.PdfDocument(path.read_bytes())
        try:
            for index in range(len(document)):
                page = document[index]
                walked = any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3))
                assert _has_image(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, 3) is walked
                seen[walked] += 1
        finally:
            document.close()
    assert seen[True] > 0 and seen[False] > 0
