"""The bounded child: why it died decides the reason code (pure: forks only)."""

from __future__ import annotations

import ctypes
import time

import pytest

from kommune_etl.extractors.sandbox import run_bounded
from kommune_etl.models import ReadError


def _grow_then_crash():
    keep = []
    try:
        while True:
            keep.append(bytearray(1024 * 1024))
            time.sleep(0.001)
    except MemoryError:
        ctypes.string_at(0)  # a C library that does not check its failed allocation: a segmentation fault


def _crash_now():
    ctypes.string_at(0)


def test_a_segmentation_fault_at_the_memory_ceiling_is_too_large_and_elsewhere_a_crash():
    with pytest.raises(ReadError) as at_ceiling:
        run_bounded(_grow_then_crash, (), {}, 30, 64, "analysis")
    assert at_ceiling.value.code.value == "too_large" and "exit -11" in at_ceiling.value.message
    with pytest.raises(ReadError) as crash:
        run_bounded(_crash_now, (), {}, 30, 64, "analysis")
    assert crash.value.code.value == "reader_crashed"
