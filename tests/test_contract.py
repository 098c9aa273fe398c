"""The extract JSON contract and the deployment files stay consistent with the code."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import REPO, SAMPLES_PDF
from kommune_etl.contract import CONTRACT_VERSION, document_json
from kommune_etl.pipeline import process_document, read_raw
from warehouse.connection import DB_ENV

DOCUMENT_KEYS = {"sha256", "source", "doc_type", "doc_type_evidence", "title", "date", "year", "pages", "extractor",
                 "media_type", "bytes", "status", "text_truncated_chars"}  # keys are only ever added


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


def _env_names_in_code() -> set[str]:
    import re

    names = set()
    for folder in ("kommune_etl", "extractors", "transforms", "warehouse", "quality", "dags"):
        for path in (REPO / folder).rglob("*.py"):
            names |= set(re.findall(r"KOMMUNE_ETL_[A-Z_]+", path.read_text(encoding="utf-8")))
    return names


def _target(mount: str) -> str:
    """The container path of a short-syntax volume ('src:/path[:ro]'; src may hold '${VAR:-default}')."""
    for suffix in (":ro", ":rw"):
        mount = mount.removesuffix(suffix)
    return mount.rsplit(":", 1)[1]


def test_compose_file_follows_airflows_layout_and_matches_the_code():
    """No Docker engine here: parse docker-compose.yml and check it against the code it runs."""
    from kommune_etl.orchestration import DEFAULT_DB, DEFAULT_INBOX, DEFAULT_REPORTS, WRITER_POOL
    from warehouse.connection import raw_archive_dir

    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    airflow = {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"}
    assert airflow | {"postgres"} <= set(services)
    # Celery scale-out is opt-in
    assert services["redis"]["profiles"] == ["celery"] and services["airflow-worker"]["profiles"] == ["celery"]
    assert services["airflow-worker"]["command"] == ["celery", "worker"]
    # long-running services have health checks; everything they wait for exists
    for name, service in services.items():
        if name not in ("airflow-init", "ingest", "status"):
            assert "healthcheck" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)

    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    workdir = next(line.split()[1] for line in dockerfile.splitlines() if line.startswith("WORKDIR"))
    for package in ("kommune_etl", "extractors", "transforms", "warehouse", "quality", "dags"):
        assert f"COPY {package} " in dockerfile
    code_env = _env_names_in_code()
    for name in airflow | {"airflow-worker"}:
        service = services[name]
        assert service["build"] == "." and service["image"] == "kommune-etl:latest"
        env = service["environment"]
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == f"{workdir}/dags"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] and "redis:6379" in env["AIRFLOW__CELERY__BROKER_URL"]
        assert (env["KOMMUNE_ETL_DB"], env["KOMMUNE_ETL_INBOX"], env["KOMMUNE_ETL_REPORTS"]) == (
            DEFAULT_DB, DEFAULT_INBOX, DEFAULT_REPORTS)
        assert {k for k in env if k.startswith("KOMMUNE_ETL_")} <= code_env
        mounts = {_target(m) for m in service["volumes"]}
        # inbox, warehouse, raw archive (beside the warehouse file, where the code puts it) and reports
        assert {DEFAULT_INBOX, str(Path(DEFAULT_DB).parent), str(raw_archive_dir(Path(DEFAULT_DB))),
                DEFAULT_REPORTS} <= mounts
        # the fetch task writes into the inbox; the sources file is mounted where KOMMUNE_ETL_SOURCES points
        assert not any(m.endswith(":ro") and _target(m) == DEFAULT_INBOX for m in service["volumes"])
        assert env["KOMMUNE_ETL_SOURCES"] in mounts
    assert services["airflow-apiserver"]["ports"] == ["8080:8080"]
    init = " ".join(services["airflow-init"]["command"])
    assert "airflow db migrate" in init and f"airflow pools set {WRITER_POOL} 1" in init
    named = {m.split(":")[0] for s in services.values() for m in s.get("volumes", []) if not m.startswith((".", "$"))}
    assert named == set(compose["volumes"])
    # the batch profile still runs the CLI on the same volumes
    ingest = services["ingest"]
    assert ingest["command"][0] == "ingest" and ingest["command"][1] == DEFAULT_INBOX
    assert f"{DB_ENV}={DEFAULT_DB}" in dockerfile


def test_the_example_sources_file_parses_and_each_example_is_valid():
    """sources.example.toml (mounted by docker-compose) configures nothing; uncommented, one source per kind."""
    from extractors.sources.config import KINDS, parse_sources

    text = (REPO / "sources.example.toml").read_text(encoding="utf-8")
    assert parse_sources(text) == {}
    examples = "\n".join(line.removeprefix("# ") for line in text.splitlines()
                         if line.startswith("# [sources") or (line.startswith("# ") and "=" in line.split("#")[1]))
    sources = parse_sources(examples)
    assert sorted(s.kind for s in sources.values()) == sorted(KINDS)
    assert sources["kristiansand-einnsyn"].api_key_env == "EINNSYN_API_KEY"
