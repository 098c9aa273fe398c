"""One pandas DataFrame per table a document would load, with the derived columns the checks need
(days from the document date, whether a code is valid at that date, whether a span fits its page).

GX validates columns; putting the per-row logic here keeps each expectation a plain column check. Each frame also
carries what a failed check's sentence (quality.messages) names: `where` a row is (`grant table on page 7, row 3`,
`page 2`, `agenda item 14/25 on page 3`; none in the document frame: its row is the document) and the values the
sentence quotes.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pandas as pd

from kommune_etl.models import DocType, DocumentResult
from kommune_etl.transforms.places import COUNTY, MUNICIPALITY, default_gazetteer

KNOWN_DOC_TYPES = [t.value for t in DocType]

#: What a document says it is, in its title or heading: one that speaks of a date still to come (a notice of a
#: coming meeting, a plan of any kind, a budget), or one that records what was (a protocol, minutes).
_KIND = re.compile(
    r"(?i)\b(?:(?P<future>(?:møte)?innkalling|saksliste|sakliste|kunngjøring|varsel\s+om\s+oppstart|"
    r"\w+plan(?:en|ens|ar|er|ane|ene)?|plan(?:forslag|program|strategi|beskrivelse)\w*|handlingsprogram|budsjett\w*)|"
    # a bare `plan` is no cue: it names bodies (`Hovedutvalg plan, næring og miljø`) as often as plans
    r"(?P<past>(?:møte|saks)?protokoll\w*|referat\w*|møtebok\w*|behandling\s+av\s+sak))\b")
_HEADING_LINES = 8


def future_date_is_normal(r: DocumentResult) -> bool:
    """A meeting notice (møteinnkalling), a plan or a budget is dated ahead by nature: the first word of its title
    or heading (first lines) that names a kind says so. A protocol is not, even though its first item approves
    the notice (`Godkjenning av innkalling og saksliste`): it records a meeting held, so a date ahead is a misread."""
    lines = [line.strip()[:200] for line in (r.pages[0].text.splitlines() if r.pages else ()) if line.strip()]
    kind = _KIND.search("\n".join([r.title or "", *lines[:_HEADING_LINES]]))
    return bool(kind and kind.group("future"))


def document_frame(r: DocumentResult, now: datetime | None = None) -> pd.DataFrame:
    now = now or datetime.now(timezone.utc)
    days_ahead = (r.document_date - now.date()).days if r.document_date else None
    chars = sum(len(p.text) for p in r.pages)
    letters = sum(ch.isalpha() for p in r.pages for ch in p.text)
    norwegian = sum(p.text.lower().count(w) for p in r.pages for w in (" og ", " i ", " for ", " til ", " av ", " på "))
    return pd.DataFrame([{
        "sha256": r.sha256, "doc_type": r.doc_type.value, "pages": r.page_count,
        "document_date": pd.Timestamp(r.document_date) if r.document_date else pd.NaT,
        "days_after_ingest": days_ahead,
        # days ahead that nothing in the document explains (a notice of a coming meeting explains them)
        "unexplained_days_ahead": 0 if days_ahead is not None and future_date_is_normal(r) else days_ahead,
        "document_year": r.document_year, "chars_per_page": chars / r.page_count if r.page_count else 0.0,
        "letter_share": letters / chars if chars else 0.0,
        "norwegian_words_per_1000_chars": 1000 * norwegian / chars if chars else 0.0,
        "pii_findings": len(getattr(r, "pii", ()) or ()),
        "personal_data": _personal_data(getattr(r, "pii", ()) or ()),
        "text_truncated_chars": getattr(r, "text_truncated_chars", 0),
    }])


_PII_WORDS = {"fodselsnummer": "fødselsnummer", "d_nummer": "D-nummer", "h_nummer": "H-nummer", "fh_nummer": "FH-nummer",
              "private_email": "private e-mail address", "mobile_phone": "mobile number", "orgnr": "organisation number"}


def _personal_data(findings) -> str:
    """`fødselsnummer on page 1, private e-mail address on page 1 (2)`: each kind of finding and its pages."""
    counts: dict[tuple[str, int], int] = {}
    for page, kind in findings:
        counts[kind, page] = counts.get((kind, page), 0) + 1
    return ", ".join(f"{_PII_WORDS.get(kind, kind.replace('_', ' '))} on page {page}" + (f" ({n})" if n > 1 else "")
                     for (kind, page), n in counts.items())


_LABEL_WORDS = {MUNICIPALITY: "municipality", COUNTY: "county"}


def _distance(days: int | None) -> str | None:
    if days is None:
        return None
    years = abs(days) / 365.25
    amount = f"{years:.0f} years" if years >= 2 else f"{abs(days)} days"
    return f"{amount} {'after' if days > 0 else 'before'}"


def entity_frame(r: DocumentResult) -> pd.DataFrame:
    pages = {p.number: p.text for p in r.pages}
    reference = r.document_date or (date(r.document_year, 7, 1) if r.document_year else None)
    said = (reference.isoformat() if r.document_date else f"{reference.isoformat()} (only the year is known)"
            if reference else "an unknown date")
    gazetteer = default_gazetteer()
    rows = []
    for e in r.entities:
        days = None
        if e.label == "DATE" and reference:
            days = (date.fromisoformat(e.value) - reference).days
        code_valid = None
        if e.label in (MUNICIPALITY, COUNTY) and e.value and reference:
            code_valid = any(u.code == e.value and u.label == e.label and u.valid_on(reference)
                             for u in gazetteer.units)
        rows.append({
            "where": f"page {e.page}", "label": e.label, "kind": _LABEL_WORDS.get(e.label, e.label.lower()),
            "text": e.text, "page": e.page, "start": e.start, "end": e.end,
            "code": e.value if e.label in (MUNICIPALITY, COUNTY) else None, "reference": said,
            "distance": _distance(days),
            "amount_nok": float(e.value) if e.label == "AMOUNT" and e.value is not None else None,
            "days_from_document_date": days, "code_valid_at_document_date": code_valid,
            "code_resolved": bool(e.value) if e.label in (MUNICIPALITY, COUNTY) else None,
            "span_inside_page": 0 <= e.start < e.end <= len(pages.get(e.page, "")) and pages[e.page][e.start:e.end] == e.text,
        })
    return pd.DataFrame(rows, columns=["where", "label", "kind", "text", "page", "start", "end", "code", "reference",
                                       "distance", "amount_nok", "days_from_document_date",
                                       "code_valid_at_document_date", "code_resolved", "span_inside_page"])


def item_frame(r: DocumentResult) -> pd.DataFrame:
    meeting = getattr(r.structures, "meeting", None)
    rows = []
    for item in meeting.items if meeting else ():
        votes = (item.votes_for or 0) + (item.votes_against or 0)
        rows.append({"where": f"agenda item {item.case}" + (f" on page {item.page}" if item.page else ""),
                     "case": item.case, "outcome": item.outcome, "votes_for": item.votes_for or 0,
                     "votes_against": item.votes_against or 0, "votes_total": votes,
                     "members_present": len(meeting.members_present),
                     # a decision record lists no attendance: nothing to compare the votes with
                     "votes_over_members": votes - len(meeting.members_present)
                     if item.votes_for is not None and meeting.members_present else None})
    return pd.DataFrame(rows, columns=["where", "case", "outcome", "votes_for", "votes_against", "votes_total",
                                       "members_present", "votes_over_members"])


_TIMES = {2: "twice", 3: "three times"}


def grant_frame(r: DocumentResult) -> pd.DataFrame:
    grants = getattr(r.structures, "grants", ()) or ()
    rows = [{"where": "grant table" + (f" on page {g.page}" if g.page else "") + (f", row {g.row}" if g.row else ""),
             "sha256": r.sha256, "page": g.page, "row": g.row, "recipient": g.recipient, "column": g.column,
             "project_number": g.project_number, "recipient_level": g.recipient_level,
             "recipient_resolved": bool(g.recipient_code or g.historical_code), "amount_nok": float(g.amount_nok)}
            for g in grants]
    frame = pd.DataFrame(rows, columns=["where", "sha256", "page", "row", "recipient", "column", "project_number",
                                        "recipient_level", "recipient_resolved", "amount_nok"])
    # how often the (recipient, column, project) of each row occurs: the duplicate check's sentence says it
    counts = frame.groupby(["recipient", "column", "project_number"], dropna=False)["recipient"].transform("size")
    frame["times"] = [_TIMES.get(n, f"{n} times") for n in counts]
    return frame


def total_frame(r: DocumentResult) -> pd.DataFrame:
    totals = getattr(r.structures, "table_totals", ()) or ()
    return pd.DataFrame([{"where": "grant table" + (f" on page {t.page}" if t.page else "") + ", SUM row",
                          "column": t.column, "stated_sum": float(t.stated_sum),
                          "computed_sum_of_rows": float(t.computed_sum_of_rows), "difference": float(t.difference),
                          "off_by": abs(float(t.difference)), "consistent": t.consistent} for t in totals],
                        columns=["where", "column", "stated_sum", "computed_sum_of_rows", "difference", "off_by",
                                 "consistent"])


def vote_frame(r: DocumentResult) -> pd.DataFrame:
    """One row per vote; `issue` holds its reconciliation problems, so a warning says what is wrong."""
    meeting = getattr(r.structures, "meeting", None)
    rows = []
    for item in meeting.items if meeting else ():
        for number, vote in enumerate(item.votes, start=1):
            page = vote.page or item.page
            # each problem starts with the vote's label, which `where` names already
            issues = [i.removeprefix(f"{vote.label}: ") for i in vote.issues]
            rows.append({"where": f"agenda item {item.case}, vote {number} ({vote.label})"
                                  + (f" on page {page}" if page else ""),
                         "case": item.case, "issue": "; ".join(issues) or None,
                         "reconciliation_issues": len(vote.issues)})
    return pd.DataFrame(rows, columns=["where", "case", "issue", "reconciliation_issues"])


def meeting_frame(r: DocumentResult) -> pd.DataFrame:
    meeting = getattr(r.structures, "meeting", None)
    if meeting is None:
        return pd.DataFrame([], columns=["where", "template"])
    return pd.DataFrame([{"where": "the meeting protocol", "template": meeting.template}])


def election_frame(r: DocumentResult) -> pd.DataFrame:
    """One row per reconciliation problem of an election protocol (party sums, seats, approved + rejected,
    large preliminary/final deviations), and one clean row per protocol without any."""
    from kommune_etl.transforms.structures.elections import read_problems

    elections = getattr(r.structures, "elections", ()) or ()
    rows = []
    for protocol in elections:
        where = " ".join(str(part) for part in (protocol.election, protocol.year, protocol.area_name) if part)
        problems = read_problems(protocol)
        findings = [i for i in protocol.issues if i not in problems]
        rows += [{"where": where, "issue": issue, "reconciliation_issues": 1, "count_deviations": 0} for issue in problems]
        rows += [{"where": where, "issue": issue.removeprefix("deviation: "), "reconciliation_issues": 0,
                  "count_deviations": 1} for issue in findings]
        if not protocol.issues:
            rows.append({"where": where, "issue": None, "reconciliation_issues": 0, "count_deviations": 0})
    return pd.DataFrame(rows, columns=["where", "issue", "reconciliation_issues", "count_deviations"])
