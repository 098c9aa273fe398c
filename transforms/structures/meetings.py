"""Meeting protocols (møteprotokoll, referat, møtebok; bokmål and nynorsk): who met, what was decided, how
they voted.

Vote notation read: `(Enst.)`, `enstemmig`, `(10/1)`, `vedtatt med 8 mot 3 stemmer (PP, SV, AP)`,
`falt med 3 mot 8 stemmer`, and `alternativ votering`, where the losing proposal gets the other side of
the count. Reconciliation (votes for + against ≤ members present; named parties among those present)
adds an issue to the item instead of failing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from kommune_etl.models import Entity, Page
from kommune_etl.transforms.actors import party_code
from kommune_etl.transforms.pagetext import JoinedPages
from kommune_etl.transforms.places import MUNICIPALITY, default_gazetteer, find_places
from kommune_etl.transforms.structures.elements import read_case_protocol, read_meeting_protocol
from kommune_etl.transforms.structures.records import AgendaItem, Attendee, Meeting, Proposal, Vote
from kommune_etl.transforms.structures.templates import ELEMENTS_SAKSPROTOKOLL, FREE_TEXT, detect_template

_NAME = r"[A-ZÆØÅ][\wæøåÆØÅéèÉÈ'-]+(?:[ \u00a0]+(?:de[ \u00a0]+|van[ \u00a0]+)?[A-ZÆØÅ][\wæøåÆØÅéèÉÈ'-]+){1,4}"
_MEMBER = re.compile(rf"^\s*(?P<name>{_NAME})\s*\((?P<party>[^)]{{1,10}})\)(?:\s*(?:for|i stedet for|vara for)\s+"
                     rf"(?P<for>{_NAME})\s*(?:\((?P<for_party>[^)]{{1,10}})\))?)?\s*$")
_ROLE_LINE = re.compile(rf"^\s*(?P<name>{_NAME})\s*,\s*(?P<role>.+)$")
_BLOCKS = {
    "member": re.compile(r"(?im)^\s*(?:til stede|møtt|møtande medlemer|tilstede|møtende medlemmer)\s*:\s*$"),
    "administration": re.compile(r"(?im)^\s*(?:til stede|møtt|fra administrasjonen)[^:\n]*administrasjon\w*\s*:\s*$"),
    "observer": re.compile(r"(?im)^\s*(?:dessuten møtte|andre til stede|i tillegg møtte)\s*:\s*$"),
    "absent": re.compile(r"(?im)^\s*(?:forfall|meldt forfall|ikke møtt|fråvær)\s*:\s*$"),
}
_BODY = (re.compile(r"(?im)^\s*(?:protokoll|møteprotokoll|referat|møtebok)\s+(?:for\s+|fra\s+)?(?P<body>[A-ZÆØÅ][\wæøåÆØÅ-]+(?:[ -][\wæøåÆØÅ-]+){0,3}?)(?=\s+d\.|\s+\d|\s*$)"),
         re.compile(r"(?im)^\s*(?:utvalg|organ)\s*:\s*(?P<body>.+?)\s*$"))
_PLACE = re.compile(r"(?im)^\s*(?:sted|møtested|mødested|møtestad)\s*:?\s*(?P<place>[^\n\t]+?)\s*$")
_CHAIR = re.compile(r"(?im)^\s*(?:møteleder|møteleiar|leder|ordfører)\s*:\s*(?P<chair>[^\n]+?)\s*$")
_TIMES = re.compile(r"(?i)kl\.?\s*(\d{1,2})[.:](\d{2})\s*(?:-|–|til)\s*(?:kl\.?\s*)?(\d{1,2})[.:](\d{2})")
_START = re.compile(r"(?i)(?:møtedato|mødedato|møtetid|tid)\b[^\n]*?kl\.?\s*(\d{1,2})[.:](\d{2})")
_ITEM = re.compile(r"(?m)^[ \t]*(?:(?:PS|Sak)\s*)?(?P<case>\d{1,3}/\d{2})[ \t]+(?P<title>[^\n]{3,200})$")
_ARCHIVE = re.compile(r"(?i)\((?:ark\.?\s*nr\.?|arkivsak(?:-dok)?\.?|saksnr\.?)\s*:?\s*(?P<ref>[\d/-]+)\)")
_SECTION_END = re.compile(r"(?im)^\s*(?:møtet hevet|punkt \.:|eventuelt\s*$)")
_MARK_UNANIMOUS = re.compile(r"\((?:Enst\.?|enst\.?|Enstemmig|enstemmig|Enstemmig vedtatt)\)")
_MARK_COUNT = re.compile(r"\((?P<for>\d{1,3})\s*/\s*(?P<against>\d{1,3})\)")
_MARK = re.compile(rf"{_MARK_UNANIMOUS.pattern}|{_MARK_COUNT.pattern}")
_PROPOSAL = re.compile(rf"(?i)(?:repr\.?|representant|leder|nestleder|ordfører)?\s*(?P<by>(?-i:{_NAME})\s*\([^)]{{1,10}}\))\s*"
                       r"(?:fremmet|fremma|la fram|satte fram)\s+(?:følgende|fylgjande)?\s*(?P<kind>endringsforslag|tilleggsforslag|"
                       r"alternativt forslag|forslag|framlegg)")
_VOTE_COUNT = r"(?P<for>\d{1,3})\s+mot\s+(?P<against>\d{1,3})\s+stemme\w*(?:\s*\((?P<parties>[^)]*)\))?"
_VOTE_ADOPTED = re.compile(rf"(?i)(?P<what>[^\n.]*?)\b(?:ble\s+|vart\s+)?vedtatt\s+med\s+{_VOTE_COUNT}")
_VOTE_FELL = re.compile(rf"(?i)(?P<what>[^\n.]*?)\b(?:falt|ble nedstemt|fall)\s+med\s+{_VOTE_COUNT}")
_VOTE_UNANIMOUS = re.compile(r"(?i)(?P<what>[^\n.]*?)\b(?:ble\s+|vart\s+)?(?:enstemmig\s+vedtatt|vedtatt\s+enstemmig|einstemmig\s+vedteke)")
_TAKEN_NOTE = re.compile(r"(?i)tas til etterretning|tatt til etterretning|tar saken til orientering|til orientering|"
                         r"tas til orientering|tatt til orientering")


def extract_meeting(pages: tuple[Page, ...], on: date, entities: Sequence[Entity] | None = None) -> Meeting | None:
    """Read a protocol by its template family (Elements, decision record, free text), with the evidence kept.

    ``entities``: the entity stage's, when it ran; the places it found are not looked up a second time."""
    joined = JoinedPages.of(pages)
    template = detect_template(joined.text)
    meeting = None
    if template.family == ELEMENTS_SAKSPROTOKOLL:
        meeting = read_case_protocol(joined.text, joined.page_of, template.family, template.evidence, template.language)
    elif template.family != FREE_TEXT:
        meeting = read_meeting_protocol(joined.text, joined.page_of, template.family, template.evidence, template.language)
    if meeting is None or not meeting.items:
        # the sample's older free-text layout (`13/25 Title` with `(Enst.)`/`(10/1)` marks), and the fallback
        free_text = _free_text_meeting(joined, on)
        if free_text is not None and (meeting is None or free_text.items):
            meeting = replace(free_text, template=template.family, template_evidence=template.evidence,
                              language=template.language, items=tuple(replace(i, votes=_votes_of(i)) for i in free_text.items))
    if meeting is None:
        return None
    if meeting.date is None:
        meeting = replace(meeting, date=on.isoformat())
    if meeting.municipality is None:
        meeting = replace(meeting, municipality=_municipality(joined, on, entities))
    return meeting


def _votes_of(item: AgendaItem) -> tuple[Vote, ...]:
    """The free-text reader's decision and extra proposals as votes, so every template fills the same tables."""
    votes = [Vote(label=p.kind, kind=p.kind, outcome=None if p.outcome is None else ("rejected" if p.outcome == "rejected" else "adopted"),
                  unanimous=p.outcome == "unanimous", by=p.by, votes_for=p.votes_for, votes_against=p.votes_against,
                  parties_against=p.against_parties, page=item.page) for p in item.extra_proposals]
    if item.outcome is not None:
        votes.append(Vote(label="innstillingen", kind="innstilling", outcome="rejected" if item.outcome == "rejected" else "adopted",
                          unanimous=item.outcome == "unanimous", votes_for=item.votes_for, votes_against=item.votes_against,
                          parties_against=item.against_parties, page=item.page))
    return tuple(votes)


def _free_text_meeting(joined: JoinedPages, on: date) -> Meeting | None:
    text, page_of = joined.text, joined.page_of
    items_start = _first_item(text)
    header = text[: items_start if items_start is not None else 6000]
    attendees = _attendees(header, page_of, text)
    attendees = tuple(Attendee(a.name, a.party, party_code(a.party) if a.party else None, a.role, a.substitute_for,
                               a.present, a.page, a.title) for a in attendees)
    items = _items(text, items_start, attendees, page_of) if items_start is not None else ()
    if not attendees and not items:
        return None
    start, end = _times(header)
    return Meeting(
        body=_first(_BODY, "body", text[:4000], transform=_titlecase_body),
        municipality=None,  # filled by extract_meeting
        date=on.isoformat(),
        start=start, end=end,
        place=_first(_PLACE, "place", header),
        chair=_person_at_end(_first(_CHAIR, "chair", header)),
        secretary=next((a.name for a in attendees if "sekret" in (a.title or "").lower()), None),
        attendees=attendees,
        items=items,
    )


def _first_item(text: str) -> int | None:
    for m in _ITEM.finditer(text):
        following = text[m.end(): m.end() + 300]
        if _ARCHIVE.search(following[:80]) or _MARK.search(following) or re.search(r"(?i)vedtak|innstilling", following[:120]):
            return m.start()
    return None


def _first(pattern, group, text, transform=None):
    for p in (pattern if isinstance(pattern, tuple) else (pattern,)):
        m = p.search(text)
        if m:
            value = m.group(group).strip()
            return transform(value) if transform else value
    return None


def _titlecase_body(body: str) -> str:
    return body[:1].upper() + body[1:].lower() if body.isupper() else body


def _person_at_end(text: str | None) -> str | None:
    if not text:
        return None
    m = re.search(rf"({_NAME})\s*(?:\([^)]*\))?\s*$", text)
    if not m:
        return text
    words = m.group(1).split()
    while len(words) > 2 and words[0].lower() in {"leder", "nestleder", "utvalg", "i", "ordfører", "varaordfører"}:
        words = words[1:]
    return " ".join(words)


def _times(header: str) -> tuple[str | None, str | None]:
    m = _TIMES.search(header)
    if m:
        return f"{int(m.group(1)):02d}:{m.group(2)}", f"{int(m.group(3)):02d}:{m.group(4)}"
    m = _START.search(header)
    return (f"{int(m.group(1)):02d}:{m.group(2)}", None) if m else (None, None)


#: The municipality of a protocol is the one named most often in its first characters.
MUNICIPALITY_WINDOW = 20000


def _municipality(joined: JoinedPages, on: date, entities: Sequence[Entity] | None = None) -> str | None:
    if entities is None:
        found = [m.value for m in find_places(joined.text[:MUNICIPALITY_WINDOW], on, default_gazetteer())
                 if m.label == MUNICIPALITY and m.value]
    else:  # the same window, in the entity stage's page coordinates
        starts = dict(zip(joined.numbers, joined.starts))
        found = [e.value for e in entities if e.label == MUNICIPALITY and e.value
                 and starts.get(e.page, MUNICIPALITY_WINDOW) + e.end <= MUNICIPALITY_WINDOW]
    codes = Counter(found)
    return codes.most_common(1)[0][0] if codes else None


def _attendees(header: str, page_of, text: str) -> tuple[Attendee, ...]:
    found: list[Attendee] = []
    base = text.find(header[:200]) if header else 0
    for role, pattern in _BLOCKS.items():
        for m in pattern.finditer(header):
            if role == "member" and _BLOCKS["administration"].match(m.group(0)):
                continue
            for offset, line in _block_lines(header, m.end()):
                page = page_of(base + offset)
                member = _MEMBER.match(line)
                if member and role in ("member", "absent"):
                    party = member["party"].strip().rstrip(".")
                    if member["for"]:
                        found.append(Attendee(member["name"], party, None, "substitute", member["for"], True, page))
                    else:
                        found.append(Attendee(member["name"], party, None, "member", None, role == "member", page))
                    continue
                with_role = _ROLE_LINE.match(line)
                if with_role and role in ("administration", "observer"):
                    found.append(Attendee(with_role["name"], None, None, role, None, True, page, with_role["role"].strip()))
    return tuple(found)


def _block_lines(text: str, start: int):
    """Non-empty lines after a block heading, up to the first blank line after content."""
    offset = start
    seen = False
    for line in text[start:].split("\n"):
        if line.strip():
            if line.strip().endswith(":") and seen:
                return
            seen = True
            yield offset, line
        elif seen:
            return
        offset += len(line) + 1


def _items(text: str, start: int, attendees: tuple[Attendee, ...], page_of) -> tuple[AgendaItem, ...]:
    end_match = _SECTION_END.search(text, start)
    section_end = end_match.start() if end_match else len(text)
    heads = [m for m in _ITEM.finditer(text, start, section_end)]
    seen: set[str] = set()
    items = []
    for index, head in enumerate(heads):
        if head["case"] in seen:
            continue
        seen.add(head["case"])
        body_end = heads[index + 1].start() if index + 1 < len(heads) else section_end
        items.append(_item(head, text[head.end(): body_end], attendees, page_of(head.start())))
    return tuple(items)


def _item(head: re.Match[str], body: str, attendees: tuple[Attendee, ...], page: int | None) -> AgendaItem:
    present = [a for a in attendees if a.role in ("member", "substitute") and a.present]
    present_parties = list(dict.fromkeys(a.party for a in present if a.party))
    archive = _ARCHIVE.search(body[:200])
    split = re.search(r"(?im)^\s*(?:forslag|framlegg)\s*:\s*$|^\s*voteringer?\s*:\s*$|^\s*votering\s*:\s*$", body)
    decision_part = body[: split.start()] if split else body
    votes_part = body[split.start():] if split else ""
    first_mark = _MARK.search(decision_part)
    proposed = _section_text(decision_part, r"innstilling")
    decision = _section_text(decision_part, r"vedtak") or proposed
    outcome, votes_for, votes_against, against = _from_mark(first_mark)
    proposals = [(_without_role(m["by"]), m["kind"].lower()) for m in _PROPOSAL.finditer(" ".join(votes_part.split()))]
    alternative = bool(re.search(r"(?i)alternativ\s+votering", votes_part))
    extra: list[Proposal] = []
    for what, kind, v_for, v_against, parties in _votes(" ".join(votes_part.split())):
        if re.search(r"(?i)innstilling|vedtaksforslag|forslag til vedtak", what):
            if kind == "unanimous":
                outcome, votes_for, votes_against, against = "unanimous", None, None, ()
            else:
                outcome = "majority" if kind == "adopted" else "rejected"
                votes_for, votes_against, against = v_for, v_against, parties
            if alternative and proposals and kind != "unanimous":
                by, proposal_kind = proposals.pop(0)
                winners = set(parties)
                extra.append(Proposal(by, proposal_kind, "rejected" if kind == "adopted" else "adopted", v_against, v_for,
                                      tuple(p for p in present_parties if p not in winners)))
        else:
            by, proposal_kind = proposals.pop(0) if proposals else (None, "forslag")
            if kind == "unanimous":
                extra.append(Proposal(by, proposal_kind, "unanimous"))
            else:
                extra.append(Proposal(by, proposal_kind, "adopted" if kind == "adopted" else "rejected", v_for, v_against, parties))
    extra.extend(Proposal(by, kind, None) for by, kind in proposals)  # proposed, but no vote recorded
    title = _title(head, body)
    return AgendaItem(
        case=head["case"], archive_ref=archive["ref"] if archive else None, title=title,
        item_type=_item_type(title), decision_kind="taken_note" if _TAKEN_NOTE.search(decision or "") else "decision",
        proposed_decision=proposed, decision_text=decision, outcome=outcome, votes_for=votes_for,
        votes_against=votes_against, against_parties=tuple(against), extra_proposals=tuple(extra), page=page,
        issues=tuple(_reconcile(votes_for, votes_against, against, extra, present, present_parties)),
    )


_ROLE_WORDS = {"leder", "nestleder", "repr", "repr.", "representant", "ordfører", "varaordfører", "medlem"}


def _without_role(by: str) -> str:
    words = by.split()
    while len(words) > 3 and words[0].lower() in _ROLE_WORDS:
        words = words[1:]
    return " ".join(words)


def _title(head: re.Match[str], body: str) -> str:
    """The item title, with lines a PDF wrapped before the `(ark.nr. …)` line joined back on."""
    title = head["title"].strip()
    lines = body.lstrip("\n").split("\n")
    continuation = []
    for line in lines[:3]:
        if not line.strip() or line.strip().startswith("(") or re.match(r"(?i)\s*\S+\s+(?:vedtak|innstilling)\s*$", line):
            break
        continuation.append(line.strip())
    if continuation and len(lines) > len(continuation) and lines[len(continuation)].strip().startswith("("):
        title = " ".join([title, *continuation])
    return " ".join(title.split())


def _section_text(part: str, heading: str) -> str | None:
    m = re.search(rf"(?im)^[^\n]*{heading}\w*\s*$", part)
    if not m:
        return None
    rest = part[m.end():]
    mark = _MARK.search(rest)
    text = rest[: mark.start()] if mark else rest
    return " ".join(text.split()) or None


def _from_mark(mark):
    if mark is None:
        return None, None, None, ()
    if mark.group("for"):
        return "majority", int(mark.group("for")), int(mark.group("against")), ()
    return "unanimous", None, None, ()


def _votes(flat: str):
    """Every vote statement in order: (what was voted on, kind, for, against, parties named)."""
    found = []
    for pattern, kind in ((_VOTE_ADOPTED, "adopted"), (_VOTE_FELL, "rejected"), (_VOTE_UNANIMOUS, "unanimous")):
        for m in pattern.finditer(flat):
            if any(m.start() < end and start < m.end() for start, end, *_ in found):
                continue
            if kind == "unanimous":
                found.append((m.start(), m.end(), m["what"], kind, None, None, ()))
            else:
                parties = tuple(p.strip() for p in re.split(r"[,+]| og ", m["parties"] or "") if p.strip())
                found.append((m.start(), m.end(), m["what"], kind, int(m["for"]), int(m["against"]), parties))
    return [f[2:] for f in sorted(found)]


def _item_type(title: str) -> str:
    lowered = title.lower()
    if "orientering" in lowered:
        return "orientation"
    if "referatsak" in lowered or lowered.startswith("referat"):
        return "referat"
    if "delegert" in lowered:
        return "delegated"
    return "political"


def _reconcile(votes_for, votes_against, against, proposals, present, present_parties) -> list[str]:
    issues = []
    members = len(present)
    for label, v_for, v_against, parties in [("decision", votes_for, votes_against, against)] + [
            (f"proposal by {p.by}", p.votes_for, p.votes_against, p.against_parties) for p in proposals]:
        if members and v_for is not None and v_against is not None and v_for + v_against > members:
            issues.append(f"{label}: {v_for} for + {v_against} against = {v_for + v_against} > {members} members present")
        unknown = [p for p in parties if present_parties and p not in present_parties]
        if unknown:
            issues.append(f"{label}: parties named in the vote are not among those present: {', '.join(unknown)}")
    return issues
