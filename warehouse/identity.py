"""Rebuild persons, their names, mentions, links and memberships from every place a name stands in the warehouse.

The structure tables keep names as written per document; this gathers them (attendance and the absent members
substitutes met for, named voters in the vote lists' own forms, proposers, chairs, secretaries, elected
representatives, alternates and candidates, election boards, letters' case handlers and signers, annual reports'
section leaders and coordinators, PERSON entities), resolves them with transforms.identity, and replaces the
identity tables in one transaction. A rebuild reads every current document's names: O(names in the warehouse),
cheap next to reading a document.
"""

from __future__ import annotations

from datetime import date

import duckdb

from kommune_etl.transforms.actors import party_code
from kommune_etl.transforms.identity import Appearance, resolve, split_party
from kommune_etl.warehouse.bulk import insert_rows

#: Where names stand, as (role, SQL giving sha256, name, party, body, date, page, scope). Scope: the municipality
#: the document is about when the warehouse knows it, else the document itself.
_SOURCES = {
    "attendance": """
        SELECT a.role, a.sha256, a.person, a.party, m.body, m.meeting_date, a.page_number,
               coalesce(m.municipality, 'doc:' || a.sha256)
        FROM meeting_attendance a JOIN meetings m USING (sha256) JOIN document_years USING (sha256)""",
    "absent_member": """
        SELECT 'absent_member', a.sha256, a.substitute_for, a.party, m.body, m.meeting_date, a.page_number,
               coalesce(m.municipality, 'doc:' || a.sha256)
        FROM meeting_attendance a JOIN meetings m USING (sha256) JOIN document_years USING (sha256)
        WHERE a.substitute_for IS NOT NULL""",
    "voter": """
        SELECT 'voter', v.sha256, v.person, v.party, m.body, m.meeting_date, t.page_number, coalesce(m.municipality, 'doc:' || v.sha256)
        FROM vote_positions v JOIN meetings m USING (sha256) JOIN document_years USING (sha256)
        JOIN votes t ON t.sha256 = v.sha256 AND t.case_number = v.case_number AND t.position = v.vote_position
        UNION ALL  -- the form the vote list prints (`Janne K. J. Larsen`), where the reader matched it to an attendee
        SELECT 'voter', v.sha256, v.written_as, v.party, m.body, m.meeting_date, t.page_number, coalesce(m.municipality, 'doc:' || v.sha256)
        FROM vote_positions v JOIN meetings m USING (sha256) JOIN document_years USING (sha256)
        JOIN votes t ON t.sha256 = v.sha256 AND t.case_number = v.case_number AND t.position = v.vote_position
        WHERE v.written_as IS NOT NULL AND v.written_as <> v.person""",
    "proposer": """
        SELECT 'proposer', t.sha256, t.proposed_by, t.proposer_party, m.body, m.meeting_date, t.page_number,
               coalesce(m.municipality, 'doc:' || t.sha256)
        FROM votes t JOIN meetings m USING (sha256) JOIN document_years USING (sha256) WHERE t.proposed_by IS NOT NULL
        UNION ALL
        SELECT 'proposer', p.sha256, p.proposed_by, NULL, m.body, m.meeting_date, NULL, coalesce(m.municipality, 'doc:' || p.sha256)
        FROM proposals p JOIN meetings m USING (sha256) JOIN document_years USING (sha256) WHERE p.proposed_by IS NOT NULL
        UNION ALL
        SELECT 'proposer', t.sha256, t.a.proposed_by, NULL, m.body, m.meeting_date, t.page_number,
               coalesce(m.municipality, 'doc:' || t.sha256)
        FROM (SELECT sha256, page_number, unnest(alternatives) AS a FROM votes) t JOIN meetings m USING (sha256)
        JOIN document_years USING (sha256) WHERE t.a.proposed_by IS NOT NULL""",
    "chair": """
        SELECT 'chair', m.sha256, m.chair, NULL, m.body, m.meeting_date, NULL, coalesce(m.municipality, 'doc:' || m.sha256)
        FROM meetings m JOIN document_years USING (sha256) WHERE m.chair IS NOT NULL
        UNION ALL
        SELECT 'secretary', m.sha256, m.secretary, NULL, m.body, m.meeting_date, NULL, coalesce(m.municipality, 'doc:' || m.sha256)
        FROM meetings m JOIN document_years USING (sha256) WHERE m.secretary IS NOT NULL""",
    "elected": """
        SELECT x.role, x.sha256, x.name, x.party_code,
               CASE WHEN e.election ILIKE 'fylkes%' THEN 'Fylkestinget' ELSE 'Kommunestyret' END, CAST(e.printed_at AS DATE), NULL,
               CASE WHEN e.election ILIKE 'fylkes%' THEN 'county:' || coalesce(e.county_code_elected, e.county_code, 'doc:' || x.sha256)
                    ELSE coalesce(e.municipality_code_elected, e.municipality_code, 'doc:' || x.sha256) END
        FROM election_elected x JOIN elections e USING (sha256, part) JOIN document_years USING (sha256)""",
    "candidate": """
        SELECT 'candidate', x.sha256, x.name, x.party_code, 'Kommunestyret', CAST(e.printed_at AS DATE), NULL,
               coalesce(e.municipality_code_elected, e.municipality_code, 'doc:' || x.sha256)
        FROM election_candidates x JOIN elections e USING (sha256, part) JOIN document_years USING (sha256)
        WHERE e.election NOT ILIKE 'fylkes%'""",
    "election_board": """
        SELECT 'election_board', b.sha256, b.name, NULL, 'Valgstyret', CAST(e.printed_at AS DATE), NULL,
               coalesce(e.municipality_code_elected, e.municipality_code, 'doc:' || b.sha256)
        FROM election_board b JOIN elections e USING (sha256, part) JOIN document_years USING (sha256)""",
    "case_handler": """
        SELECT 'case_handler', l.sha256, l.case_handler, NULL, NULL, l.letter_date, NULL, 'doc:' || l.sha256
        FROM letters l JOIN document_years USING (sha256) WHERE l.case_handler IS NOT NULL
        UNION ALL
        SELECT 'signer', l.sha256, l.s.name, NULL, NULL, l.letter_date, NULL, 'doc:' || l.sha256
        FROM (SELECT sha256, letter_date, unnest(signers) AS s FROM letters) l JOIN document_years USING (sha256)""",
    "report": """
        SELECT 'report_section_leader', r.sha256, r.leader, NULL, r.title, coalesce(d.document_date, make_date(d.year, 7, 1)),
               NULL, 'doc:' || r.sha256
        FROM report_sections r JOIN document_years d USING (sha256) WHERE r.leader IS NOT NULL
        UNION ALL
        SELECT 'report_section_coordinator', r.sha256, r.coordinator, NULL, r.title,
               coalesce(d.document_date, make_date(d.year, 7, 1)), NULL, 'doc:' || r.sha256
        FROM report_sections r JOIN document_years d USING (sha256) WHERE r.coordinator IS NOT NULL""",
    "named": """
        SELECT 'named', e.sha256, e.text, NULL, NULL, coalesce(d.document_date, m.meeting_date), e.page_number,
               coalesce(m.municipality, 'doc:' || e.sha256)
        FROM entities e JOIN document_years d USING (sha256) LEFT JOIN meetings m USING (sha256) WHERE e.label = 'PERSON'""",
}
_NOT_A_PERSON = {"", "-", "—", "ingen", "none"}


def gather(con: duckdb.DuckDBPyConnection) -> list[Appearance]:
    out = []
    for sql in _SOURCES.values():
        for role, sha256, written, party, body, seen_on, page, scope in con.execute(sql).fetchall():
            name, party_written = split_party(written or "")
            if name.casefold() in _NOT_A_PERSON or len(name.split()) < 2:
                continue  # a lone word is no name to resolve (`Leder`, a surname alone)
            written_party = party or party_written
            official = (party_code(written_party) or written_party) if written_party else None
            out.append(Appearance(scope, name, sha256, role, official, body,
                                  seen_on.isoformat() if isinstance(seen_on, date) else None, page))
    return out


def rebuild_identity(con: duckdb.DuckDBPyConnection) -> int:
    """Replace the identity tables with a resolution of every current name; returns the number of persons."""
    appearances = gather(con)
    persons, assigned, links = resolve(appearances)
    seen: dict[str, list[str]] = {}
    for i, a in enumerate(appearances):
        if a.date:
            seen.setdefault(assigned[i], []).append(a.date)
    counts: dict[str, int] = {}
    for pid in assigned.values():
        counts[pid] = counts.get(pid, 0) + 1
    spans = _spans(con, appearances)
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("persons", "person_names", "person_mentions", "person_links", "memberships"):
            con.execute(f"DELETE FROM {table}")
        insert_rows(con, "persons", ("person_id", "name", "scope", "municipality_code", "names", "parties", "appearances",
                                     "first_seen", "last_seen"),
                    [(p.person_id, p.name, p.scope, p.scope if p.scope[:1].isdigit() else None, sorted(p.names),
                      sorted(p.parties), counts.get(p.person_id, 0), min(seen.get(p.person_id, [None])),
                      max(seen.get(p.person_id, [None]))) for p in persons])
        insert_rows(con, "person_names", ("scope", "name", "person_id"),
                    sorted({(a.scope, a.name, assigned[i]) for i, a in enumerate(appearances)}))
        insert_rows(con, "person_mentions", ("person_id", "sha256", "page_number", "start_char", "end_char", "role",
                                             "name_as_written", "party", "body", "seen_on"),
                    sorted({(assigned[i], a.sha256, a.page, *spans.get(i, (None, None)), a.role, a.name, a.party, a.body, a.date)
                            for i, a in enumerate(appearances)}, key=lambda r: tuple("" if v is None else str(v) for v in r)))
        insert_rows(con, "person_links", ("person_id", "name", "joined_to", "rule"),
                    [(k.person_id, k.name, k.joined_to, k.rule) for k in links])
        _memberships(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(persons)


def _spans(con: duckdb.DuckDBPyConnection, appearances: list[Appearance]) -> dict[int, tuple[int, int]]:
    """Where each appearance's name first stands on its page (structures keep the page, not the offset)."""
    wanted = {(a.sha256, a.page) for a in appearances if a.page is not None}
    if not wanted:
        return {}
    texts = _page_texts(con, wanted)
    out = {}
    for i, a in enumerate(appearances):
        text = texts.get((a.sha256, a.page))
        if text:
            start = text.find(a.name)
            if start >= 0:
                out[i] = (start, start + len(a.name))
    return out


def _page_texts(con: duckdb.DuckDBPyConnection, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    shas = sorted({sha for sha, _ in wanted})
    rows = con.execute("SELECT sha256, page_number, text FROM pages WHERE list_contains(?, sha256)", [shas]).fetchall()
    return {(sha, page): text for sha, page, text in rows if (sha, page) in wanted}


def _memberships(con: duckdb.DuckDBPyConnection) -> None:
    """Attendance gives the first and last meeting a person was seen in a body; an election the period elected for
    (a council elected in September of year Y sits from 1 October Y to 30 September Y + 4)."""
    con.execute("""
        INSERT INTO memberships (person_id, municipality_code, body, party, role, first_seen, last_seen, source)
        SELECT n.person_id, m.municipality, m.body, a.party, CASE WHEN a.person = m.chair THEN 'chair' ELSE a.role END,
               min(m.meeting_date), max(m.meeting_date), 'attendance'
        FROM meeting_attendance a JOIN meetings m USING (sha256) JOIN document_years USING (sha256)
        JOIN person_names n ON n.scope = coalesce(m.municipality, 'doc:' || a.sha256) AND n.name = a.person
        WHERE a.role IN ('member', 'substitute') AND a.present
        GROUP BY ALL""")
    con.execute("""
        INSERT INTO memberships (person_id, municipality_code, body, party, role, first_seen, last_seen, source)
        SELECT DISTINCT n.person_id, e.municipality_code_elected,
               CASE WHEN e.election ILIKE 'fylkes%' THEN 'Fylkestinget' ELSE 'Kommunestyret' END, x.party_code, x.role,
               make_date(e.election_year, 10, 1), make_date(e.election_year + 4, 9, 30), 'election'
        FROM election_elected x JOIN elections e USING (sha256, part) JOIN document_years USING (sha256)
        JOIN person_names n ON n.name = x.name AND n.scope = CASE WHEN e.election ILIKE 'fylkes%'
            THEN 'county:' || coalesce(e.county_code_elected, e.county_code, 'doc:' || x.sha256)
            ELSE coalesce(e.municipality_code_elected, e.municipality_code, 'doc:' || x.sha256) END
        WHERE e.election_year IS NOT NULL""")
