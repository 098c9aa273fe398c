"""Persons across real documents: Levanger's 2026 council protocol and its 2019 election protocol, against a hand key
(tests/data/person_keys/levanger.json): merge precision (wrong merges count double) and recall, hand-counted
profiles, and the person command."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from conftest import REPO, SHARED
from kommune_etl.person_scoring import load_person_key, profile_mismatches, score_persons
from kommune_etl.pipeline import ingest_paths

KEY = load_person_key(REPO / "tests" / "data" / "person_keys" / "levanger.json")
DOCUMENTS = (SHARED / "corpus" / "protocols" / "fasit" / "levanger" / "mote-461.txt",
             SHARED / "corpus" / "elections" / "Levanger_valgstyrets-motebok-kommunestyrevalg_2019.pdf")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def levanger(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    for document in DOCUMENTS:
        (inbox / document.name).write_bytes(document.read_bytes())
    db = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    ingest_paths([inbox], db, check_quality=False)
    return db


def test_merges_are_precise_and_complete_against_the_hand_key(levanger, capsys):
    con = duckdb.connect(str(levanger), read_only=True)
    score = score_persons(con, KEY)
    with capsys.disabled():
        print(f"\nperson merges: precision {score.precision:.3f} (wrong merges {score.wrong_merges}, counted twice), "
              f"recall {score.recall:.3f} ({score.links} links, {score.missed} missed; unmatched {list(score.unmatched)})")
    assert score.precision >= 0.99 and score.recall >= 0.95


def test_profiles_equal_the_hand_counts_of_three_representatives(levanger):
    con = duckdb.connect(str(levanger), read_only=True)
    assert len(KEY["hand_counts"]) == 3
    assert profile_mismatches(con, KEY) == []


def test_the_elected_representative_of_2019_is_the_member_who_votes_in_2026(levanger):
    con = duckdb.connect(str(levanger), read_only=True)
    (person_id,) = con.execute("SELECT person_id FROM persons WHERE list_contains(names, 'Astrid Vordal')").fetchone()
    roles = {r for (r,) in con.execute("SELECT DISTINCT role FROM person_mentions WHERE person_id = ?", [person_id]).fetchall()}
    assert {"representative", "member", "voter"} <= roles
    assert con.execute("SELECT rule FROM person_links WHERE name = 'Astrid Vordal'").fetchone() == ("without_middle_names",)
    sources = {s for (s,) in con.execute("SELECT source FROM memberships WHERE person_id = ?", [person_id]).fetchall()}
    assert sources == {"election", "attendance"}


def test_no_municipality_is_tagged_inside_a_persons_name(levanger):
    con = duckdb.connect(str(levanger), read_only=True)
    inside = con.execute("""SELECT count(*) FROM entities p JOIN entities e USING (sha256, page_number)
                            WHERE p.label = 'PERSON' AND e.label IN ('MUNICIPALITY', 'COUNTY')
                              AND e.start_char >= p.start_char AND e.end_char <= p.end_char""").fetchone()[0]
    assert inside == 0


def test_person_command_prints_one_profile(levanger):
    run = subprocess.run([sys.executable, "-m", "kommune_etl.cli", "person", "Siv Gjertrud Skjerve", "--db", str(levanger)],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert "votes cast 33, in the minority 10" in run.stdout and "proposals 8" in run.stdout
    assert "Kommunestyret: member (SV)" in run.stdout
