"""Rebuild cases and their handlings from the agenda items of every meeting and the case documents.

Each run that changed documents replaces the tables in one transaction (O(agenda items), like identity).
"""

from __future__ import annotations

import duckdb

from kommune_etl.transforms.cases import Handling, link_cases
from kommune_etl.warehouse.bulk import insert_rows

_HANDLINGS = """
    SELECT a.sha256, a.case_number, m.body, m.meeting_date, a.archive_ref, a.title, a.proposed_decision, a.outcome,
           a.decision_text, m.municipality
    FROM agenda_items a JOIN meetings m USING (sha256) JOIN document_years USING (sha256)"""
_CASE_DOCUMENTS = """
    SELECT c.sha256, c.archive_ref, c.title, c.proposal, d.document_date
    FROM case_documents c JOIN document_years d USING (sha256)"""
_NO_TITLE = ("sak ", "ps ", "rs ")


def rebuild_cases(con: duckdb.DuckDBPyConnection) -> int:
    """Replace cases and case_handlings; returns the number of cases."""
    rows = con.execute(_HANDLINGS).fetchall()
    documents = con.execute(_CASE_DOCUMENTS).fetchall()
    handlings = [Handling(f"h|{sha}|{case}", municipality, ref, (proposal or "", decision or ""),
                          date.isoformat() if date else None, title)
                 for sha, case, body, date, ref, title, proposal, outcome, decision, municipality in rows]
    handlings += [Handling(f"d|{sha}", None, ref, (proposal or "",), None, title) for sha, ref, title, proposal, _ in documents]
    links = {link.key: link for link in link_cases(handlings)}
    out_rows, cases = [], {}
    for sha, case, body, date, ref, title, proposal, outcome, decision, municipality in rows:
        link = links[f"h|{sha}|{case}"]
        out_rows.append((link.case_id, sha, case, body, date, "handling", proposal, outcome, decision, link.rule))
        _note(cases, link.case_id, ref, title, municipality, date, body, outcome)
    for sha, ref, title, proposal, _ in documents:
        link = links[f"d|{sha}"]
        out_rows.append((link.case_id, sha, None, None, None, "case_document", proposal, None, None, link.rule))
        _note(cases, link.case_id, ref, title, None, None, None, None, from_document=True)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM case_handlings")
        con.execute("DELETE FROM cases")
        insert_rows(con, "cases", ("case_id", "archive_ref", "title", "municipality_code", "handlings", "first_handled",
                                   "last_handled", "last_body", "status"),
                    [(cid, c["ref"], c["title"], c["municipality"], c["handlings"], c["first"], c["last"], c["last_body"],
                      c["status"] or ("proposed" if not c["handlings"] else None)) for cid, c in sorted(cases.items())])
        insert_rows(con, "case_handlings", ("case_id", "sha256", "case_number", "body", "meeting_date", "kind", "proposal",
                                            "outcome", "decision", "link_rule"), out_rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(cases)


def _note(cases: dict, case_id: str, ref, title, municipality, date, body, outcome, from_document: bool = False) -> None:
    c = cases.setdefault(case_id, {"ref": None, "title": None, "municipality": None, "handlings": 0, "first": None,
                                   "last": None, "last_body": None, "status": None})
    c["ref"] = c["ref"] or ref
    named = title and not title.lower().startswith(_NO_TITLE)
    if named and (from_document or not c["title"]):
        c["title"] = title  # a case document's title wins: the handlings often print only `Sak 2/2026`
    c["municipality"] = c["municipality"] or municipality
    if from_document:
        return
    c["handlings"] += 1
    if date and (c["first"] is None or date < c["first"]):
        c["first"] = date
    if date and (c["last"] is None or date >= c["last"]):
        c["last"], c["last_body"], c["status"] = date, body, outcome
