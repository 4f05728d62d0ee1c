"""Stop 44 speedO: the HIPLEVEL_NO_NATIVE switch is read from os.environ's own dict (no KeyError
raised and caught a kernel lookup) and kernels found are kept: the switch reads what
`os.environ.get` reads, set, emptied or removed during a run (as the tests' monkeypatch does)."""

from __future__ import annotations

import os

import pytest

import hiplevel._native as native

VALUES = [None, "", "1", "0", "yes", " "]


@pytest.mark.parametrize("value", VALUES)
def test_switch_reads_what_os_environ_get_reads(monkeypatch, value) -> None:
    for before in VALUES:  # whatever it was before, the new value is seen at once
        for v in (before, value):
            if v is None:
                monkeypatch.delenv("HIPLEVEL_NO_NATIVE", raising=False)
            else:
                monkeypatch.setenv("HIPLEVEL_NO_NATIVE", v)
            assert native.native_switched_off() is bool(os.environ.get("HIPLEVEL_NO_NATIVE"))


def test_kernels_follow_the_switch(monkeypatch) -> None:
    monkeypatch.delenv("HIPLEVEL_NO_NATIVE", raising=False)
    found = native.scan_kernel()
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    assert native.scan_kernel() is None and native.round_function() is round
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "")
    assert native.scan_kernel() is found  # the same module again (kept), or None when not built
    monkeypatch.delenv("HIPLEVEL_NO_NATIVE")
    assert native.scan_kernel() is found


def test_a_kernel_lacking_a_function_is_not_used() -> None:
    assert native._kernel("scankernel", ("no_such_function",)) is None
    assert native._kernel("no_such_kernel") is None
