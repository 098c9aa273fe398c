"""Score person identity against a hand-made key (tests/data/person_keys): pairwise merge precision and recall.

Every pair of a key person's written forms (document, name) should resolve to one person (a link); every pair of
forms of two different key persons should not (a wrong merge, counted twice: a wrongly merged person is worse than
a missed link). Pairs between two persons the key maker marked "possibly the same" are not scored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import duckdb

from kommune_etl.transforms.identity import name_tokens


@dataclass(frozen=True)
class MergeScore:
    links: int          # pairs the key joins and the warehouse joins
    missed: int         # pairs the key joins and the warehouse keeps apart (or cannot find)
    wrong_merges: int   # pairs the key keeps apart and the warehouse joins
    unmatched: tuple[str, ...]  # key forms not found among the warehouse's names

    @property
    def precision(self) -> float:
        return self.links / (self.links + 2 * self.wrong_merges) if self.links + self.wrong_merges else 1.0

    @property
    def recall(self) -> float:
        return self.links / (self.links + self.missed) if self.links + self.missed else 1.0


def load_person_key(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _found(con: duckdb.DuckDBPyConnection, scope: str) -> dict[tuple[str, tuple[str, ...]], str]:
    """(document file name, the name's tokens in any order) → person_id, for every appearance in the scope."""
    rows = con.execute("""SELECT m.person_id, d.source, m.name_as_written FROM person_mentions m
                          JOIN persons p USING (person_id) JOIN documents d USING (sha256) WHERE p.scope = ?""",
                       [scope]).fetchall()
    return {(Path(source).name, tuple(sorted(name_tokens(name)))): pid for pid, source, name in rows}


def score_persons(con: duckdb.DuckDBPyConnection, key: dict) -> MergeScore:
    found = _found(con, key["scope"])
    forms = []  # (key person index, document, name, person_id or None)
    for index, person in enumerate(key["persons"]):
        for entry in {(n["document"], n["name"]) for n in person["names"]}:
            forms.append((index, *entry, found.get((entry[0], tuple(sorted(name_tokens(entry[1])))))))
    uncertain = {i for i, p in enumerate(key["persons"]) if "possibly the same" in p.get("note", "").lower()}
    links = missed = wrong = 0
    for (i, _, _, a), (j, _, _, b) in combinations(forms, 2):
        same = a is not None and a == b
        if i == j:
            links += same
            missed += not same
        elif same and not (i in uncertain and j in uncertain):
            wrong += 1
    unmatched = tuple(sorted(f"{doc}: {name}" for _, doc, name, pid in forms if pid is None))
    return MergeScore(links, missed, wrong, unmatched)


def profile_mismatches(con: duckdb.DuckDBPyConnection, key: dict) -> list[str]:
    """Hand counts that the person's profile does not equal."""
    out = []
    for count in key.get("hand_counts", []):
        row = con.execute("""SELECT votes_cast, times_in_minority, proposals_made FROM mart_person_profile
                             WHERE municipality_code = ? AND (name = ? OR list_contains(names, ?))""",
                          [key["scope"], count["name"], count["name"]]).fetchone()
        want = (count["votes_cast"], count["times_in_minority"], count["proposals_made"])
        if row != want:
            out.append(f"{count['name']}: profile {row} (votes, minority, proposals), hand count {want}")
    return out
