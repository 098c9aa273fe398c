"""Render ReportData as one HTML file (inline CSS and SVG, a few lines of inline JS for sortable tables)."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from pathlib import Path

import duckdb

from kommune_etl import __version__
from kommune_etl.report.charts import bar_list, column_chart
from kommune_etl.report.data import ReportData, read_report_data

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#2f6690;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}main{padding:8px 32px 40px;max-width:1100px}
section{background:#fff;border:1px solid #e2e5ea;border-radius:6px;padding:14px 20px;margin:16px 0}
h2{font-size:17px;margin:2px 0 10px}.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#eef3f8;border-radius:6px;padding:8px 14px;min-width:110px}.card b{display:block;font-size:20px}
.row{display:flex;gap:24px;flex-wrap:wrap}table{border-collapse:collapse;width:100%;margin-top:8px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{cursor:pointer;background:#f2f4f7;user-select:none}td.num{text-align:right;font-variant-numeric:tabular-nums}
.chart text{font-size:11px;fill:#444}.chart .legend{font-size:12px}.grid{stroke:#e5e7eb}.baseline{stroke:#888}
.muted{color:#666}.ok{color:#2e7d32}.bad{color:#b71c1c}
"""

# Click a header to sort its table; numbers sort numerically. No network, no library.
JS = """
document.querySelectorAll('table.sortable th').forEach(function (th, index) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.dataset.dir !== 'asc';
    th.dataset.dir = asc ? 'asc' : 'desc';
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.v || a.cells[index].textContent;
      var y = b.cells[index].dataset.v || b.cells[index].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'nb');
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


def _table(headers: list[str], rows: list[tuple], numeric: set[int] = frozenset(), empty: str = "none") -> str:
    if not rows:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if i in numeric and value is not None:
                cells.append(f'<td class="num" data-v="{value}">{_fmt(value)}</td>')
            else:
                cells.append(f"<td>{escape(_text(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _fmt(value) -> str:
    return f"{float(value):,.0f}".replace(",", " ")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def render_report(d: ReportData) -> str:
    t = d.totals
    cards = "".join(f'<div class="card"><b>{_fmt(t[k])}</b>{label}</div>' for k, label in (
        ("documents", "documents"), ("ok", "readable"), ("quarantined", "quarantined"), ("rejected", "rejected"),
        ("pages", "pages"), ("entities", "entities"), ("runs", "runs")))
    sections = [
        ("overview", "Corpus overview", f'<div class="cards">{cards}</div>'
         + _table(["document type", "documents", "pages"], d.by_type, {1, 2})),
        ("per-month", "Documents per type and month",
         (column_chart("Documents per type and month", d.months, d.per_month, stacked=True) if d.months
          else '<p class="muted">no dated documents</p>')
         + f'<p class="muted">{d.undated} readable document(s) state no date and are not in the chart.</p>'),
        ("grants", "Grants by county and year",
         (column_chart("Grants by county (2020–2023 regions) and year, NOK", d.grant_regions, d.grant_years, money=True)
          if d.grant_regions else '<p class="muted">no grant tables yet</p>')
         + '<p class="muted">Allocated amounts (granted / to distribute). Counties are mapped to the 2020–2023 map so that '
           'a 2023 Viken row and 2024 Akershus, Buskerud and Østfold rows fall in one region (mart_grants_by_region_year).</p>'
         + _table(["year", "region code", "region", "2024 codes", "column", "NOK", "recipients as written", "documents"],
                  d.grant_rows, {5, 7})),
        ("top", "Top municipalities and projects",
         '<div class="row"><div><h3>Municipalities by mentions</h3>'
         + bar_list("Municipalities by mentions", [r[0] for r in d.top_municipalities],
                    [r[1] for r in d.top_municipalities])
         + '</div><div><h3>Projects by mentions</h3>'
         + bar_list("Projects by mentions", [r[0] for r in d.top_projects], [r[1] for r in d.top_projects])
         + "</div></div>"),
        ("politics", "Votes and roll calls",
         (column_chart("Votes per body and outcome", d.vote_bodies, d.votes_by_body, stacked=True) if d.vote_bodies
          else '<p class="muted">no votes read yet</p>')
         + '<h3>How each party\'s named voters voted (roll calls)</h3>'
         + _table(["party", "for", "against", "% on the winning side", "roll calls"], d.party_positions, {1, 2, 3, 4},
                  empty="no roll-call votes")
         + '<h3>Votes</h3><p class="muted">Counts as stated; an alternative vote shows each side. Reconciled: named voters '
           'agree with the stated counts and the attendance list (mart_votes).</p>'
         + _table(["date", "body", "case", "voted on", "proposed by", "outcome", "count", "named voters", "reconciled"],
                  d.votes, {7}, empty="no votes")),
        ("people", "Representatives, attendance and party cohesion",
         (column_chart("Member-meetings per body: present and absent", d.attendance_bodies, d.attendance, stacked=True)
          if d.attendance_bodies else '<p class="muted">no attendance lists read yet</p>')
         + (bar_list("Party cohesion: roll calls where the party voted as one, %", d.cohesion_labels, d.cohesion)
            if d.cohesion_labels else '<p class="muted">too few roll-call votes for cohesion</p>')
         + '<p class="muted">People are resolved across documents within a municipality (persons, person_links); '
           'cohesion counts roll calls with two or more of the party named (mart_party_cohesion).</p>'
         + _table(["name", "parties", "municipality", "meetings", "missed", "votes", "in the minority",
                   "against own party", "proposals", "bodies", "elected"], d.representatives, {3, 4, 5, 6, 7, 8},
                  empty="no representatives yet")
         + '<h3>Cases handled by more than one body</h3>'
         + _table(["archive case", "title", "municipality", "handlings", "first", "last", "last body", "status"], d.cases,
                  {3}, empty="no case seen in more than one body")),
        ("elections", "Elections: turnout and the counting control",
         (bar_list("Turnout by municipality, %", [f"{r[0]} {r[1]}" for r in d.turnout], [r[2] for r in d.turnout])
          if d.turnout else '<p class="muted">no election protocols yet</p>')
         + '<h3>Largest differences between the preliminary and the final count</h3><p class="muted">Per party and '
           'ballot kind (advance D1.4, election day D2.4): the control that catches counting errors '
           '(mart_election_count_deviations).</p>'
         + _table(["year", "municipality", "ballots", "party", "preliminary", "final", "difference", "%"], d.deviations,
                  {4, 5, 6, 7}, empty="no differences between the counts")),
        ("quality", "Quality results over runs",
         (column_chart("Documents checked, with errors and with warnings, per run",
                       [f"run {r[0]}" for r in d.quality_runs],
                       {"checked": [r[2] for r in d.quality_runs], "with errors": [r[3] for r in d.quality_runs],
                        "with warnings": [r[4] for r in d.quality_runs]}) if d.quality_runs else "")
         + _table(["run", "started (UTC)", "documents", "with errors", "with warnings", "failed checks"],
                  d.quality_runs, {0, 2, 3, 4, 5}, empty="no validated runs yet")),
        ("quarantine", f"Quarantined documents ({len(d.quarantined)} open)",
         _table(["reason", "stage", "source", "message", "since (UTC)"], d.quarantined,
                empty="nothing in quarantine")),
    ]
    nav = " · ".join(f'<a href="#{sid}">{escape(title)}</a>' for sid, title, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{escape(title)}</h2>{html}</section>' for sid, title, html in sections)
    return (f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>kommune-etl report</title><style>{CSS}</style></head><body>"
            f"<header><h1>kommune-etl report</h1><p>{escape(d.db_path)} · generated {escape(d.generated_at)}"
            f" · kommune-etl {__version__}</p></header><main><p>{nav}</p>{body}</main>"
            f"<script>{JS}</script></body></html>")


def write_report(con: duckdb.DuckDBPyConnection, out_dir: Path, db_path: str) -> Path:
    """Write ``out_dir/index.html`` and return its path."""
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    html = render_report(read_report_data(con, db_path, generated))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    target.write_text(html, encoding="utf-8")
    return target
