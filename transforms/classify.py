"""Document type from the words a document uses about itself, with the evidence kept.

Rules, not a model: the vocabulary of Norwegian municipal records is small and stable, and a steward
must be able to see why a document got its type. Title and the top of the first page weigh most.
"""

from __future__ import annotations

import re

from kommune_etl.models import Classification, DocType, Page

# (type, pattern, weight). Weights are doubled for hits in the title/first lines.
_RULES: tuple[tuple[DocType, str, float], ...] = (
    (DocType.PROTOCOL, r"møteprotokoll|møtebok|\bprotokoll\b|\breferat\b", 3.0),
    (DocType.PROTOCOL, r"^\s*(?:til stede|møtt|forfall|møtested|mødested|møtedato|mødedato|møteleder)\b", 1.5),
    (DocType.PROTOCOL, r"\b(?:stemmestyre|valgstyre|valstyre|kommunestyre|formannskap|utvalg)\w*\b", 0.5),
    (DocType.GRANT_LETTER, r"tilskuddsbrev|oppdragsbrev|tildelingsbrev|innvilger tilskudd|tilsagn om tilskudd", 4.0),
    (DocType.GRANT_LETTER, r"\btilskudd\w*\b", 0.5),
    (DocType.ANNUAL_REPORT, r"årsmelding|årsrapport|årsberetning|årsmelding", 4.0),
    (DocType.CASE_DOCUMENT, r"saksframlegg|saksfremlegg|\bsaksutredning\b", 4.0),
    (DocType.CASE_DOCUMENT, r"forslag til vedtak|innstilling\s*:|rådmannens innstilling|kommunedirektørens innstilling", 1.0),
    (DocType.LETTER, r"\b(?:deres ref|vår ref|vår referanse|deres referanse)\b", 2.0),
    (DocType.LETTER, r"med vennlig hilsen|med venleg helsing|\bhilsen\b|orientering til", 1.5),
    (DocType.OTHER, r"statistikk", 4.0),
    # the national election system prints every protocol and report with these words in its first lines
    # (anchored there: a letter about an election mentions the valgstyre in its body)
    (DocType.ELECTION_PROTOCOL, r"\A(?:[^\n]*\n){0,4}?[ \t]*(?:valgprotokoll|valprotokoll|møtebok\s+for\s+(?:fylkes)?val(?:g)?styre|"
                                r"(?:fylkes)?val(?:g)?styrets\s+møtebok|stemmestyrets\s+møtebok|kommunestyre-\s+og\s+fylkestingsvalget|"
                                r"(?:kommunestyre|fylkestings|storting|sameting)s?val(?:g)?et\s+\d{4}|(?:ny\s+)?kandidatrangering|"
                                r"kretsrapport|valgdeltakelse|valdeltaking|partifordeling|valgresultat|val(?:g)?te\s+representant)", 5.0),
    # a decision record opens with the line that names the body, the case and the meeting
    (DocType.DECISION_RECORD, r"\A\s*[^\n]{3,120}?\s(?:behandling|handsaming)\s+av\s+sak\s+\d{1,4}/\d{4}\s+i\s+møte", 6.0),
    (DocType.DECISION_RECORD, r"^\s*saksprotokoll\b", 4.0),
    (DocType.PRESENTATION, r"frokostmøte|presentasjon|webinar|lysbilde|\bforedrag\b", 3.0),
)
_COMPILED = tuple((t, re.compile(p, re.IGNORECASE | re.MULTILINE), w) for t, p, w in _RULES)
_HEAD_CHARS = 400
_BODY_CHARS = 6000
_MIN_SCORE = 2.0
_LETTER_HEADER = re.compile(r"\b(?:deres|vår)\s+ref(?:eranse)?\b", re.IGNORECASE)
_LETTER_HEADER_CHARS = 1500
_LETTER_FAMILY = (DocType.GRANT_LETTER, DocType.LETTER)


def classify(pages: tuple[Page, ...], title: str | None = None) -> Classification:
    """Score each type by weighted keyword hits; the best type above a threshold wins (pure)."""
    body = "\n".join(p.text for p in pages[:3])[:_BODY_CHARS]
    head = f"{title or ''}\n{body[:_HEAD_CHARS]}"
    scores: dict[DocType, float] = {}
    evidence: dict[DocType, list[str]] = {}
    for doc_type, pattern, weight in _COMPILED:
        for text, factor, where in ((head, 2.0, "title"), (body, 1.0, "text")):
            hits = {m.group(0).strip().lower() for m in pattern.finditer(text)}
            if hits:
                scores[doc_type] = scores.get(doc_type, 0.0) + weight * factor * min(len(hits), 3)
                evidence.setdefault(doc_type, []).extend(f"{where}:{h}" for h in sorted(hits)[:3])
    if pages and _LETTER_HEADER.search(pages[0].text[:_LETTER_HEADER_CHARS]):
        # a reference header makes it a letter, whatever its subject line talks about
        scores = {t: s for t, s in scores.items() if t in _LETTER_FAMILY}
    if not scores:
        return Classification(DocType.OTHER, ("no type vocabulary found",))
    # a letter that grants money is a grant letter; a protocol quoting a letter stays a protocol
    best = max(scores, key=lambda t: (scores[t], -list(DocType).index(t)))
    if scores[best] < _MIN_SCORE:
        return Classification(DocType.OTHER, tuple(f"weak:{e}" for e in evidence[best]))
    return Classification(best, tuple(dict.fromkeys(evidence[best])))
