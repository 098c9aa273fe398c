"""Document structures: meetings and votes (protocols), letters and grant tables, annual reports.

Each extractor is a pure function of the page texts (and the document's reference date) that returns
typed records from :mod:`transforms.structures.records`; `extract_structures` picks them by type.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kommune_etl.models import DocType, Entity, Page
from kommune_etl.transforms.structures.case_documents import extract_case_document
from kommune_etl.transforms.structures.grants import extract_grants
from kommune_etl.transforms.structures.letters import extract_letter
from kommune_etl.transforms.structures.meetings import extract_meeting
from kommune_etl.transforms.structures.records import Structures
from kommune_etl.transforms.structures.reports import extract_report


#: Document types whose text is read as a meeting (a whole protocol, or one case's handling).
MEETING_TYPES = (DocType.PROTOCOL, DocType.DECISION_RECORD)


def extract_structures(pages: tuple[Page, ...], doc_type: DocType, reference_date: date,
                       entities: Sequence[Entity] | None = None) -> Structures:
    """``entities``, when the entity stage ran, lend the places it found (not looked up twice)."""
    if doc_type is DocType.ELECTION_PROTOCOL:
        return _election_structures(pages, reference_date)
    text = "\n".join(p.text for p in pages)
    grants, totals = extract_grants(pages, reference_date)
    return Structures(
        meeting=extract_meeting(pages, reference_date, entities) if doc_type in MEETING_TYPES else None,
        letter=extract_letter(text, reference_date) if doc_type in (DocType.GRANT_LETTER, DocType.LETTER) else None,
        report=extract_report(text, reference_date) if doc_type is DocType.ANNUAL_REPORT else None,
        case_document=extract_case_document(text) if doc_type is DocType.CASE_DOCUMENT else None,
        grants=grants,
        table_totals=totals,
    )


def _election_structures(pages: tuple[Page, ...], reference_date: date) -> Structures:
    """An election protocol holds counts, never money: no grant tables are read from it."""
    from kommune_etl.transforms.structures.election_area import election_area
    from kommune_etl.transforms.structures.elections import extract_elections

    protocols = extract_elections(pages)
    return Structures(elections=protocols, election_areas=tuple(election_area(p, reference_date) for p in protocols))
