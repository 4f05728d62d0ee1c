"""Tick wrap-around: the virtual clock wraps like MicroPython's ticks, the firmware extends it."""

from __future__ import annotations

from .conftest import run_mp


def test_ticks_wrap_and_extension():
    r = run_mp("t_ticks.py")
    a, b, diff, add_ok, back = r["vclock_wrap"]
    assert a == 2**30 - 5000 and b == 5000 and diff == 10000 and add_ok and back == -10000
    assert r["extended"] == [10000] * 7
    assert r["late_stamp"] == 2**30 - 100
    assert r["paced_wall_ms"] >= 40  # paced, not jumped (no upper bound: timing is for bench/)
