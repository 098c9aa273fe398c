"""Sikri Elements protocols: the whole-meeting møteprotokoll and the one-case saksprotokoll (decision record).

Both print each case's handling under a line "Kommunestyrets behandling av sak 6/2026 i møte den 25.03.2026:"
(or "Behandling i Kommunestyret - 25.03.2026"), then the handling (proposals, named roll calls, results) and
the decision under "VEDTAK" / "Vedtak i <organ> - <dato>". The møteprotokoll adds a header block
(Utvalg/Møtested/Dato/Tidspunkt), column tables of who attended (Navn · Funksjon · Parti · Møtte for), the
administration (Navn · Stilling), who was absent, the approvers and the agenda (Saksliste).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from kommune_etl.transforms.actors import party_code
from kommune_etl.transforms.structures.records import AgendaItem, Attendee, Meeting, Vote
from kommune_etl.transforms.structures.votes import read_votes

_HEADER = re.compile(r"(?im)^[ \t]*(?P<label>Utvalg|Utval|Organ|Møtested|Møtestad|Dato|Møtedato|Tidspunkt|Møtetid|Tid)[ \t]*:"
                     r"[ \t]*(?P<value>[^\n]*?)[ \t]*$")
_TIME_RANGE = re.compile(r"(?P<h1>\d{1,2})[:.](?P<m1>\d{2})(?:\s*(?:-|–|til)\s*(?P<h2>\d{1,2})[:.](?P<m2>\d{2}))?")
_SECTION = {
    "member": re.compile(r"(?im)^[ \t]*(?:Til[ \t]+stede|Til[ \t]+stades|Tilstede|Møtende[ \t]+medlemmer|Møtande[ \t]+medlemer|"
                         r"Faste[ \t]+medlemmer[ \t]+som[ \t]+møtte|Møtte|(?:Følgende|Fylgjande)[ \t]+(?:faste[ \t]+)?medlem(?:mer|er)"
                         r"[ \t]+(?:møtte|var[ \t]+til[ \t]+stades)|Desse[ \t]+medlemmene[ \t]+møtte|Frammøtte[ \t]+medlemmer)[ \t]*:?[ \t]*$"),
    "substitute": re.compile(r"(?im)^[ \t]*(?:Varamedlemmer[ \t]+som[ \t]+møtte|Møtende[ \t]+varamedlemmer|Møtande[ \t]+varamedlemer|"
                             r"Varamedlemer[ \t]+som[ \t]+møtte|(?:Følgende|Fylgjande)[ \t]+varamedlem(?:mer|er)[ \t]+(?:møtte|var[ \t]+til[ \t]+stades))"
                             r"[ \t]*:?[ \t]*$"),
    "administration": re.compile(r"(?im)^[ \t]*(?:Fra|Frå)[ \t]+administrasjonen(?:[ \t]+møtte)?[ \t]*:?[ \t]*$"),
    "absent": re.compile(r"(?im)^[ \t]*(?:Forfall|Meldt[ \t]+forfall|Ikke[ \t]+møtt|Ikkje[ \t]+møtt|Møtte[ \t]+ikke|Fråvær|"
                         r"Fravær|Fraværende|Ikke[ \t]+til[ \t]+stede|Forfall/møtte[ \t]+ikkje|Faste[ \t]+medlemmer[ \t]+som[ \t]+ikke[ \t]+møtte|"
                         r"(?:Følgende|Fylgjande)[ \t]+medlem(?:mer|er)[ \t]+(?:hadde[ \t]+)?(?:meldt[ \t]+)?forfall)[ \t]*:?[ \t]*$"),
    "observer": re.compile(r"(?im)^[ \t]*(?:Andre[ \t]+som[ \t]+møtte|Andre[ \t]+til[ \t]+stede|Dessuten[ \t]+møtte|I[ \t]+tillegg[ \t]+møtte)"
                           r"[ \t]*:?[ \t]*$"),
}
_APPROVED = re.compile(r"(?im)^[ \t]*Protokollen[ \t]+(?:er[ \t]+)?godkjent[ \t]+av[ \t]*:?[ \t]*$")
_STOP = re.compile(r"(?im)^[ \t]*(?:Saksliste|Sakliste|Orienteringer|Protokollen|Merknader|Møtet[ \t]+(?:ble|vart)|"
                   r"Saksnr\.?)\b")
_COLUMN_HEADER = re.compile(r"(?i)^[ \t]*(?:Navn|Namn)\b")
_FUNCTION = re.compile(r"(?i)^(?:ordfører|ordførar|varaordfører|varaordførar|medlem|varamedlem|varamedlemmer|vara|leder|leiar|"
                       r"nestleder|nestleiar|møteleder|møteleiar|utvalgsleder|sekretær|observatør)$")
_PERSON_CELL = re.compile(r"^[A-ZÆØÅÉÖÄÜ][\wæøåÆØÅéèÉÈöÖäÄüÜ'’.-]*(?:[ \t]+[\wæøåÆØÅéèÉÈöÖäÄüÜ'’.-]+){1,6}$")
#: `Kommunestyrets behandling av sak 6/2026 i møte den 25.03.2026:`
HANDLING = re.compile(
    r"(?im)^[ \t]*(?P<body>[^\n]{3,120}?)[ \t]+(?:behandling|handsaming)[ \t]+av[ \t]+sak[ \t]+(?P<case>\d{1,4}/\d{2,4})"
    r"[ \t]+i[ \t]+møte(?:t)?[ \t]+(?:den[ \t]+)?(?P<date>\d{1,2}\.\d{1,2}\.\d{2,4})[ \t]*:?[ \t]*$")
#: `Behandling i Kommunestyret - 25.03.2026`
HANDLING_IN = re.compile(r"(?im)^[ \t]*(?:Behandling|Handsaming)[ \t]+i[ \t]+(?P<body>[^\n]{3,80}?)[ \t]+-[ \t]+"
                         r"(?P<date>\d{2}\.\d{2}\.\d{4})[ \t]*:?[ \t]*$")
_CASE_HEADING = re.compile(r"(?m)^[ \t]*(?P<prefix>PS|FO|RS|DS|MS|OS|ES|Sak)[ \t]+(?P<case>\d{1,4}/\d{2,4})[ \t]+(?P<title>\S[^\n]*?)[ \t]*$")
_DECISION = re.compile(r"(?m)^[ \t]*(?:VEDTAK|Vedtak|Vedtak:|VEDTAK:|Vedtak i [^\n]{3,80}|Vedtak i [^\n]{3,80}:|"
                       r"Endeleg vedtak|Endelig vedtak|Vedtak/tilråding)[ \t]*$")
_ANSWERED = re.compile(r"(?im)^[ \t]*(?:SVAR|Svar)\b")
_TAKEN_NOTE = re.compile(r"(?i)til\s+orientering|til\s+etterretning|tas\s+til\s+vitende")


def read_meeting_protocol(text: str, page_of: Callable[[int], int | None], template: str, evidence: tuple[str, ...],
                          language: str) -> Meeting | None:
    header = _header(text)
    attendees = _attendance(text)
    items = _cases(text, attendees, page_of)
    if not attendees and not items:
        return None
    start, end = header.get("times", (None, None))
    chair = next((a.name for a in attendees if a.present and (a.title or "").lower() in ("ordfører", "ordførar", "leder", "leiar",
                                                                                        "møteleder", "utvalgsleder")), None)
    secretary = next((a.name for a in attendees if a.role == "administration" and "sekret" in (a.title or "").lower()), None)
    body = header.get("body") or _body_line(text) or _body_from_items(items)
    return Meeting(body=body, municipality=None, date=header.get("date"), start=start, end=end, place=header.get("place"),
                   chair=chair, secretary=secretary, attendees=attendees, items=items, template=template,
                   template_evidence=evidence, language=language, approved_by=_approvers(text))


def read_case_protocol(text: str, page_of: Callable[[int], int | None], template: str, evidence: tuple[str, ...],
                       language: str) -> Meeting | None:
    """A decision record: one case as handled by one body, no attendance list."""
    items = _cases(text, (), page_of)
    if not items:
        return None
    first = HANDLING.search(text)
    return Meeting(body=items[0].handled_by, municipality=None, date=_iso(first["date"]) if first else None, start=None,
                   end=None, place=None, chair=None, secretary=None, attendees=(), items=items, template=template,
                   template_evidence=evidence, language=language)


def _header(text: str) -> dict:
    found: dict = {}
    for m in _HEADER.finditer(text[:3000]):
        label, value = m["label"].lower(), m["value"].strip()
        if not value:
            continue
        if label in ("utvalg", "utval", "organ"):
            found.setdefault("body", value)
        elif label in ("møtested", "møtestad"):
            found.setdefault("place", value)
        elif label in ("dato", "møtedato"):
            date = re.search(r"\d{1,2}\.\d{1,2}\.\d{2,4}", value)
            if date:
                found.setdefault("date", _iso(date.group()))
        else:
            t = _TIME_RANGE.search(value)
            if t:
                found.setdefault("times", (f"{int(t['h1']):02d}:{t['m1']}", f"{int(t['h2']):02d}:{t['m2']}" if t["h2"] else None))
    return found


_BODY_LINE = re.compile(r"(?im)^[ \t]*(?P<body>(?:[A-ZÆØÅ][\wæøå-]*[ \t]+){0,4}?[\wæøåÆØÅ-]*(?:styret|skapet|utvalget|utvalg|utvalet|"
                        r"utval|rådet|nemnda|nemnd|komiteen|komité|tinget))[ \t]*$")


def _body_line(text: str) -> str | None:
    """A body named on a line of its own near the top (`Formannskapet` under `MØTEPROTOKOLL`)."""
    m = _BODY_LINE.search(text[:1500])
    if not m:
        return None
    body = m["body"].strip()
    return body[:1].upper() + body[1:].lower() if body.isupper() else body


def _iso(written: str) -> str | None:
    day, month, year = (int(p) for p in written.split("."))
    year = year + 2000 if year < 100 else year
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def _attendance(text: str) -> tuple[Attendee, ...]:
    head_end = _first_case_start(text)
    head = text[:head_end]
    found: list[Attendee] = []
    for role, pattern in _SECTION.items():
        for m in pattern.finditer(head):
            found.extend(_section_rows(head, m.end(), role))
    seen: set[tuple[str, str]] = set()
    unique = []
    for a in found:
        if (a.name, a.role) not in seen:
            seen.add((a.name, a.role))
            unique.append(a)
    return tuple(unique)


def _section_rows(text: str, start: int, role: str) -> list[Attendee]:
    """Rows of a column table (cells split by two or more spaces) or a list of `Name (Party)` lines."""
    rows: list[Attendee] = []
    columns: list[str] | None = None
    blank_run = 0
    for line in text[start:].split("\n"):
        stripped = line.strip()
        if not stripped:
            blank_run += 1
            if rows and blank_run >= 2:
                break
            continue
        blank_run = 0
        if _COLUMN_HEADER.match(stripped):
            columns = [c.lower() for c in re.split(r"\s{2,}|\t", stripped)]
            continue
        if any(p.match(line) for p in _SECTION.values()) or _APPROVED.match(line) or _STOP.match(line) or stripped.endswith(":"):
            break
        person = _row(stripped, columns, role)
        if person is None:
            if rows:
                break
            continue
        rows.append(person)
    return rows


def _row(line: str, columns: list[str] | None, role: str) -> Attendee | None:
    listed = re.fullmatch(r"(?P<name>[^()]+?)\s*\((?P<party>[^)]{1,12})\)(?:\s*(?:for|vara for|i stedet for)\s+(?P<for>[^()]+?))?"
                          r"(?:\s*\([^)]*\))?\s*,?", line)
    if listed and _PERSON_CELL.match(listed["name"].strip()):
        party = listed["party"].strip()
        substitute_for = listed["for"].strip() if listed["for"] else None
        return _attendee(listed["name"].strip(), None, party, substitute_for, role)
    cells = [c.strip() for c in re.split(r"\s{2,}|\t", line) if c.strip()]
    if not cells or not _PERSON_CELL.match(cells[0]):
        return None
    name, rest = cells[0], cells[1:]
    if role == "administration" or role == "observer":
        return Attendee(name, None, None, role, None, True, None, rest[0] if rest else None)
    function = party = substitute_for = None
    for cell in rest:
        if function is None and _FUNCTION.match(cell):
            function = cell
        elif party is None and (party_code(cell) or re.fullmatch(r"[A-ZÆØÅ][A-Za-zÆØÅæøå]{0,5}\.?", cell)):
            party = cell
        elif substitute_for is None and _PERSON_CELL.match(cell) and party is not None:
            substitute_for = cell
    if function is None and party is None:
        return None
    return _attendee(name, function, party, substitute_for, role)


def _attendee(name: str, function: str | None, party: str | None, substitute_for: str | None, role: str) -> Attendee:
    substitute = role == "substitute" or bool(substitute_for) or (function or "").lower().startswith("vara") \
        and (function or "").lower() not in ("varaordfører", "varaordførar")
    present = role != "absent"
    kind = "substitute" if substitute else "member"
    return Attendee(" ".join(name.split()), party, party_code(party) if party else None, kind, substitute_for, present, None,
                    function.lower() if function else None)


def _approvers(text: str) -> tuple[str, ...]:
    m = _APPROVED.search(text)
    if not m:
        return ()
    names: list[str] = []
    for line in text[m.end():].split("\n")[:6]:
        if not line.strip():
            if names:
                break
            continue
        cells = [c.strip() for c in re.split(r"\s{2,}|\t|,| og ", line.strip()) if c.strip()]
        people = [c for c in cells if _PERSON_CELL.match(c) and not _STOP.match(c)]
        if not people:
            break
        names.extend(people)
    return tuple(names)


def _first_case_start(text: str) -> int:
    m = HANDLING.search(text) or HANDLING_IN.search(text)
    if not m:
        return len(text)
    heading = _heading_before(text, m.start())
    return heading.start() if heading else m.start()


def _heading_before(text: str, position: int) -> re.Match[str] | None:
    """The `PS 6/26 Title` line just above a handling line (a wrapped title may sit between them)."""
    window_start = max(0, position - 600)
    headings = list(_CASE_HEADING.finditer(text, window_start, position))
    if not headings:
        return None
    last = headings[-1]
    between = text[last.end():position]
    return last if between.count("\n") <= 4 else None


#: A case heading outside Elements: `Sak 12/24 Title`, `PS 023/19 Title`, `Sak nr.: 0001/00`, `KST-63/16 TITLE`,
#: `FSK-sak 17/09`, `012/24 Title`, `Sak 159/14: Title`
GENERIC_CASE = re.compile(
    r"(?m)^[ \t]*(?:(?:PS|Sak|Saksnr\.?|Sak[ \t]+nr\.?|[A-ZÆØÅ]{2,4}-sak|[A-ZÆØÅ]{2,4}-|[A-ZÆØÅ]{2,4}[ \t]+sak)[ \t]*:?[ \t]*)?"
    r"(?:[A-ZÆØÅ]{2,4}[ \t]+)?(?P<case>\d{1,4}[/-]\d{2,4})(?![\d/.])[ \t]*:?(?:[ \t]+(?P<title>[^\n]{3,200}?))?[ \t]*$")
#: `Behandling:`, `Behandling i formannskapet:`, `LEV - Behandling:`, `Votering:`, `Handsaming:`
_HANDLING_LABEL = re.compile(r"(?im)^[ \t]*(?:[A-ZÆØÅ]{2,5}[ \t]+-[ \t]+)?(?:Behandling|Handsaming|Votering|Røysting|Saksprotokoll)\b[^\n]{0,80}$")
_DECISION_LABEL = re.compile(r"(?im)^[ \t]*(?:[A-ZÆØÅ]{2,5}[ \t]+-[ \t]+|[A-ZÆØÅ]{3,}[ \t]+\d{1,4}/\d{2,4}[ \t]+)?"
                             r"(?:Vedtak|Vedtak i [^\n:]{3,80}|Endelig vedtak|Endeleg vedtak|Tilråding)[ \t]*:?[ \t]*$")


def _cases(text: str, attendees: tuple[Attendee, ...], page_of: Callable[[int], int | None]) -> tuple[AgendaItem, ...]:
    anchors = list(HANDLING.finditer(text)) or list(HANDLING_IN.finditer(text))
    if not anchors:
        return _generic_cases(text, attendees, page_of)
    sections = []
    for m in anchors:
        heading = _heading_before(text, m.start())
        start = heading.start() if heading else m.start()
        sections.append((start, m, heading))
    items: list[AgendaItem] = []
    for index, (start, anchor, heading) in enumerate(sections):
        end = sections[index + 1][0] if index + 1 < len(sections) else len(text)
        items.append(_case(text, start, anchor, heading, end, attendees, page_of))
    return _merge_same_case(items)


def _generic_cases(text: str, attendees: tuple[Attendee, ...], page_of: Callable[[int], int | None]) -> tuple[AgendaItem, ...]:
    """Cases under any numbered heading whose section handles or decides something (agenda lines do not)."""
    heads = list(GENERIC_CASE.finditer(text))
    items = []
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
        section = text[head.end():end]
        if not (_HANDLING_LABEL.search(section) or _DECISION_LABEL.search(section) or read_votes(section)):
            continue
        items.append(_section_case(text, head, end, attendees, page_of))
    return _merge_same_case([i for i in items if i.votes or i.decision_text])


def _section_case(text: str, head: re.Match[str], end: int, attendees: tuple[Attendee, ...],
                  page_of: Callable[[int], int | None]) -> AgendaItem:
    case = head["case"].replace("-", "/")
    return _agenda_item(text, case, head["title"] or f"Sak {case}", head.start(), head.end(), end, _DECISION_LABEL,
                        attendees, page_of, votes_in_decision=True)


def _merge_same_case(items: list[AgendaItem]) -> tuple[AgendaItem, ...]:
    """`Behandling i X` layouts repeat the case per handling; one item per case number, votes in order."""
    merged: dict[str, AgendaItem] = {}
    for item in items:
        if item.case in merged:
            first = merged[item.case]
            merged[item.case] = replace(first, votes=first.votes + item.votes, issues=first.issues + item.issues,
                                        decision_text=item.decision_text or first.decision_text)
        else:
            merged[item.case] = item
    return tuple(merged.values())


def _case(text: str, start: int, anchor: re.Match[str], heading: re.Match[str] | None, end: int,
          attendees: tuple[Attendee, ...], page_of: Callable[[int], int | None]) -> AgendaItem:
    handled_by = _body_name(anchor["body"]) if "body" in anchor.groupdict() else None
    if heading:
        case = f"{heading['prefix']} {heading['case']}"
        title = " ".join([heading["title"], *_title_continuation(text, heading.end(), anchor.start())])
    else:
        case = anchor["case"] if "case" in anchor.groupdict() else "?"
        title = f"Sak {case}"  # a decision record prints no title; the case number is what it names
    return _agenda_item(text, case, title, start, anchor.end(), end, _DECISION, attendees, page_of, handled_by=handled_by)


def _agenda_item(text: str, case: str, title: str, start: int, body_start: int, end: int, decision_heading: re.Pattern[str],
                 attendees: tuple[Attendee, ...], page_of: Callable[[int], int | None], handled_by: str | None = None,
                 votes_in_decision: bool = False) -> AgendaItem:
    """One case: its handling (votes) before the decision heading, the decision after it, and the outcome.

    With ``votes_in_decision`` a layout that states the vote under the decision heading (`Vedtak: Samrøystes
    vedtak.`) is read there when the handling has none."""
    body_text = text[body_start:end]
    decision = decision_heading.search(body_text)
    handling = body_text[: decision.start()] if decision else body_text
    decision_text = (" ".join(body_text[decision.end():].split()) or None) if decision else None
    votes = read_votes(handling, attendees, page_of, body_start)
    if votes_in_decision and not votes and decision_text:
        votes = read_votes(body_text[decision.start():], attendees, page_of, body_start + decision.start())
    main = _main_vote(votes)
    outcome, issues = _outcome(main, decision_text)
    if outcome is None and case.startswith("FO") and _ANSWERED.search(handling):
        outcome, issues = "answered", []
    title = " ".join(title.split())
    return AgendaItem(
        case=case, archive_ref=None, title=title, item_type=_item_type(case, title),
        decision_kind="taken_note" if _TAKEN_NOTE.search(decision_text or "") else "decision",
        proposed_decision=next((v.text for v in votes if v.kind == "innstilling" and v.text), None),
        decision_text=decision_text, outcome=outcome,
        votes_for=main.votes_for if main else None, votes_against=main.votes_against if main else None,
        against_parties=main.parties_against if main else (), extra_proposals=(), page=page_of(start),
        issues=tuple(issues + [i for v in votes for i in v.issues]), votes=votes, handled_by=handled_by)


def _title_continuation(text: str, heading_end: int, anchor_start: int) -> list[str]:
    return [line.strip() for line in text[heading_end:anchor_start].split("\n") if line.strip()]


def _body_name(genitive: str) -> str:
    """`Kommunestyrets` → `Kommunestyret`; `Hovedutvalg plan næring og miljøs` → `Hovedutvalg plan næring og miljø`."""
    body = " ".join(genitive.split())
    return body[:-1] if body.endswith("s") and not body.endswith("ss") else body


def _body_from_items(items: tuple[AgendaItem, ...]) -> str | None:
    return next((i.handled_by for i in items if i.handled_by), None)


def _main_vote(votes: tuple[Vote, ...]) -> Vote | None:
    """The vote that decided the case: the last vote on the recommendation (or an alternative vote), else the last."""
    deciding = [v for v in votes if v.kind in ("innstilling", "alternative") or v.outcome == "postponed"]
    return deciding[-1] if deciding else (votes[-1] if votes else None)


def _outcome(main: Vote | None, decision_text: str | None) -> tuple[str | None, list[str]]:
    """unanimous | majority | rejected | postponed | adopted (a decision with no vote stated) | None, and why not."""
    if main is None:
        if decision_text:
            return "adopted", []
        return None, ["no vote and no decision recorded"]
    if main.outcome == "postponed":
        return "postponed", []
    if main.unanimous:
        return "unanimous", []
    if main.kind == "alternative":
        return "majority", []
    if main.outcome == "rejected":
        return "rejected", []
    if main.votes_against == 0 and main.votes_for:
        return "unanimous", []
    if main.votes_for is not None:
        return "majority", []
    return ("adopted" if main.outcome == "adopted" else None), []


def _item_type(case: str, title: str) -> str:
    lowered = title.lower()
    if case.startswith("RS") or "referatsak" in lowered or lowered.startswith("referat"):
        return "referat"
    if case.startswith("DS") or "delegert" in lowered:
        return "delegated"
    if case.startswith("FO") or lowered.startswith(("interpellasjon", "spørsmål")):
        return "question"
    if "orientering" in lowered:
        return "orientation"
    return "political"
