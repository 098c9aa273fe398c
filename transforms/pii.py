"""Personal data in page text: national identity numbers, private e-mail addresses and mobile numbers.

Fødselsnummer, D-nummer (day + 40), H-nummer (month + 40) and FH-nummer (first digit 8 or 9) are
validated with python-stdnum (both mod-11 control digits, a real birth date in the past), in the forms
people write them (`15038712486`, `150387 12486`, `150387-12486`, `15.03.87 12486`). Organisation numbers
(9 digits, one control digit) are recognised as such and never masked. Masking replaces each character
with `*`, so every offset into the page text (entities, provenance) stays valid.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from stdnum.no import fodselsnummer, orgnr

# digits not glued to other digits (`1.250.000`, `2024025450-2` are not candidates); punctuation may follow.
# The birth date may be written with dots (`15.03.87`) and the person number after a space or a hyphen.
_ELEVEN = re.compile(r"(?<!\d)(?<!\d[.,/-])(\d{2})(\.?)(\d{2})\2(\d{2})[ \u00a0.-]?(\d{5})(?!\d|[.,/-]\d)")
_NINE = re.compile(r"(?<!\d)(?<!\d[.,/-])(\d{3})[ \u00a0]?(\d{3})[ \u00a0]?(\d{3})(?!\d|[.,/-]\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?P<domain>[\w-]+(?:\.[\w-]+)+)")
# a mobile number needs phone context (`tlf.`, `mobil`, `+47`) or an unbroken 8-digit form: grouped digits
# without context are usually table figures (`8 487 11 787` votes)
# pairs (`41 23 45 67`) are how Norwegians write phone numbers, never how tables group figures (in threes)
_MOBILE = re.compile(r"(?i:(?:tlf|telefon|mobil|mob|tel|phone)\.?:?[ \u00a0]*|(?:\+47|0047)[ \u00a0]?)"
                     r"(?P<number>[49]\d(?:[ \u00a0]?\d){6})(?!\d)"
                     r"|(?<!\d)(?<!\d[ \u00a0])(?P<bare>[49]\d{7})(?![\d]| \d)"
                     r"|(?<![\d,.])(?<![\d,.][ \u00a0])(?P<pairs>[49]\d(?:[ \u00a0]\d{2}){3})(?![ \u00a0]?\d)")
_PRIVATE_MAIL_DOMAINS = {"gmail.com", "hotmail.com", "hotmail.no", "outlook.com", "live.no", "live.com", "yahoo.com",
                         "yahoo.no", "icloud.com", "online.no", "me.com", "msn.com", "protonmail.com", "getmail.no"}


@dataclass(frozen=True)
class PiiFinding:
    kind: str        # fodselsnummer | d_nummer | h_nummer | fh_nummer | private_email | mobile_phone | orgnr
    start: int
    end: int
    masked: bool


_SEPARATORS = re.compile(r"[\s.\-\u00a0]")


def is_fodselsnummer(number: str) -> str | None:
    """`fodselsnummer`, `d_nummer`, `h_nummer`, `fh_nummer` or None (python-stdnum's checks)."""
    number = _SEPARATORS.sub("", number)
    if len(number) != 11 or not number.isdigit():
        return None
    if int(number[0]) >= 8:  # FH-nummer: no birth date by design, only the control digits
        valid = fodselsnummer.calc_check_digit1(number[:9]) == number[9] and \
            fodselsnummer.calc_check_digit2(number[:10]) == number[10]
        return "fh_nummer" if valid else None
    if not fodselsnummer.is_valid(number):
        return None
    if int(number[:2]) > 40:
        return "d_nummer"
    if int(number[2:4]) > 40:
        return "h_nummer"
    return "fodselsnummer"


def is_orgnr(number: str) -> bool:
    return len(number) == 9 and number[0] in "89" and orgnr.is_valid(number)


def find_pii(text: str) -> list[PiiFinding]:
    found: list[PiiFinding] = []
    for m in _ELEVEN.finditer(text):
        kind = is_fodselsnummer(m.group(1) + m.group(3) + m.group(4) + m.group(5))
        if kind:
            found.append(PiiFinding(kind, m.start(), m.end(), True))
    for m in _NINE.finditer(text):
        if is_orgnr("".join(m.groups())):
            found.append(PiiFinding("orgnr", m.start(), m.end(), False))
    for m in _EMAIL.finditer(text):
        if m["domain"].lower() in _PRIVATE_MAIL_DOMAINS:
            found.append(PiiFinding("private_email", m.start(), m.end(), True))
    for m in _MOBILE.finditer(text):
        group = next(g for g in ("number", "bare", "pairs") if m[g])
        if not any(m.start(group) < f.end and f.start < m.end(group) for f in found):
            found.append(PiiFinding("mobile_phone", m.start(group), m.end(group), True))
    return sorted(found, key=lambda f: f.start)


def personal_data(text: str) -> list[PiiFinding]:
    """The findings that are about a person (organisation numbers are public and stay)."""
    return [f for f in find_pii(text) if f.masked]


def mask(text: str, findings: list[PiiFinding]) -> str:
    """Replace masked findings by `*` of the same length (offsets stay valid)."""
    chars = list(text)
    for finding in findings:
        if finding.masked:
            for i in range(finding.start, finding.end):
                if not chars[i].isspace():
                    chars[i] = "*"
    return "".join(chars)


def pseudonymise(text: str, key: bytes | None) -> str:
    """``text`` (a file name, a URL) with each piece of personal data replaced by a keyed pseudonym such as
    `[fodselsnummer-5f1c0a9e2b]`. One key gives one number the same pseudonym, so a file keeps its identity
    across runs and two files named after two people stay two; without the key (kept in the raw archive) the
    number cannot be recovered. Without a key the data is masked with `*`."""
    findings = personal_data(text)
    if not findings:
        return text
    if key is None:
        return mask(text, findings)
    out, last = [], 0
    for f in findings:
        value = _SEPARATORS.sub("", text[f.start:f.end]).lower()
        out += [text[last:f.start], f"[{f.kind}-{hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:10]}]"]
        last = f.end
    return "".join(out) + text[last:]
