"""OCR for image-only pages and pages whose text layer is garbage, with Tesseract's Norwegian model.

Runs only where needed: a page with images and no text, or a text layer that fails the garbage test
(`(cid:N)` tokens, few word-like tokens). Each page is rendered and recognised in its own bounded child
(`run_bounded`): one slow or hostile page costs its time budget, not the run. Results are cached by
the sha256 of the rendered page (plus language, resolution and Tesseract version), so re-runs are free.
An entry holds the text of a page that may carry personal data, so it is encrypted (AES-GCM) with a second
hash of the same page image: only someone who holds the document can read its entry; the cache itself
(beside the warehouse or in the user cache) holds no clear text.
Pages record how their text was obtained (`text_layer`, `ocr`, `ocr_replaced_layer`) and the mean word
confidence (0–100).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from kommune_etl.extractors.sandbox import run_bounded
from kommune_etl.atomic import write_atomically
from kommune_etl.models import ExtractedDocument, Page, ReadError, ReasonCode

CACHE_ENV = "KOMMUNE_ETL_OCR_CACHE"
_CID = re.compile(r"\(cid:\d+\)")
_WORDLIKE = re.compile(r"^[A-Za-zÆØÅæøåÉéÜüÖöÄä][a-zæøåéüöä]*[.,:;]?$|^[A-ZÆØÅ]{2,}[.,:;]?$|^\d[\d .,:/-]*$")


@dataclass(frozen=True)
class OcrSettings:
    enabled: bool = True
    lang: str = "nor"
    dpi: int = 300
    psm: int = 4  # Tesseract's page segmentation mode
    page_timeout_s: float = 90.0
    memory_mb: int = 1024
    cache_dir: Path | None = None  # None: $KOMMUNE_ETL_OCR_CACHE, else ~/.cache/kommune-etl/ocr


def garbage_score(text: str) -> float:
    """Share of tokens that are not word-like (0 = clean prose, 1 = noise). `(cid:N)` counts as noise."""
    tokens = text.split()
    if not tokens:
        return 1.0
    noise = sum(1 for t in tokens if _CID.search(t) or not _WORDLIKE.match(t))
    return noise / len(tokens)


def needs_ocr(page: Page, max_garbage: float = 0.6, max_garbage_without_images: float = 0.8) -> str | None:
    """`ocr` for an image page without text, `ocr_replaced_layer` for a garbage text layer, else None.

    A layer can be garbage without images: fonts whose glyph codes are not their letters (Harstad's 2019
    protocol reads `9DOJSURWRNROO` for `Valgprotokoll`, every character shifted by three)."""
    tokens = len(page.text.split())
    if page.has_images:
        if not page.text.strip():
            return "ocr"
        if tokens >= 3 and garbage_score(page.text) > max_garbage:
            return "ocr_replaced_layer"
        return None
    if tokens >= 20 and garbage_score(page.text) > max_garbage_without_images:
        return "ocr_replaced_layer"
    return None


@cache
def tesseract_version() -> str | None:
    if not shutil.which("tesseract"):
        return None
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
    return (out.stdout or out.stderr).splitlines()[0].strip() if (out.stdout or out.stderr) else "tesseract"


def available_languages() -> set[str]:
    if not tesseract_version():
        return set()
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    return {line.strip() for line in out.stdout.splitlines()[1:] if line.strip()}


def pages_to_ocr(pages: Sequence[Page]) -> list[tuple[Page, str]]:
    """The pages that need OCR, each with why: `needs_ocr` per page, and the whole document where most of its
    text layers are garbage without images.

    Such a layer comes from a font whose glyph codes are not its letters, and the document's other pages use
    the same fonts: their text looks less like noise only because it is shorter or mostly short capitals
    (Harstad's `GLY` for `div`; its D1.4 page scored 0.76 and kept a layer whose digits were lost)."""
    marks = {page.number: needs_ocr(page) for page in pages}
    layered = [page for page in pages if page.text.strip() and not page.has_images]
    broken = [page for page in layered if marks[page.number] == "ocr_replaced_layer"]
    if layered and 2 * len(broken) >= len(layered):
        marks.update({page.number: "ocr_replaced_layer" for page in layered})
    return [(page, why) for page in pages if (why := marks[page.number])]


def ocr_document(content: bytes, document: ExtractedDocument, settings: OcrSettings = OcrSettings()) -> ExtractedDocument:
    """Replace the text of the pages that need OCR; leave every other page as it is."""
    todo = pages_to_ocr(document.pages)
    if not todo or not settings.enabled:
        return document
    if settings.lang not in available_languages():
        if any(p.text.strip() for p in document.pages):
            return document  # a poor text layer is kept; the quality stage flags it
        raise ReadError(ReasonCode.NO_TEXT_LAYER, f"all {len(document.pages)} pages are images without a text layer, "
                        f"and Tesseract with language '{settings.lang}' is not installed "
                        "(apt-get install tesseract-ocr tesseract-ocr-nor)")
    cache_dir = settings.cache_dir or Path(os.environ.get(CACHE_ENV, Path.home() / ".cache" / "kommune-etl" / "ocr"))
    pages = {p.number: p for p in document.pages}
    for page, why in todo:
        text, confidence = run_bounded(_ocr_page, (content, page.number - 1, settings, str(cache_dir)), {},
                                       settings.page_timeout_s, settings.memory_mb, f"OCR of page {page.number}")
        pages[page.number] = replace(page, text=text, method=why, ocr_confidence=confidence)
    return replace(document, pages=tuple(pages[n] for n in sorted(pages)), extractor=f"{document.extractor}+tesseract")


def _ocr_page(content: bytes, index: int, settings: OcrSettings, cache_dir: str) -> tuple[str, float | None]:
    """Render one page to grey PGM, look it up in the cache, else run Tesseract (in the bounded child)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        bitmap = document[index].render(scale=settings.dpi / 72, grayscale=True)
        pixels = bitmap.to_numpy()
    finally:
        document.close()
    if pixels.ndim == 3:
        pixels = pixels[:, :, 0]
    pixels = without_table_rules(pixels, min_run=max(40, settings.dpi // 3))
    height, width = pixels.shape
    pgm = b"P5\n%d %d\n255\n" % (width, height) + pixels.astype("uint8").tobytes()
    mode = "" if settings.psm == 4 else f"|psm{settings.psm}"  # psm 4 keeps the cache key it always had
    cached, secret = _cache_entry(Path(cache_dir), pgm + f"|{settings.lang}|{settings.dpi}|{tesseract_version()}{mode}".encode())
    hit = _read_cached(cached, secret)
    if hit is not None:
        return hit
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "page.pgm"
        image.write_bytes(pgm)
        try:
            done = subprocess.run(["tesseract", str(image), "stdout", "-l", settings.lang, "--psm", str(settings.psm), "tsv"],
                                  capture_output=True, text=True, timeout=settings.page_timeout_s,
                                  env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        except subprocess.TimeoutExpired as exc:
            raise ReadError(ReasonCode.TIMEOUT, f"OCR of page {index + 1} took longer than {settings.page_timeout_s:g} s") from exc
    if done.returncode != 0:
        raise ReadError(ReasonCode.READER_CRASHED, f"tesseract failed on page {index + 1}: {done.stderr.strip()[:200]}")
    text, confidence = parse_tsv(done.stdout)
    _write_cached(cached, secret, {"text": text, "confidence": confidence})
    return text, confidence


def _cache_entry(cache_dir: Path, page: bytes) -> tuple[Path, bytes]:
    """Where a page's entry lives and the key that opens it: two unrelated hashes of the page image and settings."""
    name = hashlib.sha256(b"kommune-etl ocr entry|" + page).hexdigest()
    secret = hashlib.sha256(b"kommune-etl ocr key|" + page).digest()
    return cache_dir / name[:2] / f"{name}.ocr", secret


def _read_cached(path: Path, secret: bytes) -> tuple[str, float | None] | None:
    """A cache entry, or None when there is none or it is unreadable (then it is rebuilt, never trusted)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        sealed = path.read_bytes()
        record = json.loads(AESGCM(secret).decrypt(sealed[:12], sealed[12:], None))
        text, confidence = record["text"], record["confidence"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, InvalidTag):
        path.unlink(missing_ok=True)
        return None
    if not isinstance(text, str) or not (confidence is None or isinstance(confidence, (int, float))):
        path.unlink(missing_ok=True)
        return None
    return text, confidence


def _write_cached(path: Path, secret: bytes, record: dict) -> None:
    """Seal the entry, write it beside its place and rename it in: a crash leaves no truncated entry under the key."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    sealed = nonce + AESGCM(secret).encrypt(nonce, json.dumps(record, ensure_ascii=False).encode(), None)
    write_atomically(path, lambda handle: handle.write(sealed))


def _long_runs(dark, min_run: int):
    """Pixels inside horizontal runs of at least ``min_run`` dark pixels."""
    import numpy as np

    height, width = dark.shape
    edges = np.diff(np.pad(dark, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    keep = ends - starts >= min_run
    marks = np.zeros((height, width + 1), np.int32)
    np.add.at(marks, (rows[keep], starts[keep]), 1)
    np.add.at(marks, (rows[keep], ends[keep]), -1)
    return np.cumsum(marks, axis=1)[:, :width] > 0


def without_table_rules(pixels, min_run: int = 100, dark_below: int = 160):
    """The page with its table rules (long straight lines, a third of an inch and more) painted white.

    Tesseract reads a cell's digits and the ruling around them as one line and drops or garbles numbers; the
    election system's count tables are ruled grids. Letters and digits are far shorter than a rule."""
    dark = pixels < dark_below
    rules = _long_runs(dark, min_run) | _long_runs(dark.T, min_run).T
    if not rules.any():
        return pixels
    grown = rules.copy()  # one pixel on every side: the rule's anti-aliased edges go too (else they read as dashes)
    grown[1:] |= rules[:-1]
    grown[:-1] |= rules[1:]
    grown[:, 1:] |= rules[:, :-1]
    grown[:, :-1] |= rules[:, 1:]
    cleaned = pixels.copy()
    cleaned[grown] = 255
    return cleaned


def parse_tsv(tsv: str) -> tuple[str, float | None]:
    """Tesseract TSV → text (a line per OCR line, a blank line between blocks) and mean word confidence."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        lines.setdefault((int(row["block_num"]), int(row["par_num"]), int(row["line_num"])), []).append(word)
        if float(row["conf"]) >= 0:
            confidences.append(float(row["conf"]))
    out, previous_block = [], None
    for (block, _, _), words in sorted(lines.items()):
        if previous_block is not None and block != previous_block:
            out.append("")
        out.append(" ".join(words))
        previous_block = block
    return "\n".join(out), round(sum(confidences) / len(confidences), 1) if confidences else None
