"""Gyro bias for people who do not stand still (`hiplevel.signal.rest_bias`, `motion_bias`).

On real data the tilt swung by up to 50 deg through a U-turn (ipol-dev, subject 4): that person
never stayed still for 1.5 s, so the bias came from a third of a second of "rest" whose slope was
sway (3 deg/s against ~0.4), each filter pass sat b * 8 s off, and the turn mirrored that error in
the body frame. A treadmill walk (no standing at all) kept the bias at zero."""

import math

import numpy as np
import pytest

from bench.realdata import shared_data_dir
from hiplevel.imu_csv import read_imu_csv
from hiplevel.signal.filters import moving_mean, moving_std
from hiplevel.signal.fusion import FusionSettings, fuse_tilt, roll_pitch_to_up, up_to_roll_pitch_deg
from hiplevel.signal.rest_masks import quiet_mask, rest_mask
from hiplevel.signal.motion_bias import motion_bias_dps, window_bias_dps
from hiplevel.signal.orientation import trace_from_imu
from hiplevel.signal.rest_bias import estimate_gyro_bias_dps, run_bias
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


def _true_bias(sim):
    return (sim.sensor_1k.gyro_dps - sim.kinematic_1k.gyro_dps).mean(axis=0)


@pytest.mark.parametrize("seed", [4, 6])
def test_a_restless_person_gets_the_bias_and_a_level_tilt_through_turns(seed):
    # Standing that rocks the pelvis (gyro SD ~2 deg/s over 0.5 s) leaves no still run of 1.5 s.
    # Main: bias off by 0.6 (seed 4) and 2.0 deg/s (seed 6), tilt off by 2.7 and 12.9 deg.
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=24, turn_every_steps=8)], seed=seed,
                                       rest_s=6.0, standing_sway=6.0))
    tilt = fuse_tilt(sim.imu.t_s, sim.imu.acc_g, sim.imu.gyro_dps)
    assert tilt.rest_[:300].mean() < 0.5  # the case: little strict rest in the standing
    err = np.median(np.abs(tilt.bias_dps_ - _true_bias(sim)), axis=0)
    assert err[:2].max() < 0.35
    tr = trace_from_imu(sim.imu)
    a, b = tr.standing
    d = [np.asarray(x) - np.interp(tr.t_s, sim.truth.t_s, y) for x, y in
         ((tr.roll_deg, sim.truth.roll_deg), (tr.pitch_deg, sim.truth.pitch_deg))]
    d = [x - np.median(x[a:b]) for x in d]
    assert np.hypot(*d).max() < 2.5


def _mid_walk(seed, turn_every_steps=0):
    """A walk without its standing and rest: no still sample at all (a treadmill, a recording that
    starts while walking)."""
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=50, turn_every_steps=turn_every_steps)],
                                       seed=seed, rest_s=3.0))
    s, st = sim.imu, sim.sets[0]
    k = (s.t_s > st.start_s + 1.0) & (s.t_s < st.end_s - 1.0)
    return sim, s.t_s[k], s.acc_g[k], s.gyro_dps[k]


@pytest.mark.parametrize("seed", [1, 3])
def test_a_walk_without_standing_gets_its_bias_from_the_walk(seed):
    sim, t, acc, gyro = _mid_walk(seed)
    true = _true_bias(sim)
    assert np.abs(true[:2]).max() > 1.5  # the case: a bias worth finding
    tilt = fuse_tilt(t, acc, gyro)
    assert not tilt.rest_.any()
    # Main: no rest, so the bias stayed 0 and the roll wandered over 7.5-28 deg.
    assert np.abs(np.median(tilt.bias_dps_ - true, axis=0)[:2]).max() < 0.25
    roll, _ = up_to_roll_pitch_deg(tilt.up_)
    err = roll - np.interp(t, sim.truth.t_s, sim.truth.roll_deg)
    assert np.ptp(err) < 2.0


def test_turning_windows_do_not_give_a_bias():
    # A turn while walking reverses the velocity: over a window it looks like 3-8 deg/s of bias.
    sim, t, acc, gyro = _mid_walk(3, turn_every_steps=8)
    per_window = window_bias_dps(acc, gyro, 100.0, 600)
    assert len(per_window) >= 4 and np.isnan(per_window).all(axis=1).sum() >= len(per_window) - 2
    assert motion_bias_dps(acc, gyro, 100.0, np.zeros((len(t), 3))) is None
    _, t0, acc0, gyro0 = _mid_walk(3)
    assert np.isfinite(window_bias_dps(acc0, gyro0, 100.0, 600)).all()


def test_a_slow_turn_on_the_spot_is_no_bias_along_the_vertical():
    # 1 s strictly still (bias B; too short to qualify), then 7 s turning on the spot at ~10 deg/s
    # with an unsteady rate: quiet (no step) but not still. Across the vertical the accelerometer
    # judges the whole quiet run; along it the mean rate is a turn, not bias: that part stays with
    # the still second.
    rate, bias = 100.0, np.array([0.8, -1.1, 0.6])
    rng = np.random.default_rng(0)
    t = np.arange(800) / rate
    roll = 0.3 * np.sin(2 * math.pi * 0.3 * t)
    acc = roll_pitch_to_up(roll, np.zeros_like(t)) + rng.normal(0, 0.002, (len(t), 3))
    yaw = np.where(t >= 1.0, 10.0 + 4.0 * np.sin(2 * math.pi * 2.0 * t), 0.0)
    gyro = np.column_stack([np.gradient(roll, t), np.zeros_like(t), yaw]) + bias + rng.normal(0, 0.05, (len(t), 3))
    st = FusionSettings()
    rest, quiet = rest_mask(acc, gyro, rate, st), quiet_mask(acc, gyro, rate, st)
    assert rest[:70].all() and not rest[150:].any() and quiet.all()
    est = estimate_gyro_bias_dps(t, gyro, rest, acc, 0.6, 150, quiet=quiet)
    assert np.allclose(est, bias, atol=0.15)
    # The case: the quiet run's own mean rate about the vertical is the turn (~9 deg/s more).
    assert run_bias(t, acc, gyro).bias_dps[2] - bias[2] > 5.0


DATA = shared_data_dir()


def _ipol(name, tmp_path):
    import gzip
    import json
    import shutil

    root = None if DATA is None else DATA / "ipol-dev"
    if root is None or not (root / f"{name}.csv.gz").is_file():
        pytest.skip("../shared/data/ipol-dev is absent (a fresh clone has no shared data)")
    plain = tmp_path / f"{name}.csv"
    with gzip.open(root / f"{name}.csv.gz", "rb") as fi, open(plain, "wb") as fo:
        shutil.copyfileobj(fi, fo)
    return read_imu_csv(plain), json.loads((root / f"{name}.truth.json").read_text())


def _tilt_vs_accelerometer_deg(tr):
    """Angle between the fused and the accelerometer's up-vector (0.5 s means) at quiet samples
    (1 s: accelerometer SD < 0.02 g, gyro SD < 8 and mean < 15 deg/s), deg; NaN elsewhere."""
    rate = int(tr.rate_hz)
    quiet = ((np.linalg.norm(moving_std(tr.acc_g, rate), axis=1) < 0.02)
             & (np.linalg.norm(moving_mean(tr.gyro_dps, rate), axis=1) < 15)
             & (np.linalg.norm(moving_std(tr.gyro_dps, rate), axis=1) < 8))
    ua = moving_mean(tr.acc_g, rate // 2)
    uf = moving_mean(roll_pitch_to_up(tr.roll_deg, tr.pitch_deg), rate // 2)
    cos = np.einsum("ij,ij->i", ua, uf) / np.linalg.norm(ua, axis=1) / np.linalg.norm(uf, axis=1)
    return np.where(quiet, np.degrees(np.arccos(np.clip(cos, -1, 1))), np.nan)


def test_ipol_restless_subject_tilt_agrees_with_gravity_before_and_after_the_turn(tmp_path):
    series, truth = _ipol("ipol_4-5", tmp_path)
    tr = trace_from_imu(series)
    ang = _tilt_vs_accelerometer_deg(tr)
    pre, post = ang[tr.t_s < truth["walk_s"][0]], ang[tr.t_s > truth["uturn_s"][0]]
    # Main: 3.7 deg before the walk (max), 4.5 deg after the U-turn (median; up to 50 deg in the turn).
    assert np.nanmax(pre) < 2.5
    assert np.nanmedian(post) < 3.0


def test_stroke_dev_treadmill_bias_is_one_sensor_in_every_person(tmp_path):
    import gzip
    import shutil

    root = None if DATA is None else DATA / "stroke-dev"
    if root is None or not root.is_dir():
        pytest.skip("../shared/data/stroke-dev is absent (a fresh clone has no shared data)")
    xs = []
    for path in sorted(root.glob("*.csv.gz"))[::3]:
        plain = tmp_path / path.name.removesuffix(".gz")
        with gzip.open(path, "rb") as fi, open(plain, "wb") as fo:
            shutil.copyfileobj(fi, fo)
        s = read_imu_csv(plain)
        tilt = fuse_tilt(s.t_s, s.acc_g, s.gyro_dps)
        assert not tilt.rest_[len(s.t_s) // 10:].any()  # the case: no standing
        xs.append(float(np.median(tilt.bias_dps_[:, 0])))
    # No standing at all (main: bias 0). The recordings share one sensor; the walk finds its
    # x bias at 0.6-0.8 deg/s in all three people (the mean gyro, 0.2-1.1, is not the bias:
    # asymmetric gait cones the pelvis).
    assert len(xs) >= 4 and all(0.45 < x < 0.95 for x in xs) and np.ptp(xs) < 0.3


def test_every_stroke_dev_walk_finds_the_one_sensor_bias(tmp_path):
    # All twelve treadmill walks (one sensor, no standing). A 6 s window's fit still carries the
    # gait, and two walks took a 1.5-2 s quiet start's bias (x 1.03 and 0.82 deg/s); where the
    # forward and backward fusion passes agree the bias is 0.63-0.70 in every walk, and each pass
    # sat bias error x 8 s / accelerometer weight off (30 deg apart in mr_pp02_exported004):
    # offline's level drifted by up to 6.5 deg over a walk (docs/analysis.md, Stop 44 fusion44).
    import gzip
    import shutil

    root = None if DATA is None else DATA / "stroke-dev"
    if root is None or not root.is_dir():
        pytest.skip("../shared/data/stroke-dev is absent (a fresh clone has no shared data)")
    xs = []
    for path in sorted(root.glob("*.csv.gz")):
        plain = tmp_path / path.name.removesuffix(".gz")
        with gzip.open(path, "rb") as fi, open(plain, "wb") as fo:
            shutil.copyfileobj(fi, fo)
        s = read_imu_csv(plain)
        xs.append(float(np.median(fuse_tilt(s.t_s, s.acc_g, s.gyro_dps).bias_dps_[:, 0])))
    # Main: 0.61-1.03 (spread 0.42); here 0.63-0.69.
    assert len(xs) == 12 and all(0.6 < x < 0.72 for x in xs) and np.ptp(xs) < 0.1, np.round(xs, 3)
