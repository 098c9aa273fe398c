"""The built wheel, installed into a fresh virtual environment, is a working product under one import name
(issue 14, point 2; decision 0020)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow  # builds a wheel and a virtual environment, then runs the demo


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(found).exists():
        pytest.skip("uv is not installed (the README installs it with pip)")
    return found


def test_the_wheel_installs_only_kommune_etl_and_runs_the_demo(tmp_path):
    uv = _uv()
    run = lambda *args, **kw: subprocess.run(args, capture_output=True, text=True, timeout=1200, **kw)  # noqa: E731
    built = run(uv, "build", "--wheel", "-o", str(tmp_path / "dist"), str(REPO))
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("kommune_etl-*.whl"))
    # the locked versions of the runtime dependencies (no extras, no dev), from the uv cache the test command filled
    requirements = tmp_path / "requirements.txt"
    exported = run(uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-o", str(requirements),
                   cwd=REPO)
    assert exported.returncode == 0, exported.stderr[-2000:]
    venv = tmp_path / "venv"
    assert run(uv, "venv", "-q", "-p", sys.executable, str(venv)).returncode == 0
    python = venv / "bin" / "python"
    for args in (["-r", str(requirements)], ["--no-deps", str(wheel)]):
        done = run(uv, "pip", "install", "-q", "--python", str(python), *args)
        assert done.returncode == 0, done.stderr[-2000:]
    names = run(str(python), "-c", "import importlib.util as u; print(' '.join(n for n in ('kommune_etl', 'extractors', "
                "'transforms', 'warehouse', 'quality', 'dags', 'airflow') if u.find_spec(n)))", cwd=tmp_path).stdout.split()
    assert names == ["kommune_etl"]                 # one import name, and no Airflow without the extra
    demo = run(str(venv / "bin" / "kommune-etl"), "demo", cwd=tmp_path)
    assert demo.returncode == 0, (demo.stdout[-2000:], demo.stderr[-2000:])
    assert "documents: 5 new" in demo.stdout + demo.stderr
    assert (tmp_path / "data" / "warehouse.published.duckdb").is_file()
