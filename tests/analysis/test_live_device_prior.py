"""The device prior (`analysis.streaming.prior`, docs/analysis.md Stop 40h): the sensor errors the
offline turn fit of a device's stored session found start the next live session's turn fit, so the
steps before its first turn are measured on corrected signals as offline measures them; the first
turn fit of the session replaces the prior. Two simulated sessions of one device: an ideal chip's
walk with a known accelerometer bias added (the clip turned 15 deg in yaw on the belt)."""

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.analysis.streaming import OnlineAnalyzer
from hiplevel.analysis.streaming.prior import SENSOR_ERRORS_KEY, errors_from_json, errors_to_json
from hiplevel.samples import ImuSeries
from hiplevel.signal.turns import NO_ERRORS, TurnErrors, find_turns
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
from hiplevel.store import SessionMeta, SessionStore
from hiplevel.store.device_priors import latest_device_prior
from hiplevel.store.records import SetReport

PACKET = 5  # samples per push (the firmware's 50 ms packets at 100 Hz)
ACC_BIAS_G = (-0.04, 0.03, 0.0)  # the device's zero-g offsets (MPU6050: up to +-50 mg x/y)


def walk(seed: int, acc_bias_g=ACC_BIAS_G) -> ImuSeries:
    """One session of the device: a walk with U-turns on an ideal chip, the bias added."""
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=30, turn_every_steps=14, drop_deg=1.0)],
                                       seed=seed, rest_s=3.0, noise=False, mount_offset_deg=(0.0, 0.0, 15.0)))
    s = sim.imu
    return ImuSeries(np.asarray(s.t_s), np.asarray(s.acc_g) + np.asarray(acc_bias_g), np.asarray(s.gyro_dps))


def run_live(series: ImuSeries, prior: TurnErrors | None) -> OnlineAnalyzer:
    oa = OnlineAnalyzer("walking", rate_hz=100.0, sensor_prior=prior)
    t, acc, gyro = series.t_s, series.acc_g, series.gyro_dps
    for a in range(0, len(t), PACKET):
        oa.push_many(t[a : a + PACKET], acc_g=acc[a : a + PACKET], gyro_dps=gyro[a : a + PACKET])
    oa.finish()
    return oa


def before_first_turn(series: ImuSeries, prior: TurnErrors | None) -> np.ndarray:
    """Live minus offline drop, deg, of each live step that ends before the first turn starts."""
    off = analyze(series, "walking").reps
    t_turn = series.t_s[find_turns(series.gyro_dps, 100.0)[0][0]]
    out = []
    for r in run_live(series, prior).reps:
        if r.end_s < t_turn:
            o = min(off, key=lambda q: abs(q.start_s + q.end_s - r.start_s - r.end_s))
            assert o.side == r.side
            out.append(r.drop_deg - o.drop_deg)
    return np.array(out)


@pytest.mark.parametrize("seed", [1, 3])
def test_prior_from_the_devices_last_session_corrects_the_first_steps(seed):
    prior = analyze(walk(seed), "walking").sensor_errors  # session 1, offline
    assert prior is not None and prior.n_turns >= 1
    second = walk(seed + 100)
    ideal = before_first_turn(walk(seed + 100, (0.0, 0.0, 0.0)), None)  # what the bias leaves alone
    with_prior, without = before_first_turn(second, prior), before_first_turn(second, None)
    assert len(ideal) >= 8 and len(with_prior) == len(without) == len(ideal)
    # Without the prior the first steps carry the uncorrected bias: 0.15-0.17 deg further from
    # offline than an ideal chip's; with it 0.08-0.10 (the fit splits bias and leak its own way).
    assert np.max(np.abs(with_prior - ideal)) < np.max(np.abs(without - ideal)) - 0.03


def test_the_first_turn_fit_replaces_the_prior():
    s = walk(1)
    wrong = TurnErrors(np.array([0.02, -0.05, 0.0]), np.array([0.01, 0.0]), 3)
    with_prior, without = run_live(s, wrong), run_live(s, None)
    assert without._turns.errors.n_turns >= 1
    # The fit solves this session's turns alone: the same errors whatever the prior said (to
    # 0.1 mg: the gyro bias it is given follows a tilt the prior corrected).
    np.testing.assert_allclose(with_prior._turns.errors.acc_bias_g, without._turns.errors.acc_bias_g, atol=1e-3)
    np.testing.assert_allclose(with_prior._turns.errors.gyro_leak, without._turns.errors.gyro_leak, atol=1e-3)
    assert np.max(np.abs(with_prior._turns.errors.acc_bias_g - wrong.acc_bias_g)) > 0.02
    # Until then the prior is in use; none (or an empty one) is today's analyser.
    assert OnlineAnalyzer("walking", 100.0, sensor_prior=wrong)._turns.errors is wrong
    assert OnlineAnalyzer("walking", 100.0, sensor_prior=NO_ERRORS)._turns.errors.n_turns == 0


def test_errors_json_round_trip():
    e = TurnErrors(np.array([-0.0146, 0.0294, 0.0]), np.array([0.0145, -0.0294]), 2)
    back = errors_from_json(errors_to_json(e))
    np.testing.assert_allclose(back.acc_bias_g, e.acc_bias_g)
    np.testing.assert_allclose(back.gyro_leak, e.gyro_leak)
    assert back.n_turns == 2
    assert errors_from_json(None) is None and errors_from_json({"acc_bias_g": [0, 0, 0]}) is None
    assert errors_from_json({**errors_to_json(e), "n_turns": 0}) is None


def _save(store: SessionStore, device_id: str, result, at: datetime) -> str:
    sid = store.start_session(SessionMeta(patient_id=store.ensure_patient("p1"), device_id=device_id, started_at=at))
    store.add_set(sid, SetReport.from_analysis(result, 1, 0.0))
    return sid


def test_the_store_gives_the_same_devices_latest_errors_only(tmp_path):
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    a_old, a_new = analyze(walk(1), "walking"), analyze(walk(3), "walking")
    b = analyze(walk(5, (0.03, -0.04, 0.0)), "walking")
    with SessionStore(tmp_path / "data") as store:
        _save(store, "hiplevel-a1b2", a_old, t0)
        sid = _save(store, "hiplevel-a1b2", a_new, t0 + timedelta(days=1))
        _save(store, "hiplevel-c3d4", b, t0 + timedelta(days=2))  # another device, later
        kept = store.load_session(sid).sets[0].analysis_json[SENSOR_ERRORS_KEY]
        assert kept["n_turns"] == a_new.sensor_errors.n_turns
        got = latest_device_prior(store, "hiplevel-a1b2")
        assert got is not None and got.session_id == sid and got.device_id == "hiplevel-a1b2"
        np.testing.assert_allclose(got.errors.acc_bias_g, a_new.sensor_errors.acc_bias_g, atol=1e-6)
        assert "hiplevel-a1b2" in got.words()
        # A device without stored sessions starts without a prior: another device's is not used.
        assert latest_device_prior(store, "hiplevel-e5f6") is None
        assert latest_device_prior(store, "") is None
