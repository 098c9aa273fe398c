"""Shared fixtures. Tests read the project's shared materials from ../shared beside the checkout."""

from __future__ import annotations

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

if not SHARED.is_dir():
    raise RuntimeError(f"the tests need the shared materials at {SHARED} (set KOMMUNE_ETL_SHARED to move them)")


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
