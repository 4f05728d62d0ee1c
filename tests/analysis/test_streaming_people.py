"""The live analyser on people who do not stand still (issue 14): a restless standing (ipol-dev
subject 4 sways at gyro SD 2.6-3.3 deg/s and is never still for 1.5 s) and a recording that starts
mid-walk (stroke-dev: a treadmill, no standing at all). On main the live analyser waited for 2 s of
strict stillness for its neutral, so neither got a single rep, and its gyro bias came from each
still run alone. Now the neutral comes from the first quiet standing (sway, no step) or, with no
standing, from the walk; the bias from the offline rule over the buffer (`streaming.bias`)."""

import gzip
import json
import shutil

import numpy as np
import pytest

from bench.realdata import shared_data_dir
from hiplevel.analysis.streaming import OnlineAnalyzer
from hiplevel.analysis.streaming.bias import QUIET, STILL, LiveGyroBias
from hiplevel.imu_csv import read_imu_csv
from hiplevel.signal.fusion import FusionSettings, roll_pitch_to_up
from hiplevel.signal.live_fusion import TiltFusion
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

PACKET = 5  # samples a packet at 100 Hz (the firmware's 50 ms batches)


def _feed(oa, t, acc, gyro, packet=PACKET):
    roll = np.full(len(t), np.nan)
    for a in range(0, len(t), packet):
        oa.push_many(t[a : a + packet], acc_g=acc[a : a + packet], gyro_dps=gyro[a : a + packet])
        roll[a : a + packet] = oa.current_roll_deg
    return roll


def _true_bias(sim):
    return (sim.sensor_1k.gyro_dps - sim.kinematic_1k.gyro_dps).mean(axis=0)


def _nearest(reps, r):
    return min(reps, key=lambda q: abs(q.start_s + q.end_s - r.start_s - r.end_s))


@pytest.mark.parametrize("seed,turns", [(4, 0), (6, 0), (6, 8)])
def test_a_restless_person_gets_reps_sides_and_drops_live(seed, turns):
    # The restless standing (standing_sway=6: no still run of 2 s) then a walk, straight or with
    # a U-turn every 8 steps (where a wrong bias shows most). Main: no neutral, so no rep at all.
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=24, turn_every_steps=turns, weak_side="left",
                                                     drop_deg=8.0)], seed=seed, rest_s=6.0, standing_sway=6.0))
    imu = sim.imu
    oa = OnlineAnalyzer("walking", 100.0)
    _feed(oa, imu.t_s, imu.acc_g, imu.gyro_dps)
    assert oa.neutral_source == "quiet" and oa.bias_source in ("quiet", "still")
    assert np.abs(np.subtract(oa._fusion.bias_dps, _true_bias(sim))[:2]).max() < 0.35
    assert len(oa.reps) == len(sim.reps) == 24
    for r in oa.reps:
        t = _nearest(sim.reps, r)
        assert abs(t.start_s + t.end_s - r.start_s - r.end_s) < 0.6
        assert r.side == t.side
        if not turns:
            # (After a U-turn the live tilt carries the accelerometer bias mirrored until the
            # filter corrects it: the offline turn-error fix has no live form; docs, known limits.)
            assert abs(r.drop_deg - t.drop_deg) < 1.5, (r.start_s, r.drop_deg, t.drop_deg)
    if not turns:
        # The weak (left) stance leg is the one whose steps drop further, live as in truth.
        left = np.mean([r.drop_deg for r in oa.reps if r.side == "left"])
        right = np.mean([r.drop_deg for r in oa.reps if r.side == "right"])
        assert left - right > 2.0


@pytest.mark.parametrize("seed", [1, 3])
def test_a_walk_without_standing_gets_a_neutral_and_its_bias_from_the_walk(seed):
    # No still or quiet sample at all (a treadmill, a recording that starts mid-walk).
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=60)], seed=seed, rest_s=3.0))
    s, st = sim.imu, sim.sets[0]
    k = (s.t_s > st.start_s + 1.0) & (s.t_s < st.end_s - 1.0)
    t, acc, gyro = s.t_s[k], s.acc_g[k], s.gyro_dps[k]
    true = _true_bias(sim)
    assert np.abs(true[:2]).max() > 1.5  # the case: a bias worth finding
    oa = OnlineAnalyzer("walking", 100.0)
    roll = _feed(oa, t, acc, gyro)
    assert oa.neutral_source == "walk" and oa.bias_source == "moving"
    assert np.abs(np.subtract(oa._fusion.bias_dps, true)[:2]).max() < 0.3
    # Once the walk gave the bias (3 windows of 6 s), the live roll follows the truth up to an offset.
    late = t > t[0] + 25.0
    err = roll[late] - np.interp(t[late], sim.truth.t_s, sim.truth.roll_deg)
    assert np.percentile(np.abs(err - np.median(err)), 95) < 1.5
    assert len(oa.reps) >= 0.9 * sum(r.start_s > t[0] + 1.0 for r in sim.reps)
    truth = [r for r in sim.reps if t[0] < r.start_s < t[-1]]
    assert np.mean([r.side == _nearest(truth, r).side for r in oa.reps]) > 0.95


def test_a_start_while_moving_seeds_no_bias():
    # Half a stride's mean rate is no bias: the fusion starts from zero and seeds its tilt as
    # after a gap (gyro-carried accelerometer); from rest it keeps the window's mean.
    rate, n = 100.0, 300
    t = np.arange(n) / rate
    roll = 6.0 * np.sin(2 * np.pi * 1.0 * t)
    acc = roll_pitch_to_up(roll, np.zeros(n))
    gyro = np.column_stack([np.gradient(roll, t), np.zeros(n), np.zeros(n)]) + [0.4, -0.3, 0.2]
    moving = TiltFusion(rate_hz=rate)
    for i in range(n):
        moving.update(acc[i], gyro[i], 1.0 / rate)
    assert moving.bias_dps == (0.0, 0.0, 0.0) and not moving.initialising
    assert abs(moving.roll_deg - roll[-1]) < 1.0
    still = TiltFusion(rate_hz=rate)
    for i in range(n):
        still.update(acc[0], (0.4, -0.3, 0.2), 1.0 / rate)
    assert np.allclose(still.bias_dps, (0.4, -0.3, 0.2))


def test_live_bias_keeps_a_still_standing_over_later_quiet_holds():
    # Still standing with bias B, then a quiet stretch (a hold swaying at ~4 deg/s): the quiet run
    # does not replace the still run's bias (the offline rule; its residual test lets single-leg
    # holds' balance sway through); a quiet run alone gives the bias across the vertical.
    rate, bias = 100.0, np.array([0.5, -0.2, 0.1])
    rng = np.random.default_rng(2)
    t = np.arange(1000) / rate
    sway = np.where(t >= 4.0, 2.0 * np.sin(2 * np.pi * 0.5 * (t - 4.0)), 0.0)
    acc = roll_pitch_to_up(sway, np.zeros_like(t)) + rng.normal(0, 0.002, (len(t), 3))
    gyro = np.column_stack([np.gradient(sway, t), np.zeros_like(t), np.zeros_like(t)]) + bias
    gyro += rng.normal(0, 0.05, gyro.shape)
    lb = LiveGyroBias(FusionSettings(), rate)
    b = lb.update(t[:350], acc[:350], gyro[:350], (0.0, 0.0, 0.0), 0)
    assert lb.tier == STILL and np.allclose(b, bias, atol=0.05)
    assert lb.update(t[400:], acc[400:], gyro[400:], b, 400) is None and lb.tier == STILL
    alone = LiveGyroBias(FusionSettings(), rate)
    q = alone.update(t[400:], acc[400:], gyro[400:], (0.0, 0.0, 0.0), 400)
    assert alone.tier == QUIET and np.allclose(q[:2], bias[:2], atol=0.1)


DATA = shared_data_dir()


def _real(subset, name, tmp_path, until_s=None):
    root = None if DATA is None else DATA / subset
    if root is None or not (root / f"{name}.csv.gz").is_file():
        pytest.skip(f"../shared/data/{subset} is absent (a fresh clone has no shared data)")
    plain = tmp_path / f"{name}.csv"
    with gzip.open(root / f"{name}.csv.gz", "rb") as fi, open(plain, "wb") as fo:
        shutil.copyfileobj(fi, fo)
    s = read_imu_csv(plain)
    truth = json.loads((root / f"{name}.truth.json").read_text())
    k = slice(None) if until_s is None else s.t_s < until_s
    reps = [r for r in truth["reps"] if until_s is None or r["end_s"] < until_s - 2.0]
    return s.t_s[k], s.acc_g[k], s.gyro_dps[k], reps


def test_a_treadmill_walk_keeps_its_level_live(tmp_path):
    # Two minutes of steady treadmill walking after a stroke, no standing, raw gyro bias: the
    # causal filter trusts the accelerometer little while walking (impacts, turns), so what the
    # bias fit leaves wandered into the live tilt: its 10 s mean drifted from +2 to -16 deg. The
    # anchor (accelerometer of the last 4 s carried by the gyro) holds it: a steady walk's mean
    # obliquity stays where it was.
    t, acc, gyro, _ = _real("stroke-dev", "mr_pp02_exported004", tmp_path)
    oa = OnlineAnalyzer("walking", 100.0)
    roll = _feed(oa, t, acc, gyro)
    means = [np.nanmean(roll[(t >= w) & (t < w + 10.0)]) for w in np.arange(t[0] + 30.0, t[-1] - 10.0, 10.0)]
    assert len(means) >= 8
    assert max(means) - min(means) < 3.0 and max(np.abs(means)) < 4.0, np.round(means, 1)


def _score(reps, truth):
    """(matched, side right) by the score_reps rule."""
    from bench.dev_split import match

    found = [{"start_s": r.start_s, "end_s": r.end_s, "side": r.side} for r in reps]
    m, _, side = match(truth, found)
    return m, side


@pytest.mark.parametrize("subset,names,until_s,side_floor", [
    ("ipol-dev", ["ipol_4-3", "ipol_4-4", "ipol_4-5", "ipol_4-6", "ipol_5-1"], None, 0.97),
    # The first minute only (the test's time). The stance parity of a stroke walk is fragile on
    # 30 s of evidence, offline as live: offline on pp06's first 30 s alone has 34 of 45 sides
    # wrong, on the whole trial none (docs/analysis.md, Live analysis, known limits).
    ("stroke-dev", ["mr_pp06_exported001", "mr_pp09_exported000"], 60.0, 0.8),
])
def test_real_people_who_never_stand_still_get_steps_and_sides_live(subset, names, until_s, side_floor, tmp_path):
    # Main: no neutral, so no step at all in any of these (subject 4's and 5's sway, the treadmill).
    matched = side = total = 0
    for name in names:
        t, acc, gyro, truth = _real(subset, name, tmp_path, until_s)
        oa = OnlineAnalyzer("walking", round(1.0 / float(np.median(np.diff(t)))))
        _feed(oa, t, acc, gyro)
        oa.finish()  # the recording ends: the last steps were held for what would follow
        m, s = _score(oa.reps, truth)
        matched, side, total = matched + m, side + s, total + len(truth)
    assert matched >= 0.9 * total
    assert side >= side_floor * matched
