"""Personal data in page text: national identity numbers, private e-mail addresses and mobile numbers.

Fødselsnummer and D-nummer are recognised by their two mod-11 control digits and a valid birth date
(D-nummer adds 40 to the day); organisation numbers (9 digits, one mod-11 control digit) are recognised
as such and never masked. Masking replaces each character with `*`, so every offset into the page text
(entities, provenance) stays valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# digits not glued to other digits (`1.250.000`, `2024025450-2` are not candidates); punctuation may follow
_ELEVEN = re.compile(r"(?<!\d)(?<!\d[.,/-])(\d{6})[ \u00a0]?(\d{5})(?!\d|[.,/-]\d)")
_NINE = re.compile(r"(?<!\d)(?<!\d[.,/-])(\d{3})[ \u00a0]?(\d{3})[ \u00a0]?(\d{3})(?!\d|[.,/-]\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?P<domain>[\w-]+(?:\.[\w-]+)+)")
# a mobile number needs phone context (`tlf.`, `mobil`, `+47`) or an unbroken 8-digit form: grouped digits
# without context are usually table figures (`8 487 11 787` votes)
_MOBILE = re.compile(r"(?i:(?:tlf|telefon|mobil|mob|tel|phone)\.?:?[ \u00a0]*|\+47[ \u00a0]?)(?P<number>[49]\d{2}[ \u00a0]?\d{2}[ \u00a0]?\d{3})(?!\d)"
                     r"|(?<!\d)(?<!\d[ \u00a0])(?P<bare>[49]\d{7})(?![\d]| \d)")
_PRIVATE_MAIL_DOMAINS = {"gmail.com", "hotmail.com", "hotmail.no", "outlook.com", "live.no", "live.com", "yahoo.com",
                         "yahoo.no", "icloud.com", "online.no", "me.com", "msn.com", "protonmail.com", "getmail.no"}
_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class PiiFinding:
    kind: str        # fodselsnummer | d_nummer | private_email | mobile_phone | orgnr
    start: int
    end: int
    masked: bool


def _control(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = 11 - sum(d * w for d, w in zip(digits, weights)) % 11
    return 0 if remainder == 11 else (None if remainder == 10 else remainder)


def is_fodselsnummer(number: str) -> str | None:
    """`fodselsnummer`, `d_nummer` or None: both control digits and the birth date must be valid."""
    if len(number) != 11 or not number.isdigit():
        return None
    digits = [int(c) for c in number]
    if _control(digits[:9], _W1) != digits[9] or _control(digits[:10], _W2) != digits[10]:
        return None
    day, month, year2, individual = int(number[:2]), int(number[2:4]), int(number[4:6]), int(number[6:9])
    kind = "fodselsnummer"
    if day > 40:
        day, kind = day - 40, "d_nummer"
    century = 1900 if individual < 500 else (2000 if year2 < 40 else 1800 if individual < 750 else 1900)
    try:
        date(century + year2, month, day)
    except ValueError:
        return None
    return kind


def is_orgnr(number: str) -> bool:
    if len(number) != 9 or not number.isdigit() or number[0] not in "89":
        return False
    digits = [int(c) for c in number]
    return _control(digits[:8], _ORG_WEIGHTS) == digits[8]


def find_pii(text: str) -> list[PiiFinding]:
    found: list[PiiFinding] = []
    for m in _ELEVEN.finditer(text):
        kind = is_fodselsnummer(m.group(1) + m.group(2))
        if kind:
            found.append(PiiFinding(kind, m.start(), m.end(), True))
    for m in _NINE.finditer(text):
        if is_orgnr("".join(m.groups())):
            found.append(PiiFinding("orgnr", m.start(), m.end(), False))
    for m in _EMAIL.finditer(text):
        if m["domain"].lower() in _PRIVATE_MAIL_DOMAINS:
            found.append(PiiFinding("private_email", m.start(), m.end(), True))
    for m in _MOBILE.finditer(text):
        group = "number" if m["number"] else "bare"
        if not any(m.start(group) < f.end and f.start < m.end(group) for f in found):
            found.append(PiiFinding("mobile_phone", m.start(group), m.end(group), True))
    return sorted(found, key=lambda f: f.start)


def mask(text: str, findings: list[PiiFinding]) -> str:
    """Replace masked findings by `*` of the same length (offsets stay valid)."""
    chars = list(text)
    for finding in findings:
        if finding.masked:
            for i in range(finding.start, finding.end):
                if not chars[i].isspace():
                    chars[i] = "*"
    return "".join(chars)
