"""Election lists named after places (`Smøla til Trøndelag`, `Bygdelista for Midtre Gauldal`, `Nei til bompenger i
Tromsø`) are lists, not mentions of the municipality or county: the election reader knows the lists of a protocol,
so a place found inside one of their names, wherever it stands in the document, is dropped. And nothing in an
election protocol is money: its numbers count votes, ballots and voters (`Gunnar Gamst kr 0,00 64,00` is a row of
personal votes), so it keeps no AMOUNT."""

from __future__ import annotations

from kommune_etl.models import Entity, Page

_PLACE_LABELS = ("MUNICIPALITY", "COUNTY")


def list_names(elections) -> set[str]:
    """Every list (party) name of the document's election protocols, as written."""
    return {row.party for protocol in elections for row in (*protocol.counts, *protocol.seats, *protocol.elected)
            if row.party and len(row.party.split()) > 1}


def election_entities(entities: tuple[Entity, ...], pages: tuple[Page, ...], elections) -> tuple[Entity, ...]:
    if elections:
        entities = tuple(e for e in entities if e.label != "AMOUNT")
    names = list_names(elections)
    if not names:
        return entities
    inside: dict[int, list[tuple[int, int]]] = {}
    for page in pages:
        for name in names:
            start = page.text.find(name)
            while start >= 0:
                inside.setdefault(page.number, []).append((start, start + len(name)))
                start = page.text.find(name, start + 1)
    return tuple(e for e in entities if e.label not in _PLACE_LABELS
                 or not any(s <= e.start and e.end <= t for s, t in inside.get(e.page, ())))
