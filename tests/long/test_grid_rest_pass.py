"""The grid pass' rest pass (`trace_passes._ImuGrid`): each grid block's accelerometer and gyro
handed on as C-contiguous arrays (column slices of the (N,6) grid cost numpy a loop call per row),
and what it stores, block by block, the same as the whole segment's rest mask, accelerometer
fractions and their running sum."""

from __future__ import annotations

import numpy as np
from long_synth import pauses

from hiplevel.signal import trace_passes
from hiplevel.signal.angle_units import radians
from hiplevel.signal.fusion import FusionSettings, accel_fraction
from hiplevel.signal.long_trace import series_source
from hiplevel.signal.rest_masks import rest_and_quiet_masks
from hiplevel.signal.timeline import TimelineSettings
from hiplevel.signal.trace_store import TraceStore

GRID_BLOCK = 1000  # several blocks in the 2.5 min session, each with the samples around it


def _grid(monkeypatch=None, seen: list | None = None):
    if seen is not None:
        for name in ("rest_and_quiet_masks", "accel_fraction"):
            real = getattr(trace_passes, name)

            def spy(acc, gyro, *rest, _real=real, _name=name):
                seen.append((_name, acc.flags.c_contiguous, gyro.flags.c_contiguous))
                return _real(acc, gyro, *rest)

            monkeypatch.setattr(trace_passes, name, spy)
    store = TraceStore(ram_budget_bytes=0, block=1500)
    settings = FusionSettings()
    rate, segments, _ = trace_passes.grid_pass(series_source(pauses().imu), settings, TimelineSettings(), store,
                                               GRID_BLOCK)
    return store, settings, rate, segments


def test_the_rest_pass_reads_contiguous_accelerometer_and_gyro(monkeypatch) -> None:
    seen: list = []
    store, *_ = _grid(monkeypatch, seen)
    store.close()
    assert len(seen) > 2 * 10  # both, for every block
    assert all(acc and gyro for _, acc, gyro in seen), [s for s in seen if not (s[1] and s[2])][:3]


def test_the_stored_rest_mask_and_fractions_are_the_whole_segments() -> None:
    store, settings, rate, segments = _grid()
    try:
        assert len(segments) == 1 and segments[0].n > 5 * GRID_BLOCK
        n = segments[0].n
        acc, gyro = store.read((0, "acc"), 0, n), store.read((0, "gyro"), 0, n)
        rest, _ = rest_and_quiet_masks(acc, gyro, rate, settings)
        k, _, _ = accel_fraction(acc, radians(gyro), np.full(n, 1.0 / rate), rest, settings)
        np.testing.assert_array_equal(store.read((0, "still"), 0, n).astype(bool), rest)
        # The running sum starts at 0 before the first sample, carried across blocks.
        np.testing.assert_array_equal(store.read((0, "ksum"), 0, n + 1), np.cumsum(np.concatenate([[0.0], k])))
    finally:
        store.close()
