"""The JSON shape `kommune-etl extract FILE --format json` prints. Other tools depend on it.

Keys are only ever added, never renamed or removed; docs/output-contract.md describes each one and
tests/test_contract.py pins the shape. ``CONTRACT_VERSION`` changes only on an incompatible change.
"""

from __future__ import annotations

from typing import Any

from kommune_etl.models import DocumentResult, Entity

CONTRACT_VERSION = 1


def document_json(result: DocumentResult) -> dict[str, Any]:
    return {
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
        },
        "error": {"code": result.error.code, "message": result.error.message} if result.error else None,
        "entities": [entity_json(e) for e in result.entities],
    }


def entity_json(entity: Entity) -> dict[str, Any]:
    record = {"label": entity.label, "text": entity.text, "value": entity.value, "page": entity.page,
              "start": entity.start, "end": entity.end}
    if entity.value_max is not None:
        record["value_max"] = entity.value_max
    if entity.source != "rules":
        record["source"] = entity.source
    if entity.confidence is not None:
        record["confidence"] = entity.confidence
    return record
