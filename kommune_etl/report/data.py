"""What the report shows, read from the warehouse (marts and run tables) into plain records."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb


@dataclass
class ReportData:
    generated_at: str
    db_path: str
    totals: dict[str, int]
    by_type: list[tuple[str, int, int]]                       # doc_type, documents, pages
    months: list[str]                                        # 'YYYY-MM'
    per_month: dict[str, list[int]]                          # doc_type -> documents per month
    undated: int
    grant_regions: list[str]                                 # region labels
    grant_years: dict[str, list[float]]                      # year -> kroner per region
    grant_rows: list[tuple]
    top_municipalities: list[tuple[str, int, int]]           # name (code), mentions, documents
    top_projects: list[tuple[str, int, int]]
    quality_runs: list[tuple]                                # run_id, started, documents, errors, warnings, failed
    quarantined: list[tuple]                                 # reason, stage, source, message, since
    notes: list[str] = field(default_factory=list)
    vote_bodies: list[str] = field(default_factory=list)     # bodies with votes
    votes_by_body: dict[str, list[int]] = field(default_factory=dict)  # outcome -> votes per body
    votes: list[tuple] = field(default_factory=list)         # counted votes, newest first
    party_positions: list[tuple] = field(default_factory=list)  # party, for, against, on the winning side, roll calls
    turnout: list[tuple] = field(default_factory=list)       # area (code), election year, turnout %, eligible, reconciled
    deviations: list[tuple] = field(default_factory=list)    # largest preliminary/final differences
    attendance_bodies: list[str] = field(default_factory=list)  # body (municipality)
    attendance: dict[str, list[int]] = field(default_factory=dict)  # present | absent -> member-meetings per body
    cohesion_labels: list[str] = field(default_factory=list)  # party, body, year
    cohesion: list[float] = field(default_factory=list)       # share of roll calls the party voted as one, %
    representatives: list[tuple] = field(default_factory=list)  # the people with the most votes and meetings
    cases: list[tuple] = field(default_factory=list)          # cases handled by more than one body, latest first


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def read_report_data(con: duckdb.DuckDBPyConnection, db_path: str, generated_at: str) -> ReportData:
    totals = dict(zip(
        ("documents", "ok", "quarantined", "rejected", "pages", "entities", "runs"),
        con.execute("""SELECT count(*), count(*) FILTER (status = 'ok'), count(*) FILTER (status = 'quarantined'),
                              count(*) FILTER (status = 'rejected'),
                              (SELECT count(*) FROM pages), (SELECT count(*) FROM entities), (SELECT count(*) FROM runs)
                       FROM documents""").fetchone()))
    by_type = _rows(con, "SELECT doc_type, count(*), sum(pages) FROM document_years GROUP BY 1 ORDER BY 2 DESC, 1")
    month_rows = _rows(con, """SELECT strftime(document_date, '%Y-%m') AS month, doc_type, count(*)
                               FROM document_years WHERE document_date IS NOT NULL GROUP BY ALL ORDER BY ALL""")
    months = sorted({m for m, _, _ in month_rows})
    per_month: dict[str, list[int]] = {}
    for month, doc_type, n in month_rows:
        per_month.setdefault(doc_type, [0] * len(months))[months.index(month)] = n
    undated = con.execute("SELECT count(*) FROM document_years WHERE document_date IS NULL").fetchone()[0]

    grant_rows = _rows(con, """SELECT year, county_code_2020, region_2020, county_codes_2024, column_meaning,
                                      amount_nok, recipients, documents
                               FROM mart_grants_by_region_year
                               WHERE column_meaning IN ('granted', 'to_distribute')
                               ORDER BY county_code_2020, year""")
    regions = sorted({(code, name) for _, code, name, *_ in grant_rows})
    region_labels = [f"{name} ({code})" for code, name in regions]
    grant_years: dict[str, list[float]] = {}
    for year, code, name, _, _, amount, _, _ in grant_rows:
        values = grant_years.setdefault(str(year), [0.0] * len(regions))
        values[regions.index((code, name))] += float(amount)

    top_municipalities = _rows(con, """SELECT coalesce(place_name, written_as) || coalesce(' (' || place_code || ')', ''),
                                              count(*), count(DISTINCT sha256)
                                       FROM mart_place_mentions WHERE place_level = 'MUNICIPALITY'
                                       GROUP BY place_code, coalesce(place_name, written_as)
                                       ORDER BY 2 DESC, 1 LIMIT 10""")
    top_projects = _rows(con, """SELECT name, sum(mentions)::INTEGER, sum(documents)::INTEGER FROM mart_actors_over_time
                                 WHERE kind = 'PROJECT' GROUP BY name ORDER BY 2 DESC, 1 LIMIT 10""")
    quality_runs = _rows(con, """SELECT q.run_id, strftime(q.started_at, '%Y-%m-%d %H:%M'), q.documents,
                                        q.documents_with_errors, q.documents_with_warnings, q.failed_checks
                                 FROM quality_runs q ORDER BY q.run_id""")
    quarantined = _rows(con, """SELECT reason_code, stage, source, message, strftime(quarantined_at, '%Y-%m-%d %H:%M')
                                FROM quarantine WHERE resolved_at IS NULL ORDER BY quarantined_at DESC, source""")
    data = ReportData(generated_at, db_path, totals, by_type, months, per_month, undated, region_labels,
                      grant_years, grant_rows, top_municipalities, top_projects, quality_runs, quarantined)
    _read_politics(con, data)
    _read_elections(con, data)
    _read_people(con, data)
    return data


def _read_people(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    """Attendance per body, party cohesion in roll calls, the representatives' profiles and cases across bodies."""
    per_body = _rows(con, """SELECT m.body || coalesce(' (' || m.municipality || ')', ''),
                                    count(DISTINCT (a.person, m.body, m.meeting_date)) FILTER (a.present),
                                    count(DISTINCT (a.person, m.body, m.meeting_date)) FILTER (NOT a.present)
                             FROM meeting_attendance a JOIN meetings m USING (sha256) JOIN document_years USING (sha256)
                             WHERE a.role IN ('member', 'substitute') GROUP BY 1 ORDER BY 1""")
    data.attendance_bodies = [r[0] for r in per_body]
    data.attendance = {"present": [r[1] for r in per_body], "absent": [r[2] for r in per_body]}
    cohesion = _rows(con, """SELECT party || ', ' || body || ' ' || year, 100.0 * cohesion FROM mart_party_cohesion
                             WHERE roll_call_votes >= 3 ORDER BY cohesion, party LIMIT 30""")
    data.cohesion_labels, data.cohesion = [r[0] for r in cohesion], [float(r[1]) for r in cohesion]
    data.representatives = _rows(con, """SELECT name, array_to_string(parties, ', '), coalesce(municipality, municipality_code),
                                                meetings_attended, meetings_missed, votes_cast, times_in_minority,
                                                times_against_own_party, proposals_made, array_to_string(bodies, ', '),
                                                CASE WHEN elected THEN 'yes' ELSE '' END
                                         FROM mart_person_profile WHERE meetings_attended + votes_cast + proposals_made > 0
                                         ORDER BY votes_cast DESC, meetings_attended DESC, name LIMIT 60""")
    data.cases = _rows(con, """SELECT coalesce(archive_ref, ''), coalesce(title, ''), municipality_code, handlings,
                                      strftime(first_handled, '%Y-%m-%d'), strftime(last_handled, '%Y-%m-%d'), last_body, status
                               FROM cases WHERE handlings > 1 ORDER BY last_handled DESC NULLS LAST LIMIT 30""")


def _read_elections(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    data.turnout = _rows(con, """SELECT coalesce(municipality, county) || coalesce(' (' || municipality_code || ')', ''),
                                        election || ' ' || year, turnout_percent, eligible_voters,
                                        CASE WHEN reconciled THEN 'yes' ELSE 'no' END
                                 FROM mart_election_turnout WHERE turnout_percent IS NOT NULL
                                 ORDER BY turnout_percent DESC LIMIT 40""")
    data.deviations = _rows(con, """SELECT year, municipality, ballots, party, preliminary, final, deviation, deviation_percent
                                    FROM mart_election_count_deviations WHERE abs_deviation > 0
                                    ORDER BY abs_deviation DESC, municipality, party LIMIT 25""")


def _read_politics(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    """Votes per body and outcome, the counted votes, and how each party's named voters voted (roll calls)."""
    per_body = _rows(con, """SELECT coalesce(handled_by, body, '?') AS body, coalesce(outcome, 'unknown'), count(*)
                             FROM mart_votes GROUP BY ALL ORDER BY 1, 2""")
    data.vote_bodies = sorted({b for b, _, _ in per_body})
    for body, outcome, n in per_body:
        data.votes_by_body.setdefault(outcome, [0] * len(data.vote_bodies))[data.vote_bodies.index(body)] = n
    data.votes = _rows(con, """SELECT strftime(meeting_date, '%Y-%m-%d'), coalesce(handled_by, body), case_number, label,
                                      proposed_by, outcome,
                                      CASE WHEN kind = 'alternative'
                                           THEN array_to_string([a.label || ': ' || a.votes FOR a IN alternatives], ' / ')
                                           WHEN unanimous THEN 'enstemmig'
                                           ELSE coalesce(votes_for::VARCHAR, '?') || '–' || coalesce(votes_against::VARCHAR, '?')
                                      END, named_voters, CASE WHEN reconciled THEN 'yes' ELSE array_to_string(issues, '; ') END
                               FROM mart_votes
                               ORDER BY meeting_date DESC NULLS LAST, body, case_number, position LIMIT 300""")
    data.party_positions = _rows(con, """SELECT coalesce(party_name, party, '?'), count(*) FILTER (position = 'for'),
                                                count(*) FILTER (position = 'against'),
                                                round(100.0 * avg(on_winning_side::INTEGER), 1),
                                                count(DISTINCT (sha256, case_number, vote_position))
                                         FROM mart_vote_positions GROUP BY 1 ORDER BY 5 DESC, 1""")
