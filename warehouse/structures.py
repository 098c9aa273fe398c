"""Insert a document's structures (meeting, letter, report, grant tables) into their tables.

Called inside the loader's transaction; one function per table family.
"""

from __future__ import annotations

import duckdb

from kommune_etl.transforms.structures.elections import reconciles
from kommune_etl.transforms.structures.records import Meeting, Structures, Vote
from kommune_etl.warehouse.bulk import insert_rows

GRANT_COLUMNS = ("sha256", "recipient", "recipient_level", "recipient_code", "column_name", "column_meaning",
                 "amount_nok", "project_number", "year", "page_number", "historical_code")
ATTENDANCE_COLUMNS = ("sha256", "person", "party_as_written", "party", "role", "substitute_for", "title", "present",
                      "page_number")


def insert_structures(con: duckdb.DuckDBPyConnection, sha256: str, s: Structures) -> None:
    for part, (protocol, area) in enumerate(zip(s.elections, s.election_areas), start=1):
        _election(con, sha256, part, protocol, area)
    if s.meeting:
        _meeting(con, sha256, s.meeting)
    if s.case_document:
        c = s.case_document
        insert_rows(con, "case_documents", ("sha256", "archive_ref", "title", "case_handler", "bodies", "meeting_dates",
                                            "proposal"),
                    [(sha256, c.archive_ref, c.title, c.case_handler, list(c.bodies), list(c.meeting_dates), c.proposal)])
    if s.letter:
        letter = s.letter
        con.execute("INSERT INTO letters (sha256, sender, recipients, our_reference, your_reference, letter_date, "
                    "case_handler, subject, deadlines, project_numbers, signers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [sha256, letter.sender, list(letter.recipients), letter.our_reference, letter.your_reference,
                     letter.date, letter.case_handler, letter.subject,
                     [{"what": w, "date": d} for w, d in letter.deadlines], list(letter.project_numbers),
                     [{"name": n, "title": t} for n, t in letter.signers]])
    if s.report:
        con.execute("INSERT INTO reports (sha256, organisation, year) VALUES (?, ?, ?)", [sha256, s.report.organisation, s.report.year])
        if s.report.sections:
            con.executemany("INSERT INTO report_sections (sha256, position, title, leader, coordinator, "
                            "initiatives) VALUES (?, ?, ?, ?, ?, ?)", [
                [sha256, i, r.title, r.leader, r.coordinator, [{"initiative": a, "status": b} for a, b in r.initiatives]]
                for i, r in enumerate(s.report.sections, start=1)])
    if s.grants:
        insert_rows(con, "grant_allocations", GRANT_COLUMNS, [
            (sha256, g.recipient, g.recipient_level, g.recipient_code, g.column, g.column_meaning, g.amount_nok,
             g.project_number, g.year, g.page, g.historical_code) for g in s.grants])
    if s.table_totals:
        con.executemany("INSERT INTO table_totals (sha256, column_name, stated_sum, computed_sum_of_rows, "
                        "consistent, difference, page_number) VALUES (?, ?, ?, ?, ?, ?, ?)", [
            [sha256, t.column, t.stated_sum, t.computed_sum_of_rows, t.consistent, t.difference, t.page]
            for t in s.table_totals])


MEETING_COLUMNS = ("sha256", "body", "municipality", "meeting_date", "start_time", "end_time", "place", "chair", "secretary",
                   "members_present", "template", "template_evidence", "language", "approved_by", "members_absent")
ITEM_COLUMNS = ("sha256", "case_number", "archive_ref", "title", "item_type", "decision_kind", "proposed_decision",
                "decision_text", "outcome", "votes_for", "votes_against", "against_parties", "issues", "page_number", "handled_by")
VOTE_COLUMNS = ("sha256", "case_number", "position", "label", "kind", "proposed_by", "proposer_party", "outcome", "unanimous",
                "votes_for", "votes_against", "parties_for", "parties_against", "alternatives", "casting_vote", "proposal_text",
                "page_number", "issues")
VOTE_POSITION_COLUMNS = ("sha256", "case_number", "vote_position", "person", "written_as", "party", "position", "resolved")


def _meeting(con: duckdb.DuckDBPyConnection, sha256: str, m: Meeting) -> None:
    insert_rows(con, "meetings", MEETING_COLUMNS, [
        (sha256, m.body, m.municipality, m.date, m.start, m.end, m.place, m.chair, m.secretary, len(m.members_present),
         m.template, list(m.template_evidence), m.language, list(m.approved_by), len(m.members_absent))])
    if m.attendees:
        insert_rows(con, "meeting_attendance", ATTENDANCE_COLUMNS, [
            (sha256, a.name, a.party, a.party_code, a.role, a.substitute_for, a.title, a.present, a.page)
            for a in m.attendees])
    attendee_parties = {a.name: a.party_code for a in m.attendees}
    insert_rows(con, "agenda_items", ITEM_COLUMNS, [
        (sha256, item.case, item.archive_ref, item.title, item.item_type, item.decision_kind, item.proposed_decision,
         item.decision_text, item.outcome, item.votes_for, item.votes_against, list(item.against_parties),
         list(item.issues), item.page, item.handled_by) for item in m.items])
    numbered = [(item.case, n, v) for item in m.items for n, v in enumerate(item.votes, start=1)]
    insert_rows(con, "votes", VOTE_COLUMNS, [_vote_row(sha256, case, n, v) for case, n, v in numbered])
    insert_rows(con, "vote_positions", VOTE_POSITION_COLUMNS,
                [row for case, n, v in numbered for row in _position_rows(sha256, case, n, v, attendee_parties)])
    for item in m.items:
        for position, p in enumerate(item.extra_proposals, start=1):
            con.execute("INSERT INTO proposals (sha256, case_number, position, proposed_by, kind, outcome, "
                        "votes_for, votes_against, against_parties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [sha256, item.case, position, p.by, p.kind, p.outcome, p.votes_for, p.votes_against,
                         list(p.against_parties)])


def _vote_row(sha256: str, case: str, position: int, v: Vote) -> tuple:
    alternatives = [{"label": o.label, "proposed_by": o.by, "votes": o.votes, "outcome": o.outcome} for o in v.alternatives]
    return (sha256, case, position, v.label, v.kind, v.by, v.by_party, v.outcome, v.unanimous, v.votes_for, v.votes_against,
            list(v.parties_for), list(v.parties_against), alternatives, v.casting_vote, v.text, v.page, list(v.issues))


def _position_rows(sha256: str, case: str, position: int, v: Vote, attendees: dict[str, str | None]) -> list[tuple]:
    """Each named voter once per side, with the party the attendance list gives (else the one beside the name)."""
    sides = [("for", v.voters_for, v.for_as_written, v.for_voter_parties),
             ("against", v.voters_against, v.against_as_written, v.against_voter_parties)]
    sides += [(o.label, o.voters, o.voters_as_written, o.voter_parties) for o in v.alternatives]
    rows, seen = [], set()
    for side, names, written, parties in sides:
        for name, as_written, party in zip(names, written, parties or (None,) * len(names)):
            if (name, side) in seen:
                continue
            seen.add((name, side))
            rows.append((sha256, case, position, name, as_written, attendees.get(name) or party, side, name in attendees))
    return rows


ELECTION_COLUMNS = ("sha256", "part", "election", "election_year", "kind", "language", "printed_at", "municipality", "county",
                    "district", "municipality_code", "county_code", "municipality_code_elected", "county_code_elected",
                    "council_size", "eligible_voters", "marked_in_register", "turnout_percent", "advance_votings_approved",
                    "election_day_votings_approved", "votings_rejected", "ballots_approved", "ballots_rejected",
                    "text_source", "reconciled", "issues")


def _election(con: duckdb.DuckDBPyConnection, sha256: str, part: int, p, area) -> None:
    k = p.key_figures
    insert_rows(con, "elections", ELECTION_COLUMNS, [(
        sha256, part, p.election, p.year, p.kind, p.language, p.document_date, area.municipality, area.county, p.district,
        area.municipality_code, area.county_code, area.municipality_code_elected, area.county_code_elected, p.council_size,
        k.eligible_voters, k.marked_in_register, k.turnout_percent, k.advance_votings_approved,
        k.election_day_votings_approved, k.votings_rejected, k.ballots_approved, k.ballots_rejected, p.source,
        reconciles(p), list(p.issues))])
    insert_rows(con, "election_counts", ("sha256", "part", "table_code", "party", "party_code", "preliminary", "final", "deviation"),
                [(sha256, part, c.table, c.party, c.party_code, c.preliminary, c.final, c.deviation) for c in p.counts])
    insert_rows(con, "election_rejections", ("sha256", "part", "table_code", "reason", "domestic", "abroad"),
                [(sha256, part, r.table, r.reason, r.domestic, r.abroad) for r in p.rejections])
    insert_rows(con, "election_seats", ("sha256", "part", "party", "party_code", "seats"),
                [(sha256, part, x.party, x.party_code, x.seats) for x in p.seats])
    insert_rows(con, "election_elected", ("sha256", "part", "party", "party_code", "rank", "name", "birth_year", "role",
                                          "personal_votes"),
                [(sha256, part, e.party, e.party_code, e.rank, e.name, e.birth_year, e.role, e.personal_votes) for e in p.elected])
    insert_rows(con, "election_candidates", ("sha256", "part", "party", "party_code", "rank", "name", "birth_year",
                                             "personal_votes"),
                [(sha256, part, e.party, e.party_code, e.rank, e.name, e.birth_year, e.personal_votes) for e in p.candidates])
    insert_rows(con, "election_board", ("sha256", "part", "name", "role"), [(sha256, part, n, r) for n, r in p.board])
    insert_rows(con, "election_remarks", ("sha256", "part", "table_code", "text"), [(sha256, part, r.table, r.text) for r in p.remarks])
