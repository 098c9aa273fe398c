"""`kommune-etl report` opened in headless Chromium: no console errors, every chart drawn, real numbers shown.

Set KOMMUNE_ETL_UPDATE_SCREENSHOT=1 to refresh docs/report.png (shown in the README) from this run.
"""

from __future__ import annotations

import pytest

import os
import subprocess
import sys

from chromium import visit
from conftest import REPO

CHARTS = """(() => Array.from(document.querySelectorAll('svg.chart')).map(svg => ({
    label: svg.getAttribute('aria-label'),
    width: svg.getBoundingClientRect().width,
    bars: Array.from(svg.querySelectorAll('rect.bar')).filter(r => {
        const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length,
})).concat([{sections: document.querySelectorAll('section').length,
             text: document.body.innerText,
             external: Array.from(document.querySelectorAll('[src],link[href]')).length}]))()"""


@pytest.mark.slow
def test_report_renders_in_headless_chromium(sample_warehouse, tmp_path):
    result = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "report", "--out", str(tmp_path / "report"),
                             "--db", str(sample_warehouse)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    page = tmp_path / "report" / "index.html"
    assert result.stdout.strip() == f"report: {page.resolve().as_uri()}"

    seen = visit(page.as_uri(), CHARTS)

    assert seen.errors == []
    *charts, summary = seen.result
    bars = {c["label"]: c["bars"] for c in charts}
    assert bars == {
        "Documents per type and month": 3,                      # grant letter 2023-05, deck 2024-09, protocol 2025-03
        "Grants by county (2020–2023 regions) and year, NOK": 22,  # 11 regions x 2023 and 2024
        "Municipalities by mentions": 10,
        "Projects by mentions": 10,
        "Documents checked, with errors and with warnings, per run": 2,  # 5 checked, 4 with warnings, 0 errors
        "Votes per body and outcome": 2,                         # Oppvekstutvalget: adopted and rejected
        "Member-meetings per body: present and absent": 1,       # Oppvekstutvalget 18.03.2025: 11 present
    }
    assert all(c["width"] > 300 for c in charts)
    assert summary["sections"] == 9 and summary["external"] == 0   # nothing to fetch: self-contained
    text = summary["text"]
    assert "Kristiansand (4204)" in text and "Felles innføringsløp" in text
    assert "2 856 532" in text and "4 734 462" in text and "31, 32, 33" in text   # Viken 2023 and 2024
    assert "nothing in quarantine" in text
    assert "Representatives, attendance and party cohesion" in text and "Arve Stokkelien" in text
    assert "Votes and roll calls" in text and "no roll-call votes" in text   # the sample protocol names no voters
    assert seen.screenshot[:8] == b"\x89PNG\r\n\x1a\n" and len(seen.screenshot) > 50_000
    if os.environ.get("KOMMUNE_ETL_UPDATE_SCREENSHOT"):
        (REPO / "docs" / "report.png").write_bytes(seen.screenshot)


def test_report_shows_quarantined_documents(sample_warehouse, tmp_path):
    import shutil

    from kommune_etl.pipeline import ingest_paths
    from kommune_etl.report.data import read_report_data
    from kommune_etl.warehouse.connection import open_warehouse

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, db)
    bad = tmp_path / "inbox" / "broken.pdf"
    bad.parent.mkdir()
    bad.write_bytes(b"%PDF-1.7\n%%EOF\n")
    ingest_paths([bad.parent], db, check_quality=False)
    data = read_report_data(open_warehouse(db, read_only=True), str(db), "now")
    assert [(q[0], q[1], q[2]) for q in data.quarantined] == [("corrupt", "read", str(bad))]
    assert data.totals["documents"] == 6 and data.totals["rejected"] + data.totals["quarantined"] == 1
