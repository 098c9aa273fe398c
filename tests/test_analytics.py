"""The analysts' side on the five sample PDFs: marts, full-text search, exports and the HTML report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal

import duckdb
import pytest

from conftest import REPO
from kommune_etl.warehouse.connection import open_warehouse
from kommune_etl.warehouse.extensions import extension_file, load_extension
from kommune_etl.warehouse.marts import export_marts, mart_names
from kommune_etl.warehouse.search import search

MARTS = ["mart_actors_over_time", "mart_amounts", "mart_amounts_by_place_year", "mart_attendance", "mart_case_history",
         "mart_decisions", "mart_elected", "mart_election_count_deviations", "mart_election_turnout", "mart_grants",
         "mart_grants_by_region_year", "mart_organisation_projects", "mart_party_cohesion", "mart_party_votes",
         "mart_person_profile", "mart_place_mentions", "mart_vote_positions", "mart_votes"]
#: The five samples hold no election protocol and no roll call (their protocol names no voters): these marts are
#: filled and tested on real protocols in test_election_documents.py and test_meetings_real.py.
EMPTY_ON_SAMPLES = {"mart_elected", "mart_election_count_deviations", "mart_election_turnout", "mart_vote_positions",
                    "mart_party_cohesion"}


@pytest.fixture
def ro(sample_warehouse):
    con = open_warehouse(sample_warehouse, read_only=True)
    yield con
    con.close()


def _one(con, sql, params=()):
    return con.execute(sql, list(params)).fetchone()


# --- marts ---------------------------------------------------------------------------------------

def test_every_mart_has_a_year_column_and_rows(ro):
    assert mart_names(ro) == MARTS
    for mart in MARTS:
        columns = [r[0] for r in ro.execute(f"DESCRIBE {mart}").fetchall()]
        assert columns[0] == "year", mart
        assert (_one(ro, f"SELECT count(*) FROM {mart}")[0] > 0) is (mart not in EMPTY_ON_SAMPLES), mart


def test_grants_line_up_across_the_county_reforms(ro):
    viken = ro.execute("""SELECT year, column_meaning, amount_nok, county_codes_2024, region_2020 FROM mart_grants_by_region_year
                          WHERE county_code_2020 = '30' ORDER BY year, column_meaning""").fetchall()
    assert ("2023", "granted") == (str(viken[1][0]), viken[1][1])
    assert viken[1][2] == Decimal("2856532.00")
    assert viken[-1][:3] == (2024, "to_distribute", Decimal("4734462.00"))  # DigiTroFi's 2024 'Viken' network row
    assert viken[0][3] == ["31", "32", "33"] and viken[0][4] == "Viken"
    # Troms og Finnmark (54) is named in 2024 too, when it had no code: it keeps region 54 via historical_code
    assert _one(ro, """SELECT amount_nok FROM mart_grants_by_region_year
                       WHERE county_code_2020 = '54' AND year = 2024""")[0] == Decimal("3135165.00")
    # municipal sub-rows of the KS letter carry their county through the kommunenummer
    assert _one(ro, """SELECT county_code, county_code_2020, programme FROM mart_grants
                       WHERE recipient_level = 'municipality' AND recipient_code = '1149'""") == (
        "11", "11", "Innvilger tilskudd til kommunene for frikjøp til kommunenettverk for")


def test_2024_akershus_buskerud_ostfold_rows_compare_with_a_2023_viken_row(sample_warehouse, tmp_path):
    """Rows written after the 2024 split (31, 32, 33) land on Viken's region 30 beside the 2023 row."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, db)
    con = open_warehouse(db)
    now = datetime.now(timezone.utc)
    con.execute("INSERT INTO documents (sha256, source, media_type, byte_size, doc_type, doc_type_evidence, title,"
                " document_date, document_year, pages, extractor, status, error_code, error_message, first_seen_at,"
                " processed_at, pipeline_version) VALUES ('split2024', 'split.pdf', 'application/pdf', 1, 'grant_letter',"
                " [], 'Tilskudd 2024', DATE '2024-05-02', 2024, 1, 'test', 'ok', NULL, NULL, ?, ?, 'test')", [now, now])
    con.execute("INSERT INTO source_versions VALUES ('split.pdf', 1, 'split2024', ?, true)", [now])
    for name, code, amount in (("Østfold", "31", 900_000), ("Akershus", "32", 1_200_000), ("Buskerud", "33", 800_000)):
        con.execute("INSERT INTO grant_allocations VALUES ('split2024', ?, 'county', ?, 'TILSKUDD 2024', 'granted', ?,"
                    " NULL, 2024, 1, NULL)", [name, code, amount])
    rows = con.execute("""SELECT year, amount_nok, recipients FROM mart_grants_by_region_year
                          WHERE county_code_2020 = '30' AND column_meaning = 'granted' ORDER BY year""").fetchall()
    assert rows == [(2023, Decimal("2856532.00"), ["Viken"]),
                    (2024, Decimal("2900000.00"), ["Akershus", "Buskerud", "Østfold"])]


def test_amounts_are_placed_at_the_nearest_place_on_their_page(ro):
    row = _one(ro, """SELECT doc_type, place_level, place_code, place_name, county_code_2020 FROM mart_amounts
                      WHERE text = 'Kr 3 445 402'""")
    assert row == ("presentation", "COUNTY", "34", "Innlandet", "34")
    assert _one(ro, "SELECT count(*), sum(amount_nok) FROM mart_amounts WHERE year = 2022")[0] == 7
    by_place = _one(ro, """SELECT amounts, total_nok, place_name FROM mart_amounts_by_place_year
                           WHERE year = 2025 AND place_code = '4204'""")
    assert by_place == (5, Decimal("40500000.00"), "Kristiansand")


def test_place_mentions_carry_names_valid_at_the_date_and_context(ro):
    rows = ro.execute("""SELECT written_as, place_name, county_code, context FROM mart_place_mentions
                         WHERE place_code = '1505' ORDER BY sha256, page_number, start_char""").fetchall()
    assert len(rows) == 10  # not `lungelege ved Kristiansund sykehus`: the hospital, named after the town
    assert all(r[1] == "Kristiansund" and r[2] == "15" and "Kristiansund" in r[3] for r in rows)
    assert "Kristiansund og Rindal innførte Helseplattformen i 2023" in rows[0][3]


def test_projects_and_organisations_over_time(ro):
    assert _one(ro, """SELECT sum(mentions) FROM mart_actors_over_time
                       WHERE kind = 'PROJECT' AND name = 'Felles innføringsløp' AND year = 2024""")[0] == 15
    assert _one(ro, """SELECT list(DISTINCT year ORDER BY year) FROM mart_actors_over_time
                       WHERE kind = 'ORG' AND name = 'KS'""")[0] == [2022, 2023, 2024, 2025]


def test_politics_decisions_votes_and_attendance(ro):
    decision = _one(ro, """SELECT body, municipality, meeting_date::VARCHAR, votes_for, votes_against, against_parties,
                                  unanimous, proposals FROM mart_decisions WHERE case_number = '14/25'""")
    assert decision == ("Oppvekstutvalget", "Kristiansand", "2025-03-18", 10, 1, ["PP"], False, 1)
    assert _one(ro, "SELECT count(*) FILTER (unanimous) FROM mart_decisions")[0] == 4
    votes = dict(ro.execute("""SELECT party, vote || ':' || members FROM mart_party_votes
                               WHERE case_number = '14/25' AND position = 0""").fetchall())
    assert votes == {"A": "for:1", "FRP": "for:2", "H": "for:4", "INP": "for:1", "KRF": "for:1",
                     "PP": "against:1", "SV": "for:1"}
    # the party tally adds up to the recorded count
    assert _one(ro, """SELECT sum(members) FILTER (vote = 'for'), sum(members) FILTER (vote = 'against')
                       FROM mart_party_votes WHERE case_number = '14/25' AND position = 0""") == (10, 1)
    attendance = _one(ro, """SELECT count(*) FILTER (role IN ('member', 'substitute') AND present),
                                    any_value(party_name) FILTER (party = 'A'),
                                    any_value(substitute_for) FILTER (role = 'substitute')
                             FROM mart_attendance""")
    assert attendance == (11, "Arbeiderpartiet", "Øistein Hatlebakk")


# --- search --------------------------------------------------------------------------------------

def test_every_extension_we_use_loads_from_its_wheel():
    con = duckdb.connect()
    for name in ("ducklake", "postgres_scanner"):
        assert extension_file(name).is_file()
        load_extension(con, name)
    loaded = {r[0] for r in con.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()}
    assert {"ducklake", "postgres_scanner"} <= loaded


def test_full_text_search_ranks_pages_and_stems_norwegian(ro):
    hits = search(ro, "fritidsordninger", limit=3)
    assert [(h.doc_type, h.page_number) for h in hits][0] == ("protocol", 5)
    assert "fritidsordninger" in hits[0].snippet
    assert hits[0].link.endswith("kristiansand_oppvekstutvalget_referat_2025-03-18.pdf#page=5")
    # 'tilskuddet' (definite form) finds pages that only say 'tilskudd'
    stemmed = {(h.sha256, h.page_number) for h in search(ro, "tilskuddet", limit=50)}
    plain = ro.execute("""SELECT sha256, page_number FROM search_pages
                          WHERE regexp_matches(lower(text), '\\btilskudd\\b')
                            AND NOT regexp_matches(lower(text), 'tilskuddet')""").fetchall()
    assert plain and set(plain) <= stemmed
    assert search(ro, "qqqxyzzy") == []


def test_search_index_follows_the_documents(sample_warehouse, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, db)
    from kommune_etl.pipeline import ingest_paths

    text = tmp_path / "inbox" / "notat.txt"
    text.parent.mkdir()
    text.write_text("Notat om hurtigruteanløp i Vardø kommune, 3. mars 2024.\n", encoding="utf-8")
    ingest_paths([text.parent], db, check_quality=False)
    con = open_warehouse(db, read_only=True)
    hits = search(con, "hurtigruteanløp")
    assert [(h.title is not None, h.page_number) for h in hits] == [(True, 1)]
    assert _one(con, "SELECT count(*) FROM search_pages")[0] == _one(
        con, "SELECT count(*) FROM pages JOIN document_years USING (sha256)")[0]


def test_search_index_updates_only_what_changed(sample_warehouse, tmp_path):
    """Issue 21: a run indexes its own pages, retires the ones no longer readable, and touches nothing else."""
    from kommune_etl.warehouse.search import rebuild_search_index, terms

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, db)
    con = open_warehouse(db)
    assert rebuild_search_index(con) is False                             # nothing changed: nothing done
    before = con.execute("SELECT page_key, term, tf FROM search_terms ORDER BY ALL").fetchall()
    gone = _one(con, "SELECT sha256 FROM documents WHERE source LIKE '%kristiansand%' ORDER BY source LIMIT 1")[0]
    con.execute("DELETE FROM pages WHERE sha256 = ?", [gone])
    assert rebuild_search_index(con) is True
    after = con.execute("SELECT page_key, term, tf FROM search_terms ORDER BY ALL").fetchall()
    assert after == [row for row in before if not row[0].startswith(gone)] and len(after) < len(before)
    assert search(con, "fritidsordninger") == []                          # its only page is retired
    assert rebuild_search_index(con, force=True) is True
    assert con.execute("SELECT page_key, term, tf FROM search_terms ORDER BY ALL").fetchall() == after
    assert terms("Tilskuddene til lag.og foreninger") == ["tilskudd", "til", "lag", "og", "forening"]
    con.close()


def test_search_command_prints_hits_with_links(sample_warehouse):
    out = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "search", "Helseplattformen", "--db",
                          str(sample_warehouse), "--format", "json", "--limit", "2"],
                         capture_output=True, text=True, check=True, cwd=REPO).stdout
    hits = json.loads(out)
    assert len(hits) == 2 and hits[0]["doc_type"] == "annual_report"
    assert hits[0]["link"].endswith(f"#page={hits[0]['page']}")


# --- exports -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_mart_partitioned_by_year(ro, tmp_path, fmt):
    exported = {e.mart: e for e in export_marts(ro, tmp_path, fmt)}
    assert sorted(exported) == MARTS
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == fmt and len(manifest["marts"]) == len(MARTS)
    assert sorted(p.name for p in (tmp_path / "mart_grants").iterdir()) == ["year=2023", "year=2024"]
    # RFC 4180 CSV: quotes doubled inside quoted fields (DuckDB's sniffer needs to be told the escape)
    read = "read_parquet({})" if fmt == "parquet" else "read_csv({}, header = true, quote = '\"', escape = '\"')"
    con = duckdb.connect()
    for mart, e in exported.items():
        if mart in EMPTY_ON_SAMPLES:   # an empty mart is an empty folder with its manifest entry
            assert e.rows == 0 and not list((tmp_path / mart).iterdir())
            continue
        source = read.format(f"'{tmp_path / mart}/*/*.{fmt}'")
        assert con.execute(f"SELECT count(*) FROM {source}").fetchone()[0] == e.rows, mart
    source = read.format(f"'{tmp_path}/mart_grants/year=2024/*.{fmt}'")
    total = con.execute(f"SELECT sum(amount_nok::DECIMAL(18,2)) FROM {source}").fetchone()[0]
    assert total == ro.execute("SELECT sum(amount_nok) FROM mart_grants WHERE year = 2024").fetchone()[0]


def test_export_command(sample_warehouse, tmp_path):
    result = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "export", "--format", "parquet", "--out",
                             str(tmp_path / "out"), "--db", str(sample_warehouse)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "mart_decisions: 5 rows, years 2025" in result.stdout
    assert (tmp_path / "out" / "mart_decisions" / "year=2025").is_dir()
