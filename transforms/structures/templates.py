"""Which template family printed a protocol, and in which written language, with the cues that said so.

Families: `elements_moteprotokoll` (Sikri Elements whole-meeting protocol: Utvalg/Møtested/Dato/Tidspunkt
header, a Navn · Funksjon · Parti · Møtte for table, PS-numbered cases), `elements_saksprotokoll` (one case as
handled by one body: "X behandling av sak N/YYYY i møte den …"), `acos_websak` (ACOS WebSak / Public 360:
"Faste medlemmer som møtte", "Varamedlemmer som møtte", "Merknader"), `free_text` (lists of `Name (Party)`
under "Til stede:", cases as `13/25 Title`) and `generic` (protocol vocabulary, no known layout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ELEMENTS_MOTEPROTOKOLL = "elements_moteprotokoll"
ELEMENTS_SAKSPROTOKOLL = "elements_saksprotokoll"
ACOS_WEBSAK = "acos_websak"
FREE_TEXT = "free_text"
GENERIC = "generic"

_CUES: dict[str, tuple[tuple[str, re.Pattern[str], float], ...]] = {
    ELEMENTS_MOTEPROTOKOLL: (
        ("header Utvalg:", re.compile(r"(?im)^[ \t]*(?:Utvalg|Organ)[ \t]*:"), 1.0),
        ("header Møtested:", re.compile(r"(?im)^[ \t]*(?:Møtested|Møtestad)[ \t]*:"), 1.0),
        ("header Tidspunkt:", re.compile(r"(?im)^[ \t]*Tidspunkt[ \t]*:"), 1.0),
        ("attendance table Navn/Funksjon/Parti", re.compile(r"(?im)^[ \t]*Navn[ \t]+Funksjon[ \t]+Parti"), 2.0),
        ("case heading PS n/yy", re.compile(r"(?m)^[ \t]*PS[ \t]+\d{1,4}/\d{2,4}[ \t]+\S"), 1.0),
        ("Protokollen er godkjent av", re.compile(r"(?i)protokollen\s+er\s+godkjent\s+av"), 1.0),
        ("Behandling i <organ> - <dato>", re.compile(r"(?im)^[ \t]*(?:Behandling|Handsaming|Vedtak)[ \t]+i[ \t]+[^\n]{3,80}?[ \t]+-[ \t]+\d{2}\.\d{2}\.\d{4}"), 1.5),
    ),
    ELEMENTS_SAKSPROTOKOLL: (
        ("<organ>s behandling av sak n/yyyy i møte den", re.compile(
            r"(?im)^[^\n]{3,120}?[ \t]+(?:behandling|handsaming)[ \t]+av[ \t]+sak[ \t]+\d{1,4}/\d{4}[ \t]+i[ \t]+møte"), 2.0),
    ),
    ACOS_WEBSAK: (
        ("Faste medlemmer som møtte", re.compile(r"(?im)^[ \t]*(?:Faste[ \t]+medlem(?:mer|er)[ \t]+som[ \t]+møtte|(?:Følgende|Fylgjande)"
                                                 r"[ \t]+faste[ \t]+medlem(?:mer|er)[ \t]+(?:møtte|var[ \t]+til[ \t]+stades))"), 2.0),
        ("Varamedlemmer som møtte", re.compile(r"(?im)^[ \t]*(?:Varamedlem(?:mer|er)[ \t]+som[ \t]+møtte|Møtende[ \t]+varamedlemmer|"
                                               r"(?:Følgende|Fylgjande)[ \t]+varamedlem(?:mer|er)[ \t]+(?:møtte|var[ \t]+til[ \t]+stades))"), 1.5),
        ("Merknader", re.compile(r"(?im)^[ \t]*Merknader[ \t]*:?[ \t]*$"), 0.5),
        ("Møtende medlemmer", re.compile(r"(?im)^[ \t]*Møtende[ \t]+medlemmer"), 1.0),
    ),
    FREE_TEXT: (
        ("Til stede: list", re.compile(r"(?im)^[ \t]*(?:til stede|tilstede|møtt|til stades)[ \t]*:[ \t]*$"), 1.5),
        ("case heading nn/yy", re.compile(r"(?m)^[ \t]*(?:Sak[ \t]+)?\d{1,3}/\d{2}[ \t]+[A-ZÆØÅ]"), 0.5),
    ),
}

_NYNORSK_WORDS = frozenset("ikkje vart møtande røysting røysta samrøystes vedteke framlegg frå eit dei handsaming "
                           "medlemer utval fråvær korleis kva berre òg".split())
_BOKMAL_WORDS = frozenset("ikke ble møtende votering stemte enstemmig vedtatt forslag fra et de behandling medlemmer "
                          "utvalg forfall hvordan hva bare også".split())
_NYNORSK_PHRASES, _BOKMAL_PHRASES = ("til stades",), ("til stede",)
_WORD = re.compile(r"[a-zæøåéèòü]+")


@dataclass(frozen=True)
class Template:
    family: str
    evidence: tuple[str, ...]
    language: str


def detect_template(text: str) -> Template:
    """The best-scoring family (ties go to the more specific one), and bokmål or nynorsk by marker words."""
    head = text[:60000]
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    for family, cues in _CUES.items():
        for label, pattern, weight in cues:
            if pattern.search(head):
                scores[family] = scores.get(family, 0.0) + weight
                evidence.setdefault(family, []).append(label)
    language = detect_language(head[:20000])
    if not scores:
        return Template(GENERIC, ("no known layout",), language)
    if ELEMENTS_SAKSPROTOKOLL in scores and scores.get(ELEMENTS_MOTEPROTOKOLL, 0) >= 2.0:
        # a whole-meeting protocol repeats the per-case line under every case: it is still the meeting
        scores.pop(ELEMENTS_SAKSPROTOKOLL)
    order = list(_CUES)
    best = max(scores, key=lambda f: (scores[f], -order.index(f)))
    if scores[best] < 1.5:
        return Template(GENERIC, tuple(f"weak:{e}" for e in evidence[best]), language)
    return Template(best, tuple(evidence[best]), language)


def detect_language(text: str) -> str:
    """Nynorsk when its marker words outnumber bokmål's (one pass over the words; a marker list per form)."""
    lowered = text.lower()
    nn = nb = 0
    for word in _WORD.findall(lowered):
        if word in _NYNORSK_WORDS:
            nn += 1
        elif word in _BOKMAL_WORDS:
            nb += 1
    nn += sum(lowered.count(p) for p in _NYNORSK_PHRASES)
    nb += sum(lowered.count(p) for p in _BOKMAL_PHRASES)
    return "nn" if nn > nb else "nb"
