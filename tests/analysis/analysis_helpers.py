"""Shared helpers: short simulated sets and matching detected reps to the simulator's truth."""

from __future__ import annotations

from hiplevel.samples import ImuSeries
from hiplevel.sim import match_reps as match  # noqa: F401 - the tests' name for the shared rule


def crop(series: ImuSeries, t0: float, t1: float) -> ImuSeries:
    """Samples with t0 <= t < t1."""
    m = (series.t_s >= t0) & (series.t_s < t1)
    return ImuSeries(series.t_s[m], series.acc_g[m], series.gyro_dps[m])


def native_and_numpy(monkeypatch, fn):
    """fn() with the compiled kernels, then with the numpy paths (`HIPLEVEL_NO_NATIVE=1`)."""
    native = fn()
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    numpy_only = fn()
    monkeypatch.delenv("HIPLEVEL_NO_NATIVE")
    return native, numpy_only
