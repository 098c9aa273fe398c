"""Every hostile PDF is read or rejected with a specific reason code, inside time and memory bounds."""

from __future__ import annotations

import csv

import pytest

from conftest import TORTURE
from pdfmaker import bomb_pdf
from kommune_etl.extractors.sandbox import Limits
from kommune_etl.models import RawDocument, Status
from kommune_etl.pipeline import process_document

# file -> (status, reason code or the extractor that read it, a text fragment that must be there)
EXPECTED = {
    "fc_T02-02_002_page-tree-recursive.pdf": ("ok", "pdfminer", "Hello PDF-world!"),
    "fc_corruptionOneByteMissing.pdf": ("ok", "pypdfium2", "This is a test document."),
    "fc_govdocs1_err1_032270.pdf": ("ok", "pypdfium2", "PORTLAND VETERANS AFFAIRS"),
    "fc_minimal_test_header-eof-only.pdf": ("rejected", "corrupt", None),
    "pdfjs_ArabicCIDTrueType.pdf": ("ok", "pypdfium2", "العربية"),
    "pdfjs_ContentStreamCycleType3insideType3.pdf": ("ok", "pypdfium2", "ab"),
    "pdfjs_Pages-tree-refs.pdf": ("ok", "pdfminer", "Pages loop"),
    "pdfjs_bomb_giant.pdf": ("ok", "pypdfium2", "GIANT JBIG2 BOMB"),
    "pdfjs_empty_protected.pdf": ("rejected", "empty", None),  # encrypted, empty user password: opened
    "pdfjs_french_diacritics.pdf": ("ok", "pypdfium2", "à À â Â"),
    "pdfjs_noembed-sjis.pdf": ("ok", "pypdfium2", "あいうえお"),
    "pdfjs_vertical_cjk.pdf": ("ok", "pypdfium2", "日本語"),
    "pdfminer_aes-256-r6_pw-usersecret.pdf": ("rejected", "encrypted", None),
    "pdfminer_issue-1113-evil-xobjects.pdf": ("ok", "pypdfium2", "Hello world"),
    "pdfminer_kampo_japanese-gazette.pdf": ("ok", "pypdfium2", "金曜日"),
    "pdfminer_rc4-40_pw-foo.pdf": ("rejected", "encrypted", None),
    "pypdf_Seige_of_Vicksburg_Sample_OCR.pdf": ("ok", "pypdfium2", "THE SIEGE OF VICKSBURG"),
    "pypdfsf_habibi-rotated.pdf": ("ok", "pypdfium2", "habibi"),
    "pypdfsf_libreoffice-writer-password_pw-openpassword.pdf": ("rejected", "encrypted", None),
    "pypdfsf_unreadablemetadata.pdf": ("ok", "pdfminer", "Data Sheet"),
    "qpdf_bad-content.pdf": ("rejected", "not_a_pdf", None),
    "qpdf_bad1_not-a-pdf.pdf": ("rejected", "not_a_pdf", None),
    "qpdf_bad31_unknown-filter.pdf": ("ok", "pypdfium2", "Potato"),
    "qpdf_bad4_invalid-xref-syntax.pdf": ("ok", "pypdfium2", "Potato"),
    "qpdf_eof-terminates-literal.pdf": ("ok", "pypdfium2", "Potato"),
    "qpdf_issue-335b_23bytes.pdf": ("rejected", "not_a_pdf", None),
}


def test_every_file_in_the_manifest_has_an_expectation():
    with open(TORTURE / "MANIFEST.tsv", encoding="utf-8") as handle:
        listed = {row["file"] for row in csv.DictReader(handle, delimiter="\t")}
    assert listed == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_torture_file_outcome(name):
    status, code_or_extractor, fragment = EXPECTED[name]
    raw = RawDocument((TORTURE / name).read_bytes(), str(TORTURE / name))
    result = process_document(raw, Limits(timeout_s=60, memory_mb=1536))
    assert result.status.value == status
    if result.status is Status.OK:
        assert result.extractor == code_or_extractor
        text = "\n".join(p.text for p in result.pages)
        assert fragment in text.replace("DDaattaa SShheeeett", "Data Sheet")
    else:
        assert result.error.code == code_or_extractor
        assert name in result.error.message  # says which file


def test_timeout_is_a_reason_not_a_hang():
    raw = RawDocument((TORTURE / "pypdf_Seige_of_Vicksburg_Sample_OCR.pdf").read_bytes(), "vicksburg.pdf")
    result = process_document(raw, Limits(timeout_s=0.001))
    assert result.status is Status.REJECTED and result.error.code == "timeout"


@pytest.mark.slow
def test_decompression_bomb_is_stopped_by_the_memory_ceiling():
    bomb = bomb_pdf(inflated_mb=300)
    assert len(bomb) < 1_000_000  # small on disk, 300 MB once inflated
    result = process_document(RawDocument(bomb, "bomb.pdf"), Limits(memory_mb=128))
    assert result.status is Status.REJECTED and result.error.code == "too_large"


def test_the_same_bomb_is_read_when_the_budget_allows_it():
    result = process_document(RawDocument(bomb_pdf(inflated_mb=20), "small-bomb.pdf"), Limits(memory_mb=512))
    assert result.status is Status.OK and "Bomb" in result.pages[0].text


def test_file_over_the_byte_limit_is_too_large():
    raw = RawDocument(b"%PDF-1.4\n" + b"0" * 2048, "big.pdf")
    result = process_document(raw, Limits(max_bytes=1024))
    assert result.error.code == "too_large"


def _long_text(pages: int, fnr: str = "15038712486") -> bytes:
    """A plain-text protocol of many pages (form feeds), a national identity number on the first."""
    page = "Kommunestyret vedtok tilskott på kr 1 250 000 til Steinkjer kommune 12.03.2024. " * 60
    return (f"Søker: Kari Nordmann, fnr {fnr}\n" + "\f".join([page] * pages)).encode()


def test_the_analysis_is_bounded_in_time_and_keeps_no_unmasked_pages():
    """Masking, entities and structures run under the document's time budget, not unbounded in the run's
    process: a text that needs longer is rejected as `timeout`, and nothing of its (unmasked) text is kept."""
    raw = RawDocument(_long_text(400), "long.txt")
    result = process_document(raw, Limits(timeout_s=1.0))
    assert result.status is Status.REJECTED and result.error.code == "timeout"
    assert "long.txt" in result.error.message and "analysis" in result.error.message
    assert result.pages == ()


@pytest.mark.slow
def test_the_analysis_is_bounded_in_memory():
    result = process_document(RawDocument(_long_text(1000).replace(b"\f", b" "), "long.txt"), Limits(memory_mb=16))
    assert result.status is Status.REJECTED and result.error.code == "too_large", result.error.message
    assert result.pages == ()


@pytest.mark.slow
def test_a_text_without_page_breaks_over_spacys_length_limit_is_analysed_in_pieces():
    """One 1.9-million-character page (spaCy refuses texts over 1 000 000): read in pieces cut at line breaks,
    every amount found at its offset in the page."""
    text = _long_text(400).replace(b"\f", b"\n")
    result = process_document(RawDocument(text, "one-page.txt"), Limits())
    assert result.status is Status.OK and len(result.pages) == 1 and len(result.pages[0].text) > 1_000_000
    amounts = [e for e in result.entities if e.label == "AMOUNT"]
    assert len(amounts) == 400 * 60 and all(result.pages[0].text[e.start:e.end] == e.text for e in amounts)


def test_the_same_text_is_analysed_and_masked_within_its_budget():
    result = process_document(RawDocument(_long_text(3), "short.txt"), Limits())
    assert result.status is Status.OK and len(result.pages) == 3
    assert "15038712486" not in result.pages[0].text and "***********" in result.pages[0].text
    assert sum(e.label == "AMOUNT" and e.value == 1_250_000 for e in result.entities) == 180


def _read_in_a_daemon(queue):
    from kommune_etl.extractors.sandbox import read_isolated

    try:
        document = read_isolated("Vedtak: 10 stemte for, 1 mot.".encode(), "text/plain", Limits(timeout_s=30))
        queue.put(document.pages[0].text)
    except Exception as exc:  # the assertion error a daemon gets from multiprocessing
        queue.put(f"{type(exc).__name__}: {exc}")


def test_the_sandbox_works_inside_a_daemonic_worker_process():
    """Celery's prefork pool runs tasks in daemonic processes; the bounded reader must still start its child
    (found by the CeleryExecutor run: 'daemonic processes are not allowed to have children')."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_read_in_a_daemon, args=(queue,), daemon=True)
    worker.start()
    worker.join(60)
    assert queue.get(timeout=5) == "Vedtak: 10 stemte for, 1 mot."
