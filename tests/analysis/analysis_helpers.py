"""Shared helpers: short simulated sets, matching detected reps to the simulator's truth, and a
minimum-jerk move's speed for hand-made velocities, the live analyser's reps of a walking series."""

from __future__ import annotations

import numpy as np

from hiplevel.samples import ImuSeries
from hiplevel.sim import match_reps as match  # noqa: F401 - the tests' name for the shared rule


def noisy_up(rng: np.random.Generator, n: int, sd: float, zero_chance: float, zero_share: int) -> np.ndarray:
    """A random up-vector series (n, 3) about vertical with sd per axis; with zero_chance its first
    n // zero_share rows zero (windows whose norm meets the 1e-12 floor)."""
    up = rng.normal(0.0, sd, (n, 3)) + [0.0, 0.0, 1.0]
    if rng.random() < zero_chance:
        up[: n // zero_share] = 0.0
    return up


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


def lift_off_turn_walk(seed: int):
    """A simulated walk of slow pivot steps in turns (85 steps/min, bounce 0.3 of a straight
    step's) whose other foot lifts off mid-step with a jolt of 0.8 of a heel strike."""
    from hiplevel.sim.session import simulate_session
    from hiplevel.sim.spec import ExerciseSpec, SessionSpec

    return simulate_session(SessionSpec(
        exercises=[ExerciseSpec("walking", reps=20, turn_every_steps=6, turn_bounce_fraction=0.3,
                                turn_lift_off_fraction=0.8, cadence_spm=85.0)],
        rate_hz=100, seed=seed, rest_s=5.0))


def walking_upward_g(imu: ImuSeries) -> tuple[np.ndarray, np.ndarray]:
    """The walking detector's contact signal (the upward acceleration, baseline off, 4 Hz), g, and its
    times, s."""
    from hiplevel.analysis.offline import motion_of
    from hiplevel.exercises import DETECTORS
    from hiplevel.signal.orientation import trace_from_imu

    tr = trace_from_imu(imu)
    return tr.t_s, DETECTORS["walking"]._upward_g(motion_of(tr, 0, len(tr.t_s), 0.0))


LYING_DEG = -85.0  # lying on the back: the pelvis pitched far back


def walk_then_posture(seed: int, reps: int, turn_deg: float, bounce: float, tilt_deg: float | None,
                      delay_s: float, **change):
    """A simulated walk (80 steps/min; turn_deg > 0: all of it a turn on the spot, its contacts at
    `bounce` of a straight step's) followed, delay_s after its last step, by a posture change to
    tilt_deg (None: the person stays standing; change: more `PostureChange` fields). Returns (true
    reps, the ImuSeries)."""
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
    from hiplevel.sim.posture_change import PostureChange

    sim = simulate_session(SessionSpec(
        exercises=[ExerciseSpec("walking", reps=reps, turn_on_spot_deg=turn_deg, turn_bounce_fraction=bounce,
                                cadence_spm=80.0)],
        rate_hz=100, seed=seed, rest_s=8.0))
    imu = sim.imu
    if tilt_deg is not None:
        imu = PostureChange(start_s=max(r.end_s for r in sim.reps) + delay_s, tilt_deg=tilt_deg, **change).apply(imu)
    return sim.reps, imu


def every_turning_step_right(seed: int, **turn) -> None:
    """A simulated walk of 20 reps turning 180 deg every 6 steps (turn: its `ExerciseSpec` turn
    parameters, e.g. turn_bounce_fraction): every step found once, with its stance side."""
    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    sim = simulate_session(SessionSpec(exercises=[ExerciseSpec("walking", reps=20, turn_every_steps=6, **turn)],
                                       rate_hz=100, seed=seed, rest_s=5.0))
    pairs, missing, extra = match(sim.reps, analyze(sim.imu, "walking").reps)
    assert not missing and not extra
    assert all(t.side == r.side for t, r in pairs)


def every_band_step_right(strategy, seed: int, step_m: float, rate_hz: float = 100.0) -> None:
    """A simulated band walk of 20 steps (strategy: a `BandStepStrategy`, step_m: m): every step
    found once, with its direction, on the weak (left) leg."""
    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    spec = ExerciseSpec("band-walk", reps=20, weak_side="left", drop_deg=6.0, strategy=strategy, step_m=step_m)
    sim = simulate_session(SessionSpec([spec], rate_hz=rate_hz, seed=seed, mount_offset_deg=(1.0, -2.0, 0.0),
                                       rest_s=5.0))
    pairs, missing, extra = match(sim.reps, analyze(sim.imu, "band-walk").reps)
    assert not missing and not extra
    assert [r.details["direction"] for _, r in pairs] == [t.direction for t, _ in pairs]
    assert [r.side for _, r in pairs] == ["left"] * len(pairs)


def min_jerk_speed(t: np.ndarray, t0: float, dur: float, dist_m: float) -> np.ndarray:
    """Speed, m/s, of a minimum-jerk move of dist_m (signed) over [t0, t0 + dur] (t in s)."""
    u = np.clip((t - t0) / dur, 0.0, 1.0)
    return dist_m / dur * 30.0 * u**2 * (1.0 - u) ** 2


def two_turning_walks_motion(seed: int):
    """Two simulated walks (30 steps turning every 10, 24 turning every 8) as one Motion, no neutral."""
    from hiplevel.analysis.offline import motion_of
    from hiplevel.signal.orientation import trace_from_imu
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    spec = SessionSpec([ExerciseSpec("walking", reps=30, turn_every_steps=10),
                        ExerciseSpec("walking", reps=24, turn_every_steps=8)], seed=seed)
    tr = trace_from_imu(simulate_session(spec).imu)
    return motion_of(tr, 0, len(tr.t_s), 0.0)


def lowering_sides_of_a_level_pelvis(strategy, seeds=range(4)) -> tuple[int, list, list]:
    """Simulated step-down sessions (two sets of 5 reps, the left leg's drop 0.5 deg: under the roll
    cue, so the side rests on the weight shifts and moves; strategy: a `LoweringStrategy`), one per
    seed: (reps matched, [(seed, start s)] on the wrong leg, [(seed, start s, confidence)] right but
    flagged side_uncertain)."""
    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    n, wrong, doubt = 0, [], []
    for seed in seeds:
        sim = simulate_session(SessionSpec([ExerciseSpec("step-down", reps=5, weak_side="left", drop_deg=0.5, sets=2,
                                                         strategy=strategy)], rate_hz=100.0, seed=seed, rest_s=4.0))
        for t, r in match(sim.reps, analyze(sim.imu, "step-down").reps).pairs:
            n += 1
            if r.side != t.side:
                wrong.append((seed, round(t.start_s, 1)))
            elif "side_uncertain" in r.flags:
                doubt.append((seed, round(t.start_s, 1), r.details.get("side_confidence")))
    return n, wrong, doubt


def live_walking_reps(series: ImuSeries, packet: int = 5) -> list:
    """The reps `OnlineAnalyzer` emits for a 100 Hz walking series pushed in packets of `packet`
    samples (the firmware's 50 ms), the stream then finished."""
    from hiplevel.analysis.streaming import OnlineAnalyzer

    oa = OnlineAnalyzer("walking", rate_hz=100.0)
    t, acc, gyro = series.t_s, series.acc_g, series.gyro_dps
    for a in range(0, len(t), packet):
        oa.push_many(t[a : a + packet], acc_g=acc[a : a + packet], gyro_dps=gyro[a : a + packet])
    oa.finish()
    return oa.reps
