"""`alignment.mount_yaw_from_chunks` reads the levelled up-vectors once when their upright rows
are few (`UPRIGHT_KEEP_ROWS`: the first pass' rows are kept for the medians' passes), again for
every pass when they are many; the yaw is the same either way, to the bit."""

from __future__ import annotations

import numpy as np

from hiplevel.signal import alignment
from hiplevel.signal.alignment import mount_yaw_from_chunks, yaw_rotation
from hiplevel.signal.fusion import roll_pitch_to_up


def _chunks() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 60.0, 0.01)
    hinge = 12.0 * np.abs(np.sin(2 * np.pi * 0.3 * t)) + rng.normal(0.0, 0.5, len(t))
    up = roll_pitch_to_up(rng.normal(0.0, 0.8, len(t)), hinge) @ yaw_rotation(-7.0).T
    lying = roll_pitch_to_up(np.full(500, -88.0), np.full(500, 3.0))
    up = np.r_[up[:3000], lying, up[3000:]]
    return [up[a : a + 1000] for a in range(0, len(up), 1000)]


def _yaw(monkeypatch, keep_rows: int) -> tuple[float, int]:
    monkeypatch.setattr(alignment, "UPRIGHT_KEEP_ROWS", keep_rows)
    chunks, calls = _chunks(), [0]

    def levelled():
        calls[0] += 1
        # Fresh arrays at each pass, as the trace store's reads are.
        return (c.copy() for c in chunks)

    return mount_yaw_from_chunks(levelled), calls[0]


def test_few_upright_rows_are_read_once_with_the_same_yaw(monkeypatch) -> None:
    kept, reads_kept = _yaw(monkeypatch, 1 << 19)
    again, reads_again = _yaw(monkeypatch, 100)  # more rows than that: every pass reads them
    assert reads_kept == 1
    assert reads_again > 1
    assert abs(kept - 7.0) < 1.0
    assert np.float64(kept).tobytes() == np.float64(again).tobytes()
