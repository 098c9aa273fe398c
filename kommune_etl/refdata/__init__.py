"""Shipped reference data (built by scripts/build_refdata.py from the shared raw files)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def load(name: str) -> tuple[dict[str, str], ...]:
    """Rows of one shipped CSV (cached; the files are small and read-only)."""
    with resources.files(__name__).joinpath(name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))
