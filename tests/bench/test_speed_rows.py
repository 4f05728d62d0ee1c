"""Section 4's analysis rows: the simulated set tiled to length, and the analysis child analysing
the exercise it is given (the band-walk row's)."""

from __future__ import annotations

import numpy as np

from bench.long_recordings import analysis_child
from bench.speed import tiled_set
from hiplevel.sim import ExerciseSpec


def test_a_set_is_tiled_to_the_length_asked(tmp_path) -> None:
    series, span = tiled_set(ExerciseSpec("band-walk", reps=6, weak_side="left"), 60.0)
    n = len(series.t_s)
    assert span >= 60.0 and span == series.t_s[-1] - series.t_s[0]
    assert np.all(np.diff(series.t_s) > 0)  # the tiles follow each other on one clock
    one, _ = tiled_set(ExerciseSpec("band-walk", reps=6, weak_side="left"), 1.0)
    k = len(one.t_s)
    assert n % k == 0 and n // k >= 2
    np.testing.assert_array_equal(series.acc_g[k:2 * k], one.acc_g)
    path = tmp_path / "s.npz"
    np.savez(path, t_s=series.t_s, acc_g=series.acc_g, gyro_dps=series.gyro_dps)
    r = analysis_child(str(path), "band-walk")
    assert r["reps"] > 0 and r["span_s"] == span and r["cpu_s"] > 0
