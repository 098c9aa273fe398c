"""The attack suite of issue 15 (benchmarks/attack.py) in the slow tier: every case against the real CLI, and
not one document lost or one secret leaked. The table it prints is in docs/benchmarks/attack.md."""

from __future__ import annotations

import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import attack  # noqa: E402


@pytest.mark.slow
def test_every_attack_case_loses_nothing_and_leaks_nothing(capsys):
    results = attack.run(progress=lambda line: None)
    with capsys.disabled():
        print("\n" + attack.table(results))
    assert len(results) == len(attack.CASES)
    assert [r.case for r in results if r.lost] == []
    assert [(r.case, r.detail) for r in results if r.leaked] == []
