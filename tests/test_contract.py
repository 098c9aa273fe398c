"""The extract JSON contract and the deployment files stay consistent with the code."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import REPO, SAMPLES_PDF
from kommune_etl.contract import CONTRACT_VERSION, document_json
from kommune_etl.pipeline import process_document, read_raw
from warehouse.connection import DB_ENV

DOCUMENT_KEYS = {"sha256", "source", "doc_type", "doc_type_evidence", "title", "date", "year", "pages", "extractor",
                 "media_type", "bytes", "status"}


def test_contract_shape_is_pinned():
    payload = document_json(process_document(read_raw(SAMPLES_PDF / "ks_tilskuddsbrev_velferdsteknologi_karmoy_2023-05-08.pdf")))
    assert payload["contract_version"] == CONTRACT_VERSION == 1
    assert set(payload) >= {"document", "error", "entities"}
    assert set(payload["document"]) == DOCUMENT_KEYS
    assert payload["document"]["pages"] == 5 and payload["document"]["date"] == "2023-05-08"


def test_contract_doc_lists_every_document_key():
    text = (REPO / "docs" / "output-contract.md").read_text(encoding="utf-8")
    for key in DOCUMENT_KEYS:
        assert f"`document.{key}`" in text


def test_compose_file_matches_the_code():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    ingest = compose["services"]["ingest"]
    assert ingest["build"] == "."
    db = ingest["environment"][DB_ENV]
    mounts = {m.split(":")[1] for m in ingest["volumes"]}
    assert str(Path(db).parent) in mounts  # the warehouse (and raw/ beside it) lives on a volume
    assert ingest["command"][0] == "ingest" and ingest["command"][1] in mounts
    named = {m.split(":")[0] for s in compose["services"].values() for m in s.get("volumes", []) if not m.startswith(".")}
    assert named <= set(compose["volumes"])
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    for package in ("kommune_etl", "extractors", "transforms", "warehouse", "quality", "dags"):
        assert f"COPY {package} " in dockerfile
    assert f"{DB_ENV}={db}" in dockerfile
