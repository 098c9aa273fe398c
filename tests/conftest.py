"""Shared fixtures. Tests read the project's shared materials from ../shared beside the checkout.

Two tiers: the README's test command runs everything; `uv run pytest -m "not slow"` is the fast tier (pure
tests, no services, no subprocess runs of the whole CLI), which also runs without ../shared: tests that need
the shared materials are then skipped, each saying so.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KOMMUNE_ETL_SHARED", REPO.parent / "shared"))
SAMPLES_TEXT = SHARED / "corpus" / "samples"
SAMPLES_PDF = SHARED / "corpus" / "samples-pdf"
REAL = SHARED / "corpus" / "real"
TORTURE = SHARED / "corpus" / "torture"
GOLD = SHARED / "gold"

HAS_SHARED = SHARED.is_dir()
_SHARED_NAMES = ("SHARED", "SAMPLES_TEXT", "SAMPLES_PDF", "REAL", "TORTURE", "GOLD")


def _needs_shared(item) -> bool:
    """A test needs ../shared when its module takes a shared path from here or it uses the sample warehouse."""
    if "sample_warehouse" in getattr(item, "fixturenames", ()):
        return True
    source = inspect.getsource(item.module) if item.module else ""
    return "conftest import" in source and any(name in source for name in _SHARED_NAMES)


def pytest_collection_modifyitems(config, items):
    if HAS_SHARED:
        return
    if not config.getoption("markexpr"):  # the full suite is meaningless without the corpus: say so, loudly
        raise pytest.UsageError(f"the full suite needs the shared materials at {SHARED} (set KOMMUNE_ETL_SHARED "
                                "to move them); without them run the fast tier: pytest -m 'not slow'")
    skip = pytest.mark.skip(reason=f"needs the shared materials at {SHARED}")
    for item in items:
        if _needs_shared(item):
            item.add_marker(skip)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """The five sample PDFs ingested once (with quality checks) into a warehouse the analysts' tests share.

    Tests that write must copy it first; most only read.
    """
    from kommune_etl.pipeline import ingest_paths

    db = tmp_path_factory.mktemp("samples") / "warehouse.duckdb"
    summary = ingest_paths([SAMPLES_PDF], db)
    assert summary.new == 5 and summary.quarantined == 0
    return db
