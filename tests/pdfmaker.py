"""Build small, valid PDFs in tests (so hostile cases are real files, not mocks)."""

from __future__ import annotations

import zlib


def make_pdf(content_stream: bytes, compress: bool = False) -> bytes:
    """A one-page PDF with Helvetica and the given content stream, with a correct xref table."""
    stream = zlib.compress(content_stream, 9) if compress else content_stream
    filter_entry = b" /Filter /FlateDecode" if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), filter_entry) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_of(objects)


def pdf_of(objects: list[bytes]) -> bytes:
    """The PDF file of numbered objects (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_pdf(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return make_pdf(b"BT /F1 12 Tf 72 750 Td (" + escaped.encode("latin-1") + b") Tj ET")


def bomb_pdf(inflated_mb: int = 300) -> bytes:
    """A visible line of text followed by a comment that inflates to ``inflated_mb`` megabytes."""
    body = b"BT /F1 12 Tf 72 750 Td (Bomb) Tj ET\n%" + b" " * (inflated_mb * 1024 * 1024) + b"\n"
    return make_pdf(body, compress=True)
