"""The shipped reference data is exactly what the build script makes from the shared raw files."""

from __future__ import annotations

import importlib.util

from conftest import REPO, SHARED
from kommune_etl.refdata import load


def _build_module():
    spec = importlib.util.spec_from_file_location("build_refdata", REPO / "scripts" / "build_refdata.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_is_reproducible():
    built = _build_module().build(SHARED / "refdata")
    for name, text in built.items():
        assert (REPO / "kommune_etl" / "refdata" / name).read_text(encoding="utf-8") == text, name


def test_shipped_facts():
    municipalities = load("municipalities.csv")
    assert len(municipalities) == 992
    halden = [(r["code"], r["valid_from"], r["valid_to"]) for r in municipalities if r["name"] == "Halden"]
    assert halden == [("0101", "1971-01-01", "2020-01-01"), ("3001", "2020-01-01", "2024-01-01"), ("3101", "2024-01-01", "")]
    counties = {r["code"]: r["name"] for r in load("counties.csv") if not r["valid_to"]}
    assert counties["32"] == "Akershus" and "30" not in counties
    assert {r["code"] for r in load("parties.csv")} >= {"A", "H", "FRP", "RØDT"}
