"""Insert a document's structures (meeting, letter, report, grant tables) into their tables.

Called inside the loader's transaction; one function per table family.
"""

from __future__ import annotations

import duckdb

from transforms.structures.records import Structures
from warehouse.bulk import insert_rows

GRANT_COLUMNS = ("sha256", "recipient", "recipient_level", "recipient_code", "column_name", "column_meaning",
                 "amount_nok", "project_number", "year", "page_number", "historical_code")
ATTENDANCE_COLUMNS = ("sha256", "person", "party_as_written", "party", "role", "substitute_for", "title", "present",
                      "page_number")


def insert_structures(con: duckdb.DuckDBPyConnection, sha256: str, s: Structures) -> None:
    if s.meeting:
        _meeting(con, sha256, s.meeting)
    if s.letter:
        l = s.letter
        con.execute("INSERT INTO letters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [sha256, l.sender, list(l.recipients), l.our_reference, l.your_reference, l.date, l.case_handler,
                     l.subject, [{"what": w, "date": d} for w, d in l.deadlines], list(l.project_numbers)])
    if s.report:
        con.execute("INSERT INTO reports VALUES (?, ?, ?)", [sha256, s.report.organisation, s.report.year])
        if s.report.sections:
            con.executemany("INSERT INTO report_sections VALUES (?, ?, ?, ?, ?, ?)", [
                [sha256, i, r.title, r.leader, r.coordinator, [{"initiative": a, "status": b} for a, b in r.initiatives]]
                for i, r in enumerate(s.report.sections, start=1)])
    if s.grants:
        insert_rows(con, "grant_allocations", GRANT_COLUMNS, [
            (sha256, g.recipient, g.recipient_level, g.recipient_code, g.column, g.column_meaning, g.amount_nok,
             g.project_number, g.year, g.page, g.historical_code) for g in s.grants])
    if s.table_totals:
        con.executemany("INSERT INTO table_totals VALUES (?, ?, ?, ?, ?, ?, ?)", [
            [sha256, t.column, t.stated_sum, t.computed_sum_of_rows, t.consistent, t.difference, t.page]
            for t in s.table_totals])


def _meeting(con: duckdb.DuckDBPyConnection, sha256: str, m) -> None:
    con.execute("INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sha256, m.body, m.municipality, m.date, m.start, m.end, m.place, m.chair, m.secretary,
                 len(m.members_present)])
    if m.attendees:
        insert_rows(con, "meeting_attendance", ATTENDANCE_COLUMNS, [
            (sha256, a.name, a.party, a.party_code, a.role, a.substitute_for, a.title, a.present, a.page)
            for a in m.attendees])
    for item in m.items:
        con.execute("INSERT INTO agenda_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [sha256, item.case, item.archive_ref, item.title, item.item_type, item.decision_kind,
                     item.proposed_decision, item.decision_text, item.outcome, item.votes_for, item.votes_against,
                     list(item.against_parties), list(item.issues), item.page])
        for position, p in enumerate(item.extra_proposals, start=1):
            con.execute("INSERT INTO proposals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [sha256, item.case, position, p.by, p.kind, p.outcome, p.votes_for, p.votes_against,
                         list(p.against_parties)])
