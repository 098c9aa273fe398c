"""Score a read meeting against a hand-made key in the Kommunelys `fasit/` format, and measure reconciliation.

Key fields: `oppmote` [{navn, funksjon, repr, vara_for}] (people present) and `voteringer` [{saksnr, type, antall_for,
antall_mot, enstemmig, for, mot, alternativer [{forslag, antall, navn}], resultat}] in the order taken. Votes are
aligned per case in order; a vote's count is right when both stated counts (or every alternative's count)
agree. Named voters are compared as (vote, side, person) triples, with persons as the key names them (full
names from the attendance list) — the same resolution the reader makes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kommune_etl.transforms.structures.records import Meeting, Vote


@dataclass
class MeetingScore:
    document: str
    attendance_tp: int = 0
    attendance_predicted: int = 0
    attendance_expected: int = 0
    substitutes_right: int = 0
    substitutes_expected: int = 0
    votes_expected: int = 0
    votes_found: int = 0
    counts_right: int = 0
    outcomes_right: int = 0
    alternatives_expected: int = 0
    alternatives_right: int = 0
    voters_tp: int = 0
    voters_predicted: int = 0
    voters_expected: int = 0
    wrong: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def attendance_precision(self) -> float:
        return self._ratio(self.attendance_tp, self.attendance_predicted)

    @property
    def attendance_recall(self) -> float:
        return self._ratio(self.attendance_tp, self.attendance_expected)

    @property
    def voters_precision(self) -> float:
        return self._ratio(self.voters_tp, self.voters_predicted)

    @property
    def voters_recall(self) -> float:
        return self._ratio(self.voters_tp, self.voters_expected)

    @property
    def counts_share(self) -> float:
        return self._ratio(self.counts_right, self.votes_expected)


def is_meeting_key(key: dict) -> bool:
    return "voteringer" in key or "oppmote" in key


def load_meeting_keys(folder: Path) -> dict[Path, dict]:
    """Every meeting key under ``folder`` (recursively) by its path; other JSON files are passed over."""
    keys = {}
    for path in sorted(Path(folder).rglob("*.json")):
        try:
            key = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(key, dict) and is_meeting_key(key):
            keys[path] = key
    return keys


def score_meeting(document: str, meeting: Meeting | None, key: dict) -> MeetingScore:
    s = MeetingScore(document)
    present = meeting.members_present if meeting else ()
    if "oppmote" in key:
        expected = {p["navn"] for p in key["oppmote"]}
        predicted = {a.name for a in present}
        s.attendance_tp, s.attendance_predicted, s.attendance_expected = len(expected & predicted), len(predicted), len(expected)
        s.wrong += [f"attendance missing: {n}" for n in sorted(expected - predicted)]
        s.wrong += [f"attendance extra: {n}" for n in sorted(predicted - expected)]
        substitutes = {p["navn"]: p["vara_for"] for p in key["oppmote"] if p.get("vara_for")}
        read_for = {a.name: a.substitute_for for a in present}
        s.substitutes_expected = len(substitutes)
        s.substitutes_right = sum(1 for name, replaced in substitutes.items() if read_for.get(name) == replaced)
    _score_votes(s, meeting, key.get("voteringer", []))
    return s


def _votes_by_case(meeting: Meeting | None) -> dict[str, list[Vote]]:
    found: dict[str, list[Vote]] = defaultdict(list)
    for item in meeting.items if meeting else ():
        found[item.case].extend(item.votes)
    return found


def _score_votes(s: MeetingScore, meeting: Meeting | None, expected_votes: list[dict]) -> None:
    read = _votes_by_case(meeting)
    expected_by_case: dict[str, list[dict]] = defaultdict(list)
    for vote in expected_votes:
        expected_by_case[vote["saksnr"]].append(vote)
    for case, expected in expected_by_case.items():
        found = read.get(case) or (next(iter(read.values())) if case == "-" and len(read) == 1 else [])
        s.votes_expected += len(expected)
        s.votes_found += min(len(found), len(expected))
        if len(found) != len(expected):
            s.wrong.append(f"{case}: {len(expected)} votes in the key, {len(found)} read")
        for index, key_vote in enumerate(expected):
            vote = found[index] if index < len(found) else None
            _score_vote(s, f"{case} #{index + 1}", key_vote, vote)


def _score_vote(s: MeetingScore, where: str, key: dict, vote: Vote | None) -> None:
    alternatives = key.get("alternativer") or []
    expected_voters = {("for", n) for n in key.get("for", [])} | {("mot", n) for n in key.get("mot", [])}
    expected_voters |= {(f"forslag {a['forslag']}", n) for a in alternatives for n in a.get("navn", [])}
    s.voters_expected += len(expected_voters)
    if alternatives:
        s.alternatives_expected += 1
    if vote is None:
        return
    predicted_voters = {("for", n) for n in vote.voters_for} | {("mot", n) for n in vote.voters_against}
    predicted_voters |= {(o.label, n) for o in vote.alternatives for n in o.voters}
    s.voters_predicted += len(predicted_voters)
    s.voters_tp += len(expected_voters & predicted_voters)
    for side, name in sorted(expected_voters - predicted_voters):
        s.wrong.append(f"{where}: voter missing {side}: {name}")
    for side, name in sorted(predicted_voters - expected_voters):
        s.wrong.append(f"{where}: voter extra {side}: {name}")
    if alternatives:
        expected_counts = sorted((f"forslag {a['forslag']}", a["antall"]) for a in alternatives)
        read_counts = sorted((o.label, o.votes) for o in vote.alternatives)
        right = expected_counts == read_counts
        s.alternatives_right += right
    elif key.get("enstemmig") and not key.get("antall_for"):
        right = vote.unanimous
    else:
        right = (vote.votes_for, vote.votes_against) == (key.get("antall_for"), key.get("antall_mot"))
        if not right:
            s.wrong.append(f"{where}: count {vote.votes_for}-{vote.votes_against}, key {key.get('antall_for')}-{key.get('antall_mot')}")
    s.counts_right += right
    expected_outcome = {"vedtatt": "adopted", "falt": "rejected"}.get(key.get("resultat", ""), None)
    s.outcomes_right += expected_outcome is None or expected_outcome == vote.outcome


@dataclass
class Reconciliation:
    votes: int = 0
    reconciled: int = 0
    items: int = 0
    items_with_outcome: int = 0
    unreconciled: list[str] = field(default_factory=list)

    @property
    def vote_share(self) -> float:
        return self.reconciled / self.votes if self.votes else 1.0

    @property
    def outcome_share(self) -> float:
        return self.items_with_outcome / self.items if self.items else 1.0


def reconcile(documents: list[tuple[str, Meeting | None]]) -> Reconciliation:
    """On protocols without keys: the share of votes whose counts agree with the names and the attendance,
    and the share of cases with an outcome."""
    r = Reconciliation()
    for name, meeting in documents:
        for item in meeting.items if meeting else ():
            r.items += 1
            r.items_with_outcome += item.outcome is not None
            for vote in item.votes:
                r.votes += 1
                if vote.issues:
                    r.unreconciled.append(f"{name} {item.case}: {'; '.join(vote.issues)}")
                else:
                    r.reconciled += 1
    return r
