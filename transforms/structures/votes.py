"""Votes as Norwegian protocols write them, in bokmål and nynorsk, read from the text of one case's handling.

The text is read as a sequence of events — a proposal is put forward (`X (SP) fremmet følgende
tilleggsforslag:`, `Innstilling:`, `1)` … `Dette ble satt opp mot:` … `2)`), voters are counted (`For
forslaget stemte 9: Name (H), …`, `Imot forslaget stemte 8: …`, `For forslag 2 stemte 10: …`) and a result is
stated (`Dermed ble innstillingen vedtatt`, `enstemmig vedtatt`, `vedtatt med 20 mot 15 stemmer`, `vedtatt mot
3 stemmer (FRP)`, `falt`, `ble nedstemt`, `vedtatt med leders dobbeltstemme`, `Saken ble vedtatt utsatt`) —
and each result closes one vote with the proposal and counts that came before it. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kommune_etl.transforms.actors import party_code
from kommune_etl.transforms.structures.records import Attendee, Vote, VoteOption
from kommune_etl.transforms.structures.rollcall import WrittenVoter, resolve, roll_call_issues

_W = r"[A-Za-zÆØÅæøåÉéÈèÖöÄäÜü]"
_NAME_WORD = rf"(?:[A-ZÆØÅÉÖÄÜ]{_W}*(?:-[A-ZÆØÅ]{_W}*)?\.?|[A-ZÆØÅ]\.|de|van|von|af)"
_PERSON = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,5}}"
_ROLE_LEAD = r"(?:(?:Repr\.|Representant(?:en)?|Ordfører(?:en)?|Varaordfører(?:en)?|Leder(?:en)?|Nestleder(?:en)?|Leiar(?:en)?|Møteleder(?:en)?)[ \t]+)?"
_PROPOSAL_KIND = r"(?P<kind>[a-zæøå]*(?:forslag|framlegg|fremlegg))"
_PUT_FORWARD = r"(?:fremmet|fremma|fremja|fremjar|fremmer|satte\s+fram|sette\s+fram|la\s+fram|la\s+frem|legger\s+fram)"

#: `Randi Haugskott (Senterpartiet) fremmet følgende forslag:`; `Kommunedirektøren fremmet følgende tilleggsforslag:`
PROPOSAL_INTRO = re.compile(
    rf"(?m)^[ \t]*{_ROLE_LEAD}(?P<by>{_PERSON}|[Kk]ommunedirektøren|[Rr]ådmannen|[Oo]rdføreren|[Ll]eder(?:en)?|[Kk]ommunedirektør)"
    rf"[ \t]*(?:\((?P<party>[^)\n]{{1,40}})\))?[ \t,]+(?:på vegne av [^\n]{{1,80}}?[ \t]+)?{_PUT_FORWARD}[ \t]+"
    rf"(?:følgende|fylgjande|slikt|sitt|eit|et|nytt|nye)?[ \t]*(?:omforente[ \t]+)?{_PROPOSAL_KIND}", re.IGNORECASE)
#: `Forslag fremmet i møtet:`
PROPOSAL_IN_MEETING = re.compile(rf"(?im)^[ \t]*{_PROPOSAL_KIND}[ \t]+(?:fremmet|fremma|sett fram|sett frem|lagt fram)[ \t]+i[ \t]+møte(?:t)?")
#: `Innstilling:`, `INNSTILLING`, `Kommunedirektørens forslag til vedtak:`, `Kontrollutvalgets forslag til vedtak:`
RECOMMENDATION = re.compile(
    r"(?im)^[ \t]*(?:(?P<who>[\wæøåÆØÅ-]+s)[ \t]+)?(?P<what>innstilling|innstillinga|tilråding|tilrådinga|forslag til vedtak|"
    r"framlegg til vedtak|innstilling til vedtak|vedtaksforslag)[ \t]*:?[ \t]*$")
#: `Avstemning av formannskapets innstilling med vedtatte endringer/tillegg:` · `Votering over innstillinga:`
VOTE_HEADING = re.compile(r"(?im)^[ \t]*(?:Avstemning|Votering|Røysting)[ \t]+(?:av|over|om)[ \t]+(?P<what>[^\n]{3,160}?)[ \t]*:[ \t]*$")
ALTERNATIVE = re.compile(r"(?i)dette\s+ble\s+satt\s+opp\s+mot|satt\s+opp\s+mot\s+hverandre|alternativ\s+votering|"
                         r"(?:vart|vert|blei)\s+sett\s+opp\s+mot|alternativt\s+satt\s+opp")
NUMBERED = re.compile(r"(?m)^[ \t]*(?P<n>\d{1,2})\)[ \t]*$")
#: `For forslaget stemte 9:` · `Imot forslaget stemte 8:` · `For forslag 2 stemte 10:` · `Mot framlegget røysta 3:`
TALLY = re.compile(
    r"(?im)(?:^|(?<=[.:]\s))[ \t]*(?P<side>For|Imot|Mot|I mot)[ \t]+(?P<what>(?:det\s+)?(?:[a-zæøå]*(?:forslag|framlegg|fremlegg)(?:et)?"
    r"(?:[ \t]+(?:nr\.?[ \t]*)?\d{1,2})?|innstilling(?:en|a)?|tilråding(?:en|a)?))[ \t]+"
    r"(?:stemte|røysta|røystet|røystde|stemmer)[ \t]+(?P<n>\d{1,3})\b[ \t]*(?P<colon>:)?")
_RESULT_VERB = r"(?P<neg>ikke\s+|ikkje\s+)?(?:vedtatt|vedteke|vedtatt|vedtekne)\b"
#: `Dermed ble innstillingen vedtatt.` · `Dermed ble tilleggsforslag ikke vedtatt.` · `…, med leders dobbeltstemme.`
RESULT_THEREFORE = re.compile(rf"(?i)\bDermed\s+(?:ble|vart|blei|er)\s+(?P<what>[^\n]{{1,160}}?)\s+{_RESULT_VERB}(?P<rest>[^\n]*)")
# What was voted on is the start of the sentence before the verb; it is read backwards from the match
# (`_sentence_before`). Each pattern starts at its verb or count, so the regex engine can skip ahead to
# the few places that could match (a leading lazy group made every pattern quadratic in the sentence).
_COUNT_WORD = r"(?:stemmer|røyster|stemme|røyst)"
#: `Innstillingen ble vedtatt med 20 mot 15 stemmer (FRP, H)` · `vedtatt med 8 mot 3 stemmer` · `falt med 3 mot 8 røyster`
RESULT_COUNTED = re.compile(
    r"(?i)(?P<verb>vedtatt|vedteke|falt|fall|nedstemt|nedrøysta|forkastet|ikke\s+vedtatt|ikkje\s+vedteke)"
    r"(?:\s+(?:forslaget|framlegget|innstillingen|innstillinga|tilrådinga))?\s+med\s+(?P<for>\d{1,3})\s*(?:mot|-|–)\s*"
    rf"(?P<against>\d{{1,3}})\s*{_COUNT_WORD}?(?:\s*\((?P<parties>[^)\n]{{1,80}})\))?")
#: `Innstillingen ble vedtatt mot 3 stemmer (FRP)`
RESULT_AGAINST_ONLY = re.compile(
    rf"(?i)(?:vedtatt|vedteke)\s+mot\s+(?P<against>\d{{1,3}})\s+{_COUNT_WORD}(?:\s*\((?P<parties>[^)\n]{{1,80}})\))?")
#: `(20 mot 15)` after a proposal or a decision
RESULT_PARENTHESISED = re.compile(r"\((?P<for>\d{1,3})\s+mot\s+(?P<against>\d{1,3})(?:\s+(?:stemmer|røyster))?\)")
RESULT_UNANIMOUS = re.compile(
    r"(?i)(?:enstemmig|einstemmig|samrøystes|samrøyst)(?:\s+(?:vedtatt|vedteke|tiltrådt|godkjent|bifalt|vedtak)\b|[ \t]*\.?[ \t]*$"
    r"|\)|\s+[\wæøå]+\s+(?:vedtok|vedtek|godkjente|sluttet\s+seg))"
    r"|(?:vedtatt|vedteke|godkjent)\s+(?:enstemmig|einstemmig|samrøystes)"
    r"|(?:vedtaket|forslaget|innstillinga|innstillingen)\s+(?:var|ble|vart)\s+(?:enstemmig|samrøystes|einstemmig)\b"
    r"|\((?:enst|enstemmig|samrøystes)\.?(?:[ \t]+vedtatt)?\)", re.MULTILINE)
#: `vart med 58 mot 36 røyster ikkje vedteke` · `ble med 20 mot 15 stemmer vedtatt`
RESULT_COUNT_FIRST = re.compile(
    rf"(?i)(?:ble|vart|blei)\s+med\s+(?P<for>\d{{1,3}})\s+mot\s+(?P<against>\d{{1,3}})\s+{_COUNT_WORD}"
    r"\s+(?P<neg>ikke\s+|ikkje\s+)?(?:vedtatt|vedteke)")
#: `11 stemte mot forslaget og 3 stemte for` (Gratangen writes the count against first)
RESULT_AGAINST_FIRST = re.compile(
    r"(?i)(?P<against>\d{1,3})\s+(?:stemte|røysta)\s+mot\s+(?P<what>forslaget|framlegget|innstillingen|innstillinga)\s+og\s+"
    r"(?P<for>\d{1,3})\s+(?:stemte|røysta)\s+for")
RESULT_FELL = re.compile(r"(?i)(?:falt|fall(?=\s*(?:[.,;]|med\b|mot\b|$))|ble\s+nedstemt|vart\s+nedrøysta|ble\s+forkastet|"
                         r"vart\s+forkasta)\b", re.MULTILINE)
RESULT_POSTPONED = re.compile(r"(?i)\b(?:saken|behandlingen|saka)\s+(?:ble|vart|blei)\s+(?:vedtatt\s+|enstemmig\s+vedtatt\s+)?"
                              r"(?:utsatt|utsett|sendt tilbake)")
_CASTING = re.compile(r"(?i)(?P<who>leders|leiars|ordførers|ordførarens|møteleders|møteleiars)\s+dobbeltstemme")


@dataclass
class _Proposal:
    kind: str
    label: str
    by: str | None = None
    party: str | None = None
    start: int = 0
    number: int | None = None


@dataclass
class _Tally:
    side: str            # for | against
    what: str
    number: int | None   # `forslag 2` → 2
    count: int
    voters: list[WrittenVoter] = field(default_factory=list)
    start: int = 0


@dataclass
class _Result:
    what: str                # lower-cased, for matching
    outcome: str | None      # adopted | rejected | postponed
    unanimous: bool = False
    votes_for: int | None = None
    votes_against: int | None = None
    parties_against: tuple[str, ...] = ()
    casting: str | None = None
    start: int = 0
    end: int = 0
    written: str = ""        # the sentence as written (names keep their case)


def read_votes(text: str, attendees: Sequence[Attendee] = (), page_of: Callable[[int], int | None] = lambda _: None,
               offset: int = 0) -> tuple[Vote, ...]:
    """Every vote in one case's handling text, in order; counts reconciled with the attendance."""
    text = _join_broken_names(text)
    events = _events(text)
    members_present = sum(1 for a in attendees if a.role in ("member", "substitute") and a.present)
    votes: list[Vote] = []
    current = _Proposal("innstilling", "innstillingen")
    options: dict[int, _Proposal] = {}
    pending_number: int | None = None
    alternative = False
    tallies: list[_Tally] = []
    for _start, kind, payload in events:
        if kind == "number":
            pending_number = payload
        elif kind == "alternative":
            alternative = True
            if current.number is None:
                current.number = 1
            options.setdefault(current.number, current)
        elif kind == "proposal":
            if tallies:  # counted but no result sentence: close that vote by its counts
                votes.append(_vote(current, tallies, None, alternative, options, text, attendees, members_present, page_of, offset))
                tallies, alternative, options = [], False, {}
            current = payload
            if pending_number is not None:
                current.number = pending_number
                options[pending_number] = current
                pending_number = None
            elif alternative:
                current.number = max(options, default=1) + 1
                options[current.number] = current
        elif kind == "tally":
            tallies.append(payload)
        elif kind == "result":
            votes.append(_vote(current, tallies, payload, alternative, options, text, attendees, members_present, page_of, offset))
            tallies, alternative, options = [], False, {}
            current.start = max(current.start, payload.end)  # what follows is no longer this proposal's text
    if tallies:
        votes.append(_vote(current, tallies, None, alternative, options, text, attendees, members_present, page_of, offset))
    return tuple(votes)


def _join_broken_names(text: str) -> str:
    """`Krogstad-\\nWiborg` → `Krogstad-Wiborg` (a name hyphen at a line end is the name's own)."""
    return re.sub(r"(?<=[A-Za-zæøåÆØÅ])-\n[ \t]*(?=[A-ZÆØÅ])", "-", text)


#: Each result pattern needs one of these words; it runs only on the lines (and their neighbours) that have one.
def _trigger(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words))


def _spans(lowered: str, trigger: re.Pattern[str]) -> list[tuple[int, int]]:
    """Ranges of text around each line with a trigger word (a line before and after, for wrapped sentences)."""
    spans: list[tuple[int, int]] = []
    for m in trigger.finditer(lowered):
        line_start = lowered.rfind("\n", 0, m.start())
        start = 0 if line_start <= 0 else lowered.rfind("\n", 0, line_start) + 1
        line_end = lowered.find("\n", m.end())
        end = len(lowered) if line_end < 0 else (lowered.find("\n", line_end + 1) % (len(lowered) + 1))
        end = len(lowered) if end <= line_end else end
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def _finditer(pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]):
    seen: set[int] = set()
    for start, end in spans:
        for m in pattern.finditer(text, start, end):
            if m.start() not in seen:
                seen.add(m.start())
                yield m


_MOT = _trigger("mot")
_UNANIMOUS_WORDS = _trigger("enst", "einst", "samrøyst")
_FELL_WORDS = _trigger("fall", "nedstemt", "nedrøyst", "forkast")
_POSTPONED_WORDS = _trigger("utsatt", "utsett", "tilbake")
_PUT_FORWARD_WORDS = _trigger("fremm", "fremj", "fram", "frem")
_TALLY_WORDS = _trigger("stemte", "stemmer", "røyst")
_THEREFORE_WORDS = _trigger("dermed")


def _events(text: str) -> list[tuple[int, str, object]]:
    found: list[tuple[int, int, str, object]] = []
    lowered = text.lower()
    near_mot, near_unanimous, near_fell = _spans(lowered, _MOT), _spans(lowered, _UNANIMOUS_WORDS), _spans(lowered, _FELL_WORDS)

    def add(start: int, end: int, kind: str, payload: object) -> None:
        if any(start < e and s < end for s, e, k, _ in found if k in ("tally", "result")):
            return
        found.append((start, end, kind, payload))

    tally_matches = list(_finditer(TALLY, text, _spans(lowered, _TALLY_WORDS)))
    for index, m in enumerate(tally_matches):
        limit = tally_matches[index + 1].start() if index + 1 < len(tally_matches) else len(text)
        voters_end = _voters_end(text, m.end(), limit)
        voters = _written_voters(text[m.end():voters_end]) if m["colon"] else []
        what = " ".join(m["what"].lower().split())
        number = re.search(r"\d+", what)
        add(m.start(), voters_end, "tally", _Tally("for" if m["side"].lower() == "for" else "against", what,
                                                     int(number.group()) if number else None, int(m["n"]), voters, m.start()))
    for m in _finditer(RESULT_THEREFORE, text, _spans(lowered, _THEREFORE_WORDS)):
        rest = m["rest"] or ""
        casting = _CASTING.search(rest)
        add(m.start(), m.end(), "result", _Result(_clean_what(m["what"]), "rejected" if m["neg"] else "adopted",
                                                  casting=_casting_role(casting), start=m.start(), end=m.end()))
    for m in _finditer(RESULT_POSTPONED, text, _spans(lowered, _POSTPONED_WORDS)):
        add(m.start(), m.end(), "result", _Result("saken", "postponed", start=m.start(), end=m.end()))
    for m in _finditer(RESULT_COUNTED, text, near_mot):
        adopted = m["verb"].lower().startswith("vedt")
        what = _sentence_before(text, m.start())
        add(m.start("verb"), m.end(), "result", _Result(_clean_what(what), "adopted" if adopted else "rejected",
                                                        votes_for=int(m["for"]), votes_against=int(m["against"]),
                                                        parties_against=_party_list(m["parties"]) if adopted else (),
                                                        start=m.start(), end=m.end(), written=what + m.group(0)))
    for m in _finditer(RESULT_COUNT_FIRST, text, near_mot):
        add(m.start(), m.end(), "result", _Result(_clean_what(_sentence_before(text, m.start())),
                                                  "rejected" if m["neg"] else "adopted",
                                                  votes_for=int(m["for"]), votes_against=int(m["against"]), start=m.start(), end=m.end()))
    for m in _finditer(RESULT_AGAINST_FIRST, text, near_mot):
        adopted = int(m["for"]) > int(m["against"])
        add(m.start(), m.end(), "result", _Result(m["what"].lower(), "adopted" if adopted else "rejected",
                                                  votes_for=int(m["for"]), votes_against=int(m["against"]), start=m.start(), end=m.end()))
    for m in _finditer(RESULT_AGAINST_ONLY, text, near_mot):
        add(m.start(), m.end(), "result", _Result(_clean_what(_sentence_before(text, m.start())), "adopted",
                                                  votes_against=int(m["against"]),
                                                  parties_against=_party_list(m["parties"]), start=m.start(), end=m.end()))
    for m in _finditer(RESULT_UNANIMOUS, text, near_unanimous):
        add(m.start(), m.end(), "result", _Result(_clean_what(_sentence_before(text, m.start())), "adopted", unanimous=True,
                                                  start=m.start(), end=m.end()))
    for m in _finditer(RESULT_FELL, text, near_fell):
        what = _sentence_before(text, m.start())
        add(m.start(), m.end(), "result", _Result(_clean_what(what), "rejected", start=m.start(), end=m.end(),
                                                  written=what + m.group(0)))
    for m in _finditer(RESULT_PARENTHESISED, text, near_mot):
        add(m.start(), m.end(), "result", _Result("", None, votes_for=int(m["for"]), votes_against=int(m["against"]),
                                                  start=m.start(), end=m.end()))
    for m in _finditer(PROPOSAL_INTRO, text, _spans(lowered, _PUT_FORWARD_WORDS)):
        by = " ".join(m["by"].split())
        kind = _kind(m["kind"])
        add(m.start(), m.end(), "proposal", _Proposal(kind, kind, by, (m["party"] or "").strip() or None, m.end()))
    for m in PROPOSAL_IN_MEETING.finditer(text):
        add(m.start(), m.end(), "proposal", _Proposal(_kind(m["kind"]), _kind(m["kind"]), None, None, m.end()))
    for m in RECOMMENDATION.finditer(text):
        who = m["who"]
        add(m.start(), m.end(), "proposal", _Proposal("innstilling", f"{who.lower()} innstilling" if who else "innstillingen",
                                                      who[:-1] if who else None, None, m.end()))
    for m in VOTE_HEADING.finditer(text):
        what = " ".join(m["what"].split())
        named = _NAMED_KIND.search(what.lower())
        kind = "innstilling" if re.search(r"(?i)innstilling|tilråding", what) else (_kind(named.group(1)) if named else "forslag")
        add(m.start(), m.end(), "proposal", _Proposal(kind, what.lower(), None, None, m.end()))
    for m in _finditer(ALTERNATIVE, text, _spans(lowered, _trigger("opp mot", "alternativ"))):
        add(m.start(), m.end(), "alternative", None)
    for m in NUMBERED.finditer(text):
        add(m.start(), m.end(), "number", int(m["n"]))
    found.sort(key=lambda f: (f[0], f[1]))
    return [(start, kind, payload) for start, _, kind, payload in found]


_SENTENCE_START = re.compile(r"[\n:;]|(?<![Pp]kt)(?<![Nn]r)\.(?!\d)")
#: A point of a proposal voted on by itself: `punkt 5`, `pkt. 2`, `punkt 1-4`, `punkt 1, 3 og 4`
_POINT = re.compile(r"(?i)\b(?:punkt|pkt\.?)[ \t]*(?P<n>\d{1,2}(?:[ \t]*(?:[-–,]|og)[ \t]*\d{1,2})*)")


def _sentence_before(text: str, position: int, limit: int = 200) -> str:
    """The words before ``position`` back to the start of their sentence (a decimal point or `pkt.` is no end).
    A point written as a label (`Punkt 1: Enstemmig vedtatt`) is what the sentence after its colon is about."""
    window = text[max(0, position - limit):position]
    ends = [m.end() for m in _SENTENCE_START.finditer(window)]
    if not ends:
        return window
    tail = window[ends[-1]:]
    if not tail.strip() and window[ends[-1] - 1] == ":":
        label = window[window.rfind("\n", 0, ends[-1] - 1) + 1:ends[-1] - 1]
        if _POINT.search(label):
            return label
    return tail


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _voters_end(text: str, start: int, limit: int) -> int:
    """Where a list of named voters ends: the next tally, a result sentence, or a blank line."""
    candidates = [limit]
    for pattern in (RESULT_THEREFORE, _BLANK_LINE):
        m = pattern.search(text, start, limit)
        if m:
            candidates.append(m.start())
    return min(candidates)


_VOTER = re.compile(r"(?P<name>[^,():\n]+)\((?P<party>[^)\n]{1,20})\)")


def _written_voters(segment: str) -> list[WrittenVoter]:
    flat = " ".join(segment.split())
    with_party = [WrittenVoter(" ".join(_strip_and(m["name"]).split()), m["party"].strip()) for m in _VOTER.finditer(flat)]
    if with_party:
        return [v for v in with_party if v.name]
    names = [n.strip(" .") for n in re.split(r",| og ", flat.rstrip(". "))]
    return [WrittenVoter(n) for n in names if re.fullmatch(_PERSON, n)]


def _strip_and(name: str) -> str:
    name = name.strip(" ,.")
    return name[3:] if name.startswith("og ") else name


def _party_list(written: str | None) -> tuple[str, ...]:
    if not written:
        return ()
    return tuple(p.strip(" .") for p in re.split(r"[,+/]| og ", written) if p.strip(" ."))


_AUXILIARIES = re.compile(r"(?i)(?:\s+(?:ble|vart|blei|er|var|enstemmig|einstemmig|samrøystes|ikke|ikkje|med))+$")


def _clean_what(what: str) -> str:
    what = re.sub(r"(?i)^(?:ved|etter)\s+(?:votering|røysting|avstemning)\s*", "", " ".join(what.split())).strip(" ,:;-")
    what = _AUXILIARIES.sub("", what).strip(" ,:;-")
    sentence = re.split(r"(?<![Pp]kt\.)(?<![Nn]r\.)(?<=[.!?])\s+", what)
    return sentence[-1].lower() if sentence else ""


def _kind(word: str) -> str:
    """`tilleggsframlegg` → `tilleggsforslag`: nynorsk and bokmål proposals get one name."""
    return word.lower().replace("framlegg", "forslag").replace("fremlegg", "forslag")


def _casting_role(m: re.Match[str] | None) -> str | None:
    if not m:
        return None
    who = m["who"].lower()
    return "ordfører" if who.startswith("ordfør") else "leder"


def _party_of(voter: WrittenVoter) -> str | None:
    return (party_code(voter.party) or voter.party.upper()) if voter.party else None


def _party_codes(voters: Sequence[WrittenVoter]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in map(_party_of, voters) if p))


def _vote(current: _Proposal, tallies: list[_Tally], result: _Result | None, alternative: bool,
          options: dict[int, _Proposal], text: str, attendees: Sequence[Attendee], members_present: int,
          page_of: Callable[[int], int | None], offset: int) -> Vote:
    where = result.start if result else (tallies[0].start if tallies else current.start)
    page = page_of(offset + where)
    numbered = [t for t in tallies if t.number is not None and t.side == "for"]
    proposal_text = _proposal_text(text, current.start, tallies[0].start if tallies else where)
    if (alternative or len(numbered) >= 2) and numbered:
        return _alternative_vote(numbered, result, options, attendees, page, proposal_text)
    label, kind, by, party = _what_was_voted(current, result)
    by, party = _resolve_proposer(by, party, attendees)
    for_tally = next((t for t in tallies if t.side == "for"), None)
    against_tally = next((t for t in tallies if t.side == "against"), None)
    votes_for = for_tally.count if for_tally else (result.votes_for if result else None)
    votes_against = against_tally.count if against_tally else (result.votes_against if result else None)
    if tallies and votes_for is None:
        votes_for = 0
    if tallies and votes_against is None:
        votes_against = 0
    if result and result.votes_against is not None and result.votes_for is None and members_present and not tallies:
        votes_for = members_present - result.votes_against  # members present must vote (kommuneloven § 11-9)
    outcome = result.outcome if result else None
    if outcome is None and votes_for is not None and votes_against is not None:
        outcome = "adopted" if votes_for > votes_against else "rejected"
    unanimous = bool(result and result.unanimous)
    written_for = for_tally.voters if for_tally else []
    written_against = against_tally.voters if against_tally else []
    resolved_for = resolve(written_for, attendees) if attendees else [None] * len(written_for)
    resolved_against = resolve(written_against, attendees) if attendees else [None] * len(written_against)
    voters_for = tuple(r or w.name for r, w in zip(resolved_for, written_for))
    voters_against = tuple(r or w.name for r, w in zip(resolved_against, written_against))
    unresolved = [w.name for r, w in zip(resolved_for + resolved_against, written_for + written_against) if r is None] \
        if attendees else []
    parties_against = _party_codes(written_against) or tuple(party_code(p) or p for p in (result.parties_against if result else ()))
    issues = roll_call_issues(label, votes_for if for_tally else None, votes_against if against_tally else None,
                              voters_for, voters_against, unresolved, members_present)
    return Vote(label=label, kind=kind, outcome=outcome, unanimous=unanimous, by=by, by_party=party,
                votes_for=None if unanimous else votes_for, votes_against=None if unanimous else votes_against,
                voters_for=voters_for, voters_against=voters_against,
                for_as_written=tuple(w.name for w in written_for), against_as_written=tuple(w.name for w in written_against),
                parties_for=_party_codes(written_for), parties_against=parties_against,
                for_voter_parties=tuple(map(_party_of, written_for)), against_voter_parties=tuple(map(_party_of, written_against)),
                casting_vote=result.casting if result else None, text=proposal_text, page=page, issues=tuple(issues))


def _what_was_voted(current: _Proposal, result: _Result | None) -> tuple[str, str, str | None, str | None]:
    """Label and kind: the result sentence names it (`innstillingen`, `tilleggsforslag`, `punkt 5`); else the proposal."""
    what = result.what if result else ""
    point = _POINT.search(what)
    if point:  # a point voted on by itself: `innstillingens punkt 5` → `punkt 5` of the recommendation (or the proposal)
        numbers = re.sub(r"[ \t]*([-–,])[ \t]*", r"\1", re.sub(r"\s+", " ", point["n"])).replace("–", "-").replace(",", ", ")
        named = _NAMED_KIND.search(what)
        kind = _kind(named.group(1)) if named and not re.search(r"innstilling|tilråding", what) else current.kind
        by, party = (current.by, current.party) if kind == current.kind else (None, None)
        return f"punkt {numbers}", kind, by, party
    if re.search(r"innstilling|tilråding|forslag til vedtak|framlegg til vedtak", what):
        if current.kind == "innstilling":
            return what, "innstilling", current.by, current.party
        return what, "innstilling", None, None
    named = _NAMED_KIND.search(what)
    if named and _kind(named.group(1)) != current.kind and (current.kind == "innstilling" or _kind(named.group(1)) != "forslag"):
        proposer = re.search(rf"\b(?:fra|frå)\s+(?P<by>{_PERSON})(?:\s*\((?P<party>[^)]{{1,20}})\))?", result.written if result else "",
                             re.IGNORECASE)
        return what, _kind(named.group(1)), proposer["by"] if proposer else None, proposer["party"] if proposer else None
    if what and not re.fullmatch(r"(?:saken|det|dette|)", what):
        return what, current.kind, current.by, current.party
    return current.label, current.kind, current.by, current.party


def _resolve_proposer(by: str | None, party: str | None, attendees: Sequence[Attendee]) -> tuple[str | None, str | None]:
    """`Nina Groven (Kristelig Folkeparti)` → the attendee Nina Egenæs Groven and her party as the list writes it."""
    if not by or not attendees:
        return by, party
    name = resolve([WrittenVoter(by, party)], attendees)[0]
    if name is None:
        return by, party
    attendee = next(a for a in attendees if a.name == name)
    return name, attendee.party or party


_NAMED_KIND = re.compile(r"([a-zæøå]*(?:forslag|framlegg))")


def _alternative_vote(numbered: list[_Tally], result: _Result | None, options: dict[int, _Proposal],
                      attendees: Sequence[Attendee], page: int | None, proposal_text: str | None) -> Vote:
    winner = None
    if result:
        m = re.search(r"\d+", result.what)
        winner = int(m.group()) if m and result.outcome == "adopted" else None
    if winner is None:
        winner = max(numbered, key=lambda t: t.count).number
    sides = []
    issues: list[str] = []
    for tally in numbered:
        proposal = options.get(tally.number)
        proposer = _resolve_proposer(proposal.by, proposal.party, attendees)[0] if proposal else None
        resolved = resolve(tally.voters, attendees) if attendees else [None] * len(tally.voters)
        voters = tuple(r or w.name for r, w in zip(resolved, tally.voters))
        label = f"forslag {tally.number}"
        sides.append(VoteOption(label=label, by=proposer, votes=tally.count, voters=voters,
                                voters_as_written=tuple(w.name for w in tally.voters), parties=_party_codes(tally.voters),
                                voter_parties=tuple(map(_party_of, tally.voters)),
                                outcome="adopted" if tally.number == winner else "rejected"))
        unresolved = [w.name for r, w in zip(resolved, tally.voters) if r is None] if attendees else []
        issues += roll_call_issues(label, tally.count, None, voters, (), unresolved, 0)
    members_present = sum(1 for a in attendees if a.role in ("member", "substitute") and a.present)
    total = sum(s.votes or 0 for s in sides)
    if members_present and total > members_present:
        issues.append(f"alternative vote: {total} votes > {members_present} members present")
    everyone = [v for s in sides for v in s.voters]
    twice = sorted({v for v in everyone if everyone.count(v) > 1})
    if twice:
        issues.append(f"alternative vote: voted for two alternatives: {', '.join(twice)}")
    return Vote(label=" mot ".join(s.label for s in sides), kind="alternative", outcome="adopted", alternatives=tuple(sides),
                casting_vote=result.casting if result else None, text=proposal_text, page=page, issues=tuple(issues))


def _proposal_text(text: str, start: int, end: int) -> str | None:
    if end <= start:
        return None
    flat = " ".join(text[start:end].split())
    flat = ALTERNATIVE.split(flat)[0].strip()
    return flat[:4000] or None
