"""Case documents (saksframlegg): the administration's proposal in a case, and where the case goes.

The Elements template prints `Saksgang` (the bodies the case goes to, their meeting dates and case numbers),
`Arkivsaksnr:` (the archive case every handling shares), `Saksbehandler:`, the title, attachments and the proposal
(`Kommunedirektørens forslag til vedtak:`), then the facts. The archive case and the proposal are what tie the
handlings of one case in several bodies together (transforms/cases.py).
"""

from __future__ import annotations

import re

from kommune_etl.transforms.structures.records import CaseDocument

_ARCHIVE = re.compile(r"(?im)^[ \t]*(?:arkivsaksnr|arkivsak|saksnr)\.?[ \t]*:[ \t]*(?P<ref>\d{2,4}/\d{1,6}(?:-\d{1,4})?)")
_HANDLER = re.compile(r"(?im)^[ \t]*saksbehandler[ \t]*:[ \t]*(?P<name>[^\n]+?)[ \t]*$")
_PROPOSAL = re.compile(r"(?im)^[ \t]*(?:(?:kommunedirektørens|kommunedirektørs|rådmannens|rådmanns|administrasjonens|"
                       r"ordførerens|daglig leders)[ \t]+)?(?:forslag|innstilling)[ \t]+til[ \t]+(?:vedtak|innstilling)[ \t]*:?[ \t]*$")
_PROPOSAL_END = re.compile(r"(?im)^[ \t]*(?:saksopplysninger|bakgrunn|sakens bakgrunn|saksutredning|vurdering|"
                           r"saksvurderinger|vedlegg|[^\n]{3,80} behandling av sak \d)[^\n]*$")
_SAKSGANG = re.compile(r"(?is)^\s*saksframlegg\s*\n\s*saksgang\s*\n\s*utvalg\s*\n(?P<bodies>.*?)\n\s*møtedato\s*\n"
                       r"(?P<dates>.*?)\n\s*utvalgssak\s*\n")
_DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")


def extract_case_document(text: str) -> CaseDocument | None:
    """The archive case, title, case handler, the bodies in the case's way and the proposal, or None when the text
    is not a saksframlegg (no archive case and no proposal)."""
    archive = _ARCHIVE.search(text)
    proposal = _proposal(text)
    if not archive and not proposal:
        return None
    handler = _HANDLER.search(text)
    saksgang = _SAKSGANG.search(text)
    bodies = tuple(line.strip() for line in saksgang["bodies"].splitlines() if line.strip()) if saksgang else ()
    dates = tuple(_DATE.findall(saksgang["dates"])) if saksgang else ()
    return CaseDocument(archive_ref=archive["ref"] if archive else None, title=_title(text, handler or archive),
                        case_handler=handler["name"] if handler else None, bodies=bodies, meeting_dates=dates,
                        proposal=proposal)


def _title(text: str, after: re.Match[str] | None) -> str | None:
    """The first line after the `Saksbehandler:` (or `Arkivsaksnr:`) line."""
    if after is None:
        return None
    for line in text[after.end():].splitlines():
        line = line.strip()
        if line and not line.lower().startswith(("saksbehandler", "arkivsak")):
            return line[:300]
    return None


def _proposal(text: str) -> str | None:
    m = _PROPOSAL.search(text)
    if not m:
        return None
    end = _PROPOSAL_END.search(text, m.end())
    body = text[m.end(): end.start() if end else len(text)].strip()
    return body[:4000] or None
