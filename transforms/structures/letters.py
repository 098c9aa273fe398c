"""Letters (tilskuddsbrev, oppdragsbrev, others): the reference header, parties, subject and deadlines."""

from __future__ import annotations

import re
from datetime import date

from kommune_etl.transforms.normalise.dates import find_dates
from kommune_etl.transforms.references import find_project_numbers
from kommune_etl.transforms.structures.records import Letter

_FIELD = r"[ \t]*:?[ \t]*(?P<value>[^\n\t]*?)[ \t]*$"
_OURS = re.compile(rf"(?im)^[ \t]*(?:vår\s+ref(?:eranse)?\.?|vår\s+saksnr\.?){_FIELD}")
_YOURS = re.compile(rf"(?im)^[ \t]*(?:deres\s+ref(?:eranse)?\.?){_FIELD}")
_HANDLER = re.compile(rf"(?im)^[ \t]*(?:saksbehandler|sakshandsamar|kontaktperson){_FIELD}")
_DATE = re.compile(rf"(?im)^[ \t]*(?:dato|vår dato){_FIELD}")
_SUBJECT = re.compile(r"(?m)^[ \t]*(?:#+[ \t]*)?(?P<subject>(?:Innvilger|Tilsagn|Tildeling|Oppdragsbrev|Tilskudd|Svar|Vedr\.?|"
                      r"Angående|Innsyn|Spørsmål)[^\n]{5,200})$")
_SENDER_SIGNATURE = re.compile(r"(?im)^[ \t]*(?:med vennlig hilsen|med venleg helsing|vennlig hilsen)[ \t,]*\n+[ \t]*(?P<sender>[^\n]{2,80})")
_RECIPIENT = re.compile(r"(?m)\A\s*(?:<[^>]+>\s*)*(?P<recipient>[A-ZÆØÅ][^\n]{1,80}?)[ \t]*\n")
_DEADLINE = re.compile(r"(?i)(?P<what>[^.\n]{0,120}?)\b(?:senest|innen|frist(?:en)?(?:\s+er)?)\s+(?:den\s+)?"
                       r"(?P<date>\d{1,2}\.\s*[a-zæøå]+\.?\s+\d{4}|\d{1,2}\.\d{1,2}\.\d{2,4})")
_LABEL_WORDS = re.compile(r"(?i)\b(?:vår|deres)\s+ref|saksbehandler|\bdato\b|arkivkode")
_KNOWN_SENDERS = re.compile(r"\b(KS|Helsedirektoratet|Statsforvalteren[^\n,.]*|[A-ZÆØÅ][\w-]+ kommune|[A-ZÆØÅ][\w-]+departementet)\b")


def extract_letter(text: str, on: date) -> Letter | None:
    head = text[:4000]
    ours, yours = _value(_OURS, head), _value(_YOURS, head)
    if ours is None and yours is None:
        return None
    letter_date = _value(_DATE, head)
    parsed = find_dates(letter_date or "")
    deadlines = []
    for m in _DEADLINE.finditer(text):
        found = find_dates(m["date"])
        if found and found[0].start == 0:
            deadlines.append((" ".join(m["what"].split())[-80:], found[0].value.isoformat()))
    sender = _sender(text)
    recipient = _RECIPIENT.match(text)
    return Letter(
        sender=sender,
        recipients=(recipient["recipient"].strip(),) if recipient else (),
        our_reference=ours, your_reference=yours or None,
        date=parsed[0].value.isoformat() if parsed else on.isoformat(),
        case_handler=_value(_HANDLER, head),
        subject=(_SUBJECT.search(head)["subject"].strip().strip("*") if _SUBJECT.search(head) else None),
        deadlines=tuple(deadlines),
        project_numbers=tuple(dict.fromkeys(m.value for m in find_project_numbers(text))),
        signers=signers(text),
    )


#: The greeting before the signatures, bokmål and nynorsk; signers follow as name / title lines.
_GREETING = re.compile(r"(?im)^[ \t]*(?:med[ \t]+(?:vennlig[ \t]+)?hilsen|vennlig[ \t]+hilsen|venleg[ \t]+helsing|"
                       r"med[ \t]+venleg[ \t]+helsing|med[ \t]+helsing|hilsen)[ \t]*,?[ \t]*\r?$")
_SIGNER = re.compile(r"^(?P<name>[A-ZÆØÅ][\w'-]+(?:[ \u00a0]+(?:[A-ZÆØÅ][\w'.-]*|[a-z]{2,3})){1,4})"
                     r"(?:[ \u00a0]*\((?:e\.\s?f\.|sign\.?)\))?[ \t]*$")
_TITLE_WORDS = re.compile(r"(?i)(?:direktør|rådgiver|leder|rådmann|ordfører|sjef|konsulent|sekretær|saksbehandler|koordinator|"
                          r"ansvarlig|fullmektig|medarbeider|tillitsvalgt|seksjon|avdeling|\bfor\b|\bi\b)")
_SIGNATURE_END = re.compile(r"(?i)^(?:(?:dette )?dokumentet er (?:elektronisk )?(?:signert|godkjent)|kopi|vedlegg|mottakere?)\b")


def signers(text: str) -> tuple[tuple[str, str | None], ...]:
    """Who signed: after the greeting (`Med vennlig hilsen`), a name line, then its title line, for each signer."""
    greetings = list(_GREETING.finditer(text))  # the last one: a quoted earlier letter may have its own
    greeting = greetings[-1] if greetings else None
    if greeting is None:
        return ()
    lines = [line.strip() for line in text[greeting.end():].splitlines()]
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(lines) and len(out) < 4:
        line = lines[i]
        if not line:
            i += 1
            continue
        if _SIGNATURE_END.match(line):
            break
        m = _SIGNER.match(line)
        if not m or _TITLE_WORDS.search(line):
            break
        following = lines[i + 1] if i + 1 < len(lines) else ""
        title = following if following and not _SIGNATURE_END.match(following) and (
            _TITLE_WORDS.search(following) or not _SIGNER.match(following)) else None
        out.append((" ".join(m["name"].split()), title))
        i += 2 if title else 1
    return tuple(out)


def _value(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    if not m:
        return None
    value = m["value"].strip()
    if not value or value in {"-", "---"} or _LABEL_WORDS.search(value):
        return None  # an empty field, or labels laid out in a column with their values elsewhere
    return value


def _sender(text: str) -> str | None:
    """Who wrote it: named right after the greeting, else the body that speaks in the first person
    (`KS gir med dette …`), else the first organisation in the letterhead that is not the addressee."""
    signature = _SENDER_SIGNATURE.search(text)
    if signature:
        known = _KNOWN_SENDERS.match(signature["sender"].strip())
        if known:
            return known.group(1).strip()
    acting = re.search(r"\b(?P<org>KS|[A-ZÆØÅ][\w-]+(?: kommune|departementet|direktoratet))\s+(?:gir|innvilger|tildeler|"
                       r"viser til|har mottatt)\b", text[:5000])
    if acting:
        return acting["org"]
    recipient = _RECIPIENT.match(text)
    for known in _KNOWN_SENDERS.finditer(text[:3000]):
        if not recipient or known.group(1) not in recipient["recipient"]:
            return known.group(1).strip()
    return None
