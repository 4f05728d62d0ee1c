"""The aligned trace (`orientation.trace_piece`, the kept trace of `offline._kept_trace`, the
forward-axis pass of `trace_passes.align`): the up-vectors turned by the mount rotation as
rot @ up.T, three rows, whose transpose hands `up_to_roll_pitch_deg` (and the yaw estimate)
contiguous axes, and the accelerometer and gyro rows by a C-contiguous rot.T
(`orientation.turned_rows`): the same values as x @ rot.T (the same bits on this machine's BLAS)."""

from __future__ import annotations

import numpy as np
from long_synth import SMALL, pauses

from hiplevel.analysis import offline
from hiplevel.signal import orientation
from hiplevel.signal.fusion import up_to_roll_pitch_deg
from hiplevel.signal.long_trace import build_long_trace, series_source


def _same(a: np.ndarray, b: np.ndarray) -> None:
    # The bits agree on this machine's OpenBLAS (Haswell kernels, measured in stop 39), but two BLAS
    # routines may round the three-term sums differently on other kernels: the test asks the values.
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)


def _trace():
    return build_long_trace(series_source(pauses().imu), chunking=SMALL)


def test_trace_pieces_keep_the_row_products_values() -> None:
    with _trace() as lt:
        assert abs(lt.mount_yaw_deg) > 0 or not np.allclose(lt.rotation, np.eye(3))  # a rotation that mixes axes
        for a, b in [(0, lt.n), (17, 4_000), (lt.n - 1, lt.n)]:
            piece = orientation.trace_piece(lt, a, b)
            roll, pitch = up_to_roll_pitch_deg(lt.up(a, b) @ lt.rotation.T)
            _same(piece.roll_deg, roll)
            _same(piece.pitch_deg, pitch)
            acc, gyro = lt.sensor(a, b)
            _same(piece.acc_g, acc @ lt.rotation.T)
            _same(piece.gyro_dps, gyro @ lt.rotation.T)
        t, roll, pitch = offline._kept_trace(lt, [(0, lt.n)], 0.25)
        whole = orientation.trace_piece(lt, 0, lt.n)
        assert (roll + 0.25).tobytes() != roll.tobytes()  # the neutral is taken off ...
        np.testing.assert_array_equal(pitch, whole.pitch_deg)  # ... and the rest is trace_piece's
        np.testing.assert_array_equal(roll, whole.roll_deg - 0.25)


def test_roll_and_pitch_read_contiguous_axes(monkeypatch) -> None:
    seen: list[bool] = []
    real = orientation.up_to_roll_pitch_deg

    def spy(up):
        seen.append(len(up) < 2 or up[:, 0].flags.c_contiguous)
        return real(up)

    monkeypatch.setattr(orientation, "up_to_roll_pitch_deg", spy)
    with _trace() as lt:
        orientation.trace_piece(lt, 0, lt.n)
    assert seen == [True]


def test_turned_rows_are_the_row_products() -> None:
    rng = np.random.default_rng(3)
    for n in [0, 1, 2, 3, 7, 64, 1000, 4097, 70_000]:
        x = rng.normal(size=(n, 3)) * rng.choice([1e-3, 1.0, 2000.0], size=(n, 1))
        x[rng.random(n) < 0.05] = [0.0, -0.0, 1e-310]
        rot = np.linalg.qr(rng.normal(size=(3, 3)))[0]
        out = orientation.turned_rows(x, rot)
        assert out.flags.c_contiguous, n
        _same(out, x @ rot.T)
