"""Habits checked in CI. The layer contracts of pyproject.toml ([tool.importlinter]) hold: no stage imports the application, records
and reference data import nothing of ours, readers know nothing of analysis, checks or storage (issue 14)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_lint_imports_keeps_every_layer_contract():
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def test_ruff_finds_nothing():
    """The lint rules of pyproject.toml ([tool.ruff]) hold over the whole repository (issue 14)."""
    done = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--no-cache", "."], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
