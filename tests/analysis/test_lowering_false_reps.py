"""Step-downs and single-leg squats (issue 14): what a rep needs besides a forward-pitch bump (a
measured descent, or a weight shift where the descent cannot be measured; standing around it),
so that standing fidgets, slow sways and lying down give none (hapt-dev; skips when
../shared/data is absent); and squats across the human range of forward lean (12-35 deg) and
descent time, with the stoop to the floor still rejected."""

import dataclasses
import gzip
import json
import shutil

import numpy as np
import pytest

from bench.realdata import shared_data_dir
from hiplevel.analysis import analyze
from hiplevel.analysis.offline import motion_of, score_windows
from hiplevel.exercises import DETECTORS, Motion
from hiplevel.imu_csv import read_imu_csv
from hiplevel.scoring import Thresholds
from hiplevel.signal.neutral import neutral_roll
from hiplevel.signal.orientation import trace_from_series
from hiplevel.sim import ExerciseSpec, LoweringStrategy, Scene, SessionSpec, match_reps, simulate_session
from hiplevel.sim.motion import plateau

DATA = shared_data_dir()


@pytest.mark.parametrize("exercise", ["step-down", "single-leg-squat"])
def test_hapt_dev_standing_fidgets_and_lying_down_give_no_lowerings(exercise, tmp_path):
    # Main counted 5 step-downs and 1 squat in 30 static minutes (9.99 and 2.0 per hour), all in
    # these four recordings: a 5.5 s forward sway from a backward lean (no descent measurable, no
    # weight shift), two pitch twitches that measured 3.3-4 cm of "descent", and two bumps right
    # before lying down, whose standing check left the lying-down bump out as if it were the next
    # rep. Every other hapt-dev recording already gave none.
    root = None if DATA is None else DATA / "hapt-dev"
    if root is None or not root.is_dir():
        pytest.skip("../shared/data/hapt-dev is absent (a fresh clone has no shared data)")
    for name in ("hapt_e05_u03", "hapt_e06_u03", "hapt_e09_u05", "hapt_e14_u07"):
        plain = tmp_path / f"{name}.csv"
        with gzip.open(root / f"{name}.csv.gz", "rb") as fi, open(plain, "wb") as fo:
            shutil.copyfileobj(fi, fo)
        static = json.loads((root / f"{name}.truth.json").read_text())["static"]
        reps = analyze(read_imu_csv(plain), exercise).reps
        centres = [0.5 * (r.start_s + r.end_s) for r in reps]
        assert not [c for c in centres if any(a + 1.0 <= c <= b - 1.0 for a, b in static)], name


def _found(exercise, strategy, seed=41, det=None):
    sim = simulate_session(SessionSpec([ExerciseSpec(exercise, reps=4, sets=2, weak_side="left", drop_deg=10.0,
                                                     strategy=strategy)],
                                       rate_hz=100.0, seed=seed, mount_offset_deg=(2.0, -2.0, 3.0), rest_s=4.0))
    if det is None:
        reps = analyze(sim.imu, exercise).reps
    else:
        # As bench section 7 sweeps a threshold: the detector on the whole set's motion.
        tr = trace_from_series(sim.imu)
        m = motion_of(tr, 0, len(tr.t_s), neutral_roll(tr.roll_deg, tr.standing))
        reps = score_windows(exercise, m, det.detect(m), Thresholds())
    pairs, missing, extra = match_reps(sim.reps, reps)
    return len(sim.reps), pairs, missing, extra


@pytest.mark.parametrize("pitch_deg", [12.0, 35.0, 40.0])
def test_squat_forward_lean_across_the_human_range(pitch_deg):
    # Main took a squat pitched past 35 deg for a bend and dropped it (bench section 7 passed
    # only 9-12 deg of the human 12-35).
    n, pairs, missing, extra = _found("single-leg-squat", LoweringStrategy(pitch_deg=pitch_deg))
    assert n == 8 and not missing and not extra
    assert [r.side for _, r in pairs] == ["left"] * 4 + ["right"] * 4


@pytest.mark.parametrize("down_s", [0.5, 4.5])
def test_brisk_and_very_slow_squats(down_s):
    # A 0.5 s descent makes a pitch bump of 0.9-1.1 s, under main's 1 s; a 4.5 s one puts the
    # weight shift more than 2 s before the bump's 10 % edge, so main found no shift for it.
    n, pairs, missing, extra = _found("single-leg-squat", LoweringStrategy(down_s=down_s))
    assert n == 8 and not missing and not extra
    assert [r.side for _, r in pairs] == ["left"] * 4 + ["right"] * 4


def test_shallow_step_downs_with_a_stricter_pitch_threshold():
    # A 5 deg lowering measures 4.5-5.7 deg of pitch bump: main's 3.5 deg default left no room
    # for 1.4x of it (bench section 7: the threshold had no margin above).
    det = DETECTORS["step-down"]
    for d in (det, dataclasses.replace(det, min_pitch_deg=1.4 * det.min_pitch_deg)):
        n, pairs, missing, extra = _found("step-down", LoweringStrategy(pitch_deg=5.0), seed=20262206, det=d)
        assert n == 8 and not missing and not extra


@pytest.mark.parametrize("side", ["left", "right"])
def test_step_down_side_between_two_lowerings_left_out(side):
    # After every other rep the pelvis tilts 10 deg as the balance is caught (LoweringStrategy's
    # wobble_deg), past the standing check, and those reps are left out. Main then split the
    # standing only at the kept reps: a rep between two left-out ones took the return of the one
    # before and the shift of the one after for a pair of the other side, and reps 3 and 5 came
    # out on the wrong leg in every seed (issue 14: stairs in hapt-dev e06 at 229.66 s).
    for seed in (0, 1):
        sim = simulate_session(SessionSpec([ExerciseSpec("step-down", reps=7, side=side,
                                                         strategy=LoweringStrategy(wobble_deg=10.0))],
                                           rate_hz=100.0, seed=seed, mount_offset_deg=(2.0, -2.0, 3.0), rest_s=4.0))
        pairs, missing, extra = match_reps(sim.reps, analyze(sim.imu, "step-down").reps)
        assert not extra and {t.index for t, _ in pairs} >= {0, 2, 4, 6}, seed
        assert [r.side for _, r in pairs] == [side] * len(pairs), seed


@pytest.mark.parametrize("seed", [0, 4])
def test_stoops_to_the_floor_are_no_squats(seed):
    sim = simulate_session(SessionSpec([ExerciseSpec("single-leg-squat", strategy=Scene("bending", duration_s=60.0))],
                                       rate_hz=100.0, seed=seed, rest_s=4.0))
    assert analyze(sim.imu, "single-leg-squat").reps == []


def _lean_set(pitch_deg: float, depth_m: float, hold_s: float) -> Motion:
    """Four forward leans from standing (1.5 s down, hold_s at the bottom, 1.5 s up), each with a
    4 cm weight shift onto the left foot before it; hip centres sinking depth_m. Known signals
    into the detector (no fusion): world acceleration rotated into the pitched pelvis frame."""
    rate = 100.0
    t = np.arange(0.0, 40.0, 1.0 / rate)
    lean, y = np.zeros_like(t), np.zeros_like(t)
    for s in (4.0, 13.0, 22.0, 31.0):
        lean += plateau(t, s, s + 1.5, s + 1.5 + hold_s, s + 3.0 + hold_s)
        y += 0.04 * plateau(t, s - 0.8, s - 0.3, s + 3.3 + hold_s, s + 3.8 + hold_s)
    pitch = pitch_deg * lean
    p = np.radians(pitch)
    # The sensor, 12 cm behind and 8 cm above the hip centres, rises with the pitch.
    z = -depth_m * lean + 0.12 * np.sin(p) + 0.08 * (np.cos(p) - 1.0)
    acc_w = np.column_stack([np.zeros_like(t), np.gradient(np.gradient(y, t), t), np.gradient(np.gradient(z, t), t)]) / 9.80665
    acc = np.column_stack([np.cos(p) * acc_w[:, 0] - np.sin(p) * acc_w[:, 2], acc_w[:, 1],
                           np.sin(p) * acc_w[:, 0] + np.cos(p) * acc_w[:, 2]])
    return Motion(t, rate, np.zeros_like(t), pitch, acc, None, np.zeros(len(t), bool))


def test_a_deep_forward_lean_is_a_squat_only_with_the_hips_going_down():
    # A squat may pitch the pelvis 40 deg (main's 35 deg ceiling dropped it) when the hips sink
    # with it; a bend as far forward with the hips only 6 cm lower (over the 5 cm least descent)
    # is no squat.
    det = DETECTORS["single-leg-squat"]
    assert len(det.detect(_lean_set(40.0, 0.16, 0.2))) == 4
    assert det.detect(_lean_set(40.0, 0.06, 1.0)) == []
