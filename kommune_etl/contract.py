"""The JSON shape `kommune-etl extract FILE --format json` prints. Other tools depend on it.

Keys are only ever added, never renamed or removed; docs/output-contract.md describes each one and
tests/test_contract.py pins the shape. ``CONTRACT_VERSION`` changes only on an incompatible change.
"""

from __future__ import annotations

from typing import Any

from dataclasses import asdict

from kommune_etl.models import DocumentResult, Entity
from kommune_etl.transforms.structures.records import Letter, Meeting, Structures, Vote

CONTRACT_VERSION = 1


def document_json(result: DocumentResult) -> dict[str, Any]:
    return _plain({
        "contract_version": CONTRACT_VERSION,
        "document": {
            "sha256": result.sha256,
            "source": result.source,
            "doc_type": result.doc_type.value,
            "doc_type_evidence": list(result.doc_type_evidence),
            "title": result.title,
            "date": result.document_date.isoformat() if result.document_date else None,
            "year": result.document_year,
            "pages": result.page_count,
            "extractor": result.extractor,
            "media_type": result.media_type,
            "bytes": result.byte_size,
            "status": result.status.value,
            "text_truncated_chars": result.text_truncated_chars,
        },
        "error": {"code": result.error.code, "message": result.error.message} if result.error else None,
        "pages_detail": [{"page": p.number, "method": p.method, "chars": len(p.text), "ocr_confidence": p.ocr_confidence}
                         for p in result.pages],
        "entities": [entity_json(e) for e in result.entities],
        **structures_json(result.structures),
    })


def _plain(value: Any) -> Any:
    """Tuples become lists, so the dict equals what `json.loads(json.dumps(...))` gives back."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def structures_json(structures: Structures | None) -> dict[str, Any]:
    """`meeting`, `grants`, `table_totals`, `letter`, `report` in the answer keys' shape (null/[] when absent)."""
    structures = structures or Structures()
    return {
        "meeting": meeting_json(structures.meeting) if structures.meeting else None,
        "grants": [asdict(g) for g in structures.grants],
        "table_totals": [asdict(t) for t in structures.table_totals],
        "letter": _letter_json(structures.letter) if structures.letter else None,
        "report": asdict(structures.report) if structures.report else None,
        "case_document": asdict(structures.case_document) if structures.case_document else None,
        "election": election_json(structures.elections[0], structures.election_areas[0]) if structures.elections else None,
        "elections": [election_json(p, a) for p, a in zip(structures.elections, structures.election_areas)],
    }


def election_json(protocol, area) -> dict[str, Any]:
    """An election protocol's contents (issue 17's contract): numbers as integers, a printed dash as null."""
    return {
        "election": protocol.election, "year": protocol.year, "kind": protocol.kind, "language": protocol.language,
        "printed_at": protocol.document_date,
        "area": {"municipality": area.municipality, "county": area.county,
                 "municipality_code": area.municipality_code, "county_code": area.county_code,
                 "municipality_code_elected": area.municipality_code_elected,
                 "county_code_elected": area.county_code_elected} if area else None,
        "district": protocol.district,
        "board": [{"name": name, "role": role} for name, role in protocol.board],
        "key_figures": asdict(protocol.key_figures),
        "counts": [asdict(c) for c in protocol.counts],
        "rejections": [asdict(r) for r in protocol.rejections],
        "seats": [asdict(s) for s in protocol.seats],
        "council_size": protocol.council_size,
        "elected": [asdict(e) for e in protocol.elected],
        "candidates": [asdict(e) for e in protocol.candidates],
        "remarks": [asdict(r) for r in protocol.remarks],
        "confidence": dict(protocol.confidence),
        "source": protocol.source,
        "issues": list(protocol.issues),
    }


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    return {
        "body": meeting.body, "municipality": meeting.municipality, "date": meeting.date, "start": meeting.start,
        "end": meeting.end, "place": meeting.place, "chair": meeting.chair, "secretary": meeting.secretary,
        "members_present": [{"name": a.name, "party": a.party, "party_code": a.party_code,
                             "substitute_for": a.substitute_for} for a in meeting.members_present],
        "attendance": [asdict(a) for a in meeting.attendees],
        "items": [{
            "case": i.case, "archive_ref": i.archive_ref, "title": i.title, "outcome": i.outcome,
            "votes_for": i.votes_for, "votes_against": i.votes_against, "against_parties": list(i.against_parties),
            "extra_proposals": [{"by": p.by, "kind": p.kind, "outcome": p.outcome, "votes_for": p.votes_for,
                                 "votes_against": p.votes_against, "against_parties": list(p.against_parties)}
                                for p in i.extra_proposals],
            "decision_kind": i.decision_kind, "item_type": i.item_type, "proposed_decision": i.proposed_decision,
            "decision_text": i.decision_text, "page": i.page, "issues": list(i.issues),
            "handled_by": i.handled_by, "votes": [vote_json(v) for v in i.votes],
        } for i in meeting.items],
        "template": meeting.template, "template_evidence": list(meeting.template_evidence), "language": meeting.language,
        "members_absent": [{"name": a.name, "party": a.party, "party_code": a.party_code, "role": a.role}
                           for a in meeting.members_absent],
        "approved_by": list(meeting.approved_by),
    }


def vote_json(vote: Vote) -> dict[str, Any]:
    """One vote; `for`/`against` are names resolved to attendees where possible (`*_as_written` as printed)."""
    return {
        "label": vote.label, "by": vote.by, "by_party": vote.by_party, "kind": vote.kind, "outcome": vote.outcome,
        "unanimous": vote.unanimous, "votes_for": vote.votes_for, "votes_against": vote.votes_against,
        "for": list(vote.voters_for), "against": list(vote.voters_against),
        "for_as_written": list(vote.for_as_written), "against_as_written": list(vote.against_as_written),
        "parties_for": list(vote.parties_for), "parties_against": list(vote.parties_against),
        "for_parties": list(vote.for_voter_parties), "against_parties": list(vote.against_voter_parties),
        "alternatives": [{"label": o.label, "by": o.by, "votes": o.votes, "voters": list(o.voters),
                          "voters_as_written": list(o.voters_as_written), "parties": list(o.parties),
                          "voter_parties": list(o.voter_parties), "outcome": o.outcome}
                         for o in vote.alternatives],
        "casting_vote": vote.casting_vote, "text": vote.text, "page": vote.page, "issues": list(vote.issues),
    }


def _letter_json(letter: Letter) -> dict[str, Any]:
    record = asdict(letter)
    record["deadlines"] = [{"what": what, "date": when} for what, when in letter.deadlines]
    record["signers"] = [{"name": name, "title": title} for name, title in letter.signers]
    return record


def entity_json(entity: Entity) -> dict[str, Any]:
    record = {"label": entity.label, "text": entity.text, "value": entity.value, "page": entity.page,
              "start": entity.start, "end": entity.end}
    if entity.value_max is not None:
        record["value_max"] = entity.value_max
    if entity.source != "rules":
        record["source"] = entity.source
    if entity.confidence is not None:
        record["confidence"] = entity.confidence
    for key in ("per", "historical_code", "successor_code"):
        if getattr(entity, key) is not None:
            record[key] = getattr(entity, key)
    return record
