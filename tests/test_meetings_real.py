"""Meetings and votes on real Elements protocols and decision records (../shared/corpus/protocols), scored
against the third-party keys, plus the vote phrases of bokmål and nynorsk protocols as pure unit tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from conftest import SHARED
from kommune_etl.meeting_scoring import load_meeting_keys, reconcile, score_meeting
from kommune_etl.models import DocType, Page
from kommune_etl.transforms.classify import classify
from kommune_etl.transforms.structures.meetings import extract_meeting
from kommune_etl.transforms.structures.rollcall import name_fits
from kommune_etl.transforms.structures.templates import detect_template
from kommune_etl.transforms.structures.votes import read_votes

PROTOCOLS = SHARED / "corpus" / "protocols"
LEVANGER = PROTOCOLS / "fasit" / "levanger" / "mote-461.txt"


def _meeting(path: Path):
    return extract_meeting((Page(1, path.read_text(encoding="utf-8")),), date(2026, 1, 1))


@pytest.fixture(scope="module")
def levanger():
    return _meeting(LEVANGER)


def _item(meeting, case):
    return next(i for i in meeting.items if i.case == case)


def test_elements_header_attendance_and_approvers(levanger):
    assert levanger.template == "elements_moteprotokoll"
    assert "attendance table Navn/Funksjon/Parti" in levanger.template_evidence
    assert (levanger.body, levanger.date, levanger.start, levanger.end) == ("Kommunestyret", "2026-03-25", "17:00", "22:45")
    assert levanger.place == "Levanger rådhus - Kommunestyresalen"
    assert len(levanger.members_present) == 35
    substitutes = {a.name: a.substitute_for for a in levanger.members_present if a.role == "substitute"}
    assert len(substitutes) == 8 and substitutes["Olav Dehli"] == "Ina Helen Pedersen"
    assert levanger.chair == "Anita Ravlo Sand" and levanger.secretary == "Rita-Mari Keiserås"
    assert [a.title for a in levanger.attendees if a.role == "administration"][0] == "Kommunalsjef samfunnsutvikling"
    assert levanger.approved_by == ("Janne Kathrine Jørstad Larsen", "Ivar Rausand")
    assert next(a for a in levanger.attendees if a.name == "Asgeir Persøy").party_code == "PP"


def test_named_roll_call_resolved_to_attendees(levanger):
    final = _item(levanger, "PS 14/26").votes[-1]
    assert (final.kind, final.outcome, final.votes_for, final.votes_against) == ("innstilling", "adopted", 20, 15)
    assert len(final.voters_for) == 20 and len(final.voters_against) == 15
    # the vote list writes `Janne K. J. Larsen (FrP)` and `Nina Groven (KrF)`; the attendance list the full names
    assert "Janne Kathrine Jørstad Larsen" in final.voters_against and "Nina Egenæs Groven" in final.voters_for
    assert "Janne K. J. Larsen" in final.against_as_written and "Nina Groven" in final.for_as_written
    assert final.parties_against == ("FRP", "H", "MDG", "SP", "SV")
    assert final.label == "formannskapets innstilling med vedtatte endringer/tillegg" and final.text is None
    assert final.issues == ()
    assert len(_item(levanger, "PS 14/26").votes) == 23


def test_alternative_vote_each_side_counted(levanger):
    item = _item(levanger, "PS 13/26")
    alternative, addition = item.votes
    assert alternative.kind == "alternative"
    sides = {o.label: (o.votes, o.outcome, o.by) for o in alternative.alternatives}
    assert sides == {"forslag 1": (25, "adopted", None), "forslag 2": (10, "rejected", "Randi Haugskott")}
    # a substitute who stepped in for one case votes without being on the attendance list: a warning, not a guess
    assert any("Eli Kristin Johansen" in issue for issue in alternative.issues)
    assert (addition.kind, addition.by, addition.by_party, addition.votes_for, addition.votes_against, addition.outcome) == (
        "tilleggsforslag", "Håvard Lutdal", "H", 4, 31, "rejected")
    assert item.outcome == "majority"


def test_questions_are_answered_not_undecided(levanger):
    assert _item(levanger, "FO 3/26").outcome == "answered"
    assert _item(levanger, "FO 2/26").votes[0].votes_against == 27


@pytest.mark.parametrize("key_path", sorted(load_meeting_keys(PROTOCOLS / "fasit")), ids=lambda p: p.stem)
def test_every_fasit_key_is_read_exactly(key_path):
    import json

    key = json.loads(key_path.read_text(encoding="utf-8"))
    s = score_meeting(key_path.stem, _meeting(key_path.with_suffix(".txt")), key)
    assert (s.attendance_precision, s.attendance_recall) == (1.0, 1.0)
    assert s.counts_right == s.votes_expected and s.alternatives_right == s.alternatives_expected
    assert s.voters_precision >= 0.98 and s.voters_recall >= 0.98, s.wrong[:5]
    assert s.outcomes_right == s.votes_expected


def test_casting_vote_and_postponed_case():
    casting = _meeting(PROTOCOLS / "fasit" / "steinkjer" / "vedtak-7872.txt")
    vote = casting.items[0].votes[0]
    assert (vote.votes_for, vote.votes_against, vote.outcome, vote.casting_vote, vote.by) == (4, 4, "adopted", "leder",
                                                                                                "Elin Rodum Agdestein")
    assert casting.template == "elements_saksprotokoll" and casting.body == "Hovedutvalg plan næring og miljø"
    postponed = _meeting(PROTOCOLS / "steinkjer" / "7589.txt")
    assert postponed.items[0].outcome == "postponed"


def test_decision_records_are_their_own_type_and_reconcile():
    records = sorted((PROTOCOLS / "steinkjer").glob("7???.txt"))  # decision records; 7xxxxx are case documents
    types = {p.name: classify((Page(1, p.read_text(encoding="utf-8")),)).doc_type for p in records}
    assert set(types.values()) == {DocType.DECISION_RECORD}
    r = reconcile([(p.name, _meeting(p)) for p in records])
    assert r.votes >= 15 and r.vote_share >= 0.95, r.unreconciled
    # one record (7662, eldrerådet) has an empty handling and an empty decision: no outcome, and it says so
    assert r.items - r.items_with_outcome == 1
    empty = _meeting(PROTOCOLS / "steinkjer" / "7662.txt").items[0]
    assert empty.outcome is None and "no vote and no decision recorded" in empty.issues


def test_case_chain_same_case_in_two_bodies():
    formannskap = _meeting(PROTOCOLS / "steinkjer" / "7700.txt")
    kommunestyre = _meeting(PROTOCOLS / "steinkjer" / "7701.txt")
    assert (formannskap.body, formannskap.items[0].votes_for, formannskap.items[0].votes_against) == ("Formannskap", 11, 1)
    assert (kommunestyre.date, kommunestyre.items[0].votes_for, kommunestyre.items[0].votes_against) == ("2026-02-04", 36, 2)
    # `Håvard Krogstad-\nWiborg (R)`: the name hyphen at a line end is the name's own
    assert "Håvard Krogstad-Wiborg" in kommunestyre.items[0].votes[0].voters_for


@pytest.mark.parametrize("text, expected", [
    ("Innstillingen ble enstemmig vedtatt.", ("innstilling", "adopted", True, None, None)),
    ("Forslag til vedtak enstemmig vedtatt.", ("innstilling", "adopted", True, None, None)),
    ("Innstillingen ble vedtatt med 20 mot 15 stemmer.", ("innstilling", "adopted", False, 20, 15)),
    ("Innstillingen ble vedtatt med 8 mot 3 stemmer (PP, SV, AP).", ("innstilling", "adopted", False, 8, 3)),
    ("Ved votering falt forslaget med 11 mot 24 stemmer.", ("innstilling", "rejected", False, 11, 24)),
    ("Forslaget fra Ola Nordmann (H) falt med 3 mot 8 stemmer.", ("forslag", "rejected", False, 3, 8)),
    ("Innstillingen ble vedtatt mot 3 stemmer (FRP).", ("innstilling", "adopted", False, None, 3)),
    ("Tilleggsforslaget ble nedstemt.", ("tilleggsforslag", "rejected", False, None, None)),
    ("Saken ble vedtatt utsatt til neste møte.", ("innstilling", "postponed", False, None, None)),
    # nynorsk
    ("Innstillinga vart samrøystes vedteke.", ("innstilling", "adopted", True, None, None)),
    ("Vedtaket var samrøystes.", ("innstilling", "adopted", True, None, None)),
    ("Kari Nordmann (Sp) sette fram slikt framlegg:\nSaka vert utsett.\nFramlegget fall med 4 mot 9 røyster.",
     ("forslag", "rejected", False, 4, 9)),
    ("Framlegget vart med 58 mot 36 røyster ikkje vedteke.", ("forslag", "rejected", False, 58, 36)),
    ("11 stemte mot forslaget og 3 stemte for - forslaget falt.", ("forslag", "rejected", False, 3, 11)),
])
def test_vote_phrases(text, expected):
    votes = read_votes(text)
    assert len(votes) == 1
    v = votes[0]
    assert (v.kind, v.outcome, v.unanimous, v.votes_for, v.votes_against) == expected


@pytest.mark.parametrize("text, expected", [
    ("Det ble votert punktvis over innstillingen.\nInnstillingens punkt 1-4 ble enstemmig vedtatt.\n"
     "Innstillingens punkt 5 ble vedtatt med 20 mot 15 stemmer (FrP, H).\nPunkt 6 falt med 10 mot 25 stemmer.",
     [("punkt 1-4", "adopted", True, None, None), ("punkt 5", "adopted", False, 20, 15),
      ("punkt 6", "rejected", False, 10, 25)]),
    ("Det vart røysta punktvis.\nPunkt 1: Samrøystes vedteke.\nPunkt 2 vart vedteke med 12 mot 5 røyster.\n"
     "Innstillinga sitt punkt 3 fall med 4 mot 13 røyster.",
     [("punkt 1", "adopted", True, None, None), ("punkt 2", "adopted", False, 12, 5),
      ("punkt 3", "rejected", False, 4, 13)]),
    ("Votering:\nPkt. 1 ble vedtatt mot 3 stemmer (FrP).\nPkt. 2: Enstemmig vedtatt.",
     [("punkt 1", "adopted", False, None, 3), ("punkt 2", "adopted", True, None, None)]),
])
def test_point_by_point_votes_are_one_vote_per_point(text, expected):
    """`votert punktvis`: each point of the recommendation voted on by itself is its own vote, labelled `punkt N`."""
    votes = read_votes(text)
    assert [(v.label, v.outcome, v.unanimous, v.votes_for, v.votes_against) for v in votes] == expected
    assert {v.kind for v in votes} == {"innstilling"}


def test_no_vote_in_ordinary_prose():
    assert read_votes("Vi har vedtatt en by- og arkitekturstrategi, i alle fall i prinsippet.") == ()


def test_against_parties_from_a_counted_vote():
    vote = read_votes("Innstillingen ble vedtatt med 8 mot 3 stemmer (PP, SV, AP).")[0]
    assert vote.parties_against == ("PP", "SV", "A")


def test_named_lists_in_nynorsk():
    text = ("For framlegget røysta 3: Ola Nordmann (H), Kari Nordmann (Sp), Per Olsen (Ap).\n"
            "Mot framlegget røysta 2: Anne Berg (SV), Nils Dahl (Frp).\nDermed vart framlegget vedteke.")
    vote = read_votes(text)[0]
    assert (vote.votes_for, vote.votes_against, vote.outcome) == (3, 2, "adopted")
    assert vote.voters_against == ("Anne Berg", "Nils Dahl") and vote.parties_for == ("H", "SP", "A")


@pytest.mark.parametrize("written, full, fits", [
    ("Per Aunan", "Per Espen Aunan", True),
    ("Janne K. J. Larsen", "Janne Kathrine Jørstad Larsen", True),
    ("S. M. Ø. Nesgård", "Siri-Marie Øvrum Nesgård", True),
    ("Nina Groven", "Nina Egenæs Groven", True),
    ("Nina Groven", "Nina Bakken Bye", False),
    ("Lars Lund", "Terje Lund", False),
    ("Janne K. L. Larsen", "Janne Kathrine Jørstad Larsen", False),
])
def test_name_fits(written, full, fits):
    assert name_fits(written, full) is fits


def test_template_and_language_detection():
    nynorsk = "Møtebok\nUtval: Kommunestyret\nMøtestad: Heradshuset\nTil stades:\nOla Nordmann (Sp)\n" \
              "Innstillinga vart samrøystes vedteke. Framlegget frå Kari fall. Det vart ikkje røysta over eit nytt framlegg."
    template = detect_template(nynorsk)
    assert template.language == "nn"
    assert detect_template(LEVANGER.read_text(encoding="utf-8")).language == "nb"
    assert detect_template("Lorem ipsum").family == "generic"


@pytest.mark.slow
def test_votes_in_the_warehouse(tmp_path):
    from kommune_etl.pipeline import ingest_paths

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in (LEVANGER, PROTOCOLS / "fasit" / "steinkjer" / "vedtak-7872.txt"):
        (inbox / path.name).write_bytes(path.read_bytes())
    db = tmp_path / "wh" / "warehouse.duckdb"
    summary = ingest_paths([inbox], db)
    assert summary.new == 2 and summary.quarantined == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM mart_votes").fetchone()[0] == 34
    assert con.execute("SELECT votes_for, votes_against, casting_vote FROM mart_votes WHERE case_number = '30/2026'"
                       ).fetchone() == (4, 4, "leder")
    assert con.execute("SELECT template, members_present, members_absent FROM meetings WHERE body = 'Kommunestyret'"
                       ).fetchone() == ("elements_moteprotokoll", 35, 0)
    # how one representative voted in the final vote on the hearing (PS 14/26): against, with her party
    row = con.execute("""SELECT position, party, on_winning_side FROM mart_vote_positions
                         WHERE person = 'Janne Kathrine Jørstad Larsen' AND case_number = 'PS 14/26'
                         ORDER BY vote_position DESC LIMIT 1""").fetchone()
    assert row == ("against", "FRP", False)
    alternatives = con.execute("SELECT alternatives FROM votes WHERE kind = 'alternative' AND case_number = 'PS 13/26'"
                               ).fetchone()[0]
    assert [(a["label"], a["votes"], a["outcome"]) for a in alternatives] == [("forslag 1", 25, "adopted"),
                                                                              ("forslag 2", 10, "rejected")]


# Layouts outside Elements, written for these tests in the shape of published ACOS-style and nynorsk protocols
ACOS_STYLE = """MØTEPROTOKOLL

Formannskapet

Møtested: Rådhuset, møterom 1
Møtedato: 12.03.2024
Tid: 09:00 - 13:30

Faste medlemmer som møtte:
Kari Nordmann (H)
Ola Hansen (AP)
Per Olsen (SP)
Anne Berg (FRP)
Nils Dahl (SV)

Varamedlemmer som møtte:
Liv Strand (AP) for Eva Lie (AP)

Forfall:
Eva Lie (AP)

Sak 12/24 Reguleringsplan for Sentrum
Behandling:
Ola Hansen (AP) fremmet følgende forslag:
Saken utsettes.
Forslaget falt med 2 mot 4 stemmer.
Innstillingen ble vedtatt med 4 mot 2 stemmer (AP).
Vedtak:
Reguleringsplan for Sentrum vedtas.

Sak 13/24 Referatsaker
Behandling:
Enstemmig vedtatt.
Vedtak:
Referatsakene tas til orientering.
"""

NYNORSK_STYLE = """MØTEBOK
Kommunestyret
Møtestad: Heradshuset
Møtedato: 14.05.2024
Møtetid: 18:00 - 21:00

Fylgjande faste medlemmer var til stades:
Ola Nordmann (Sp)
Kari Heggheim (Ap)
Lars Vik (H)
Marit Tveit (Sp)

Fylgjande varamedlemer var til stades:
Jon Bø (Ap) for Siri Dale (Ap)

Forfall:
Siri Dale (Ap)

Sak 21/24 Reguleringsplan for Hamna
Handsaming:
Lars Vik (H) sette fram slikt framlegg:
Saka vert sendt attende.
Framlegget fall med 1 mot 4 røyster.
Tilrådinga vart vedteke med 4 mot 1 røyster (H).
Vedtak:
Reguleringsplanen vert vedteken.

Sak 22/24 Referatsaker
Handsaming:
Samrøystes vedteke.
Vedtak:
Referatsakene vert tekne til orientering.
"""


@pytest.mark.parametrize("text, family, language, counts, present", [
    (ACOS_STYLE, "acos_websak", "nb", [(2, 4), (4, 2)], 6),
    (NYNORSK_STYLE, "acos_websak", "nn", [(1, 4), (4, 1)], 5),
])
def test_other_layouts_read_the_same_structure(text, family, language, counts, present):
    meeting = extract_meeting((Page(1, text),), date(2024, 5, 14))
    if family:
        assert meeting.template == family
    assert meeting.language == language
    assert len(meeting.members_present) == present
    assert [a.name for a in meeting.members_absent] == [meeting.members_present[-1].substitute_for]
    first, second = meeting.items
    assert [(v.kind, v.outcome) for v in first.votes] == [("forslag", "rejected"), ("innstilling", "adopted")]
    assert [(v.votes_for, v.votes_against) for v in first.votes] == counts
    assert first.votes[0].by in ("Ola Hansen", "Lars Vik") and first.outcome == "majority"
    assert second.outcome == "unanimous" and second.decision_kind == "taken_note"
