"""Shallow single-leg squats (issue 14): 30-50 deg of knee flexion sinks the hips 3-8 cm, and main's
5 cm least descent missed the shallower ones (physics check, seed 0: 57 of 113 at 30-40 deg). A
descent of 2.5-5 cm counts with the weight shift and a pelvis quiet around the rep
(`shallow_descent.ShallowDescent`); the same pitch bump amid foot contacts (walking, stairs) and a
forward lean about the hips with a weight shift stay out."""

import dataclasses

import numpy as np

from hiplevel.analysis import analyze
from hiplevel.exercises import DETECTORS, Motion
from hiplevel.exercises.shallow_descent import ShallowDescent
from hiplevel.sim import ExerciseSpec, LoweringStrategy, SessionSpec, match_reps, simulate_session
from hiplevel.sim.motion import plateau

RATE_HZ = 100.0
STARTS_S = (4.0, 13.0, 22.0, 31.0)


def _found(depth_m: float, pitch_deg: float, seed: int):
    sim = simulate_session(SessionSpec([ExerciseSpec("single-leg-squat", reps=4, sets=2, weak_side="left", drop_deg=10.0,
                                                     strategy=LoweringStrategy(depth_m=depth_m, pitch_deg=pitch_deg))],
                                       rate_hz=RATE_HZ, seed=seed, mount_offset_deg=(2.0, -2.0, 3.0), rest_s=4.0))
    return len(sim.reps), match_reps(sim.reps, analyze(sim.imu, "single-leg-squat").reps)


def test_shallow_squats_are_found_with_their_side():
    # 4 cm at 10 deg of pitch: a 35 deg squat of a two-segment leg. Main found 14-26 of 72 such
    # reps (4 cm measures 3.1-6 cm: under 5 cm mostly).
    for seed in (41, 42):
        n, (pairs, missing, extra) = _found(0.04, 10.0, seed)
        assert n == 8 and not missing and not extra, seed
        assert [r.side for _, r in pairs] == ["left"] * 4 + ["right"] * 4, seed


def _lowering_set(pitch_deg: float, depth_m: float, steps_g: float = 0.0) -> Motion:
    """Four forward-pitch bumps from standing (1.5 s down, 0.2 s at the bottom, 1.5 s up), each with
    a 4 cm weight shift onto the left foot around it, the hip centres sinking depth_m; steps_g:
    foot contacts (one 0.1 s sine period of this peak, up then down: no net velocity) every 0.55
    s, four before each bump (the last 0.05 s before it) and four after it (the first 0.05 s
    after it): walking up to a bump and on after it. Known signals into the detector (no fusion)."""
    t = np.arange(0.0, 40.0, 1.0 / RATE_HZ)
    lean, y, steps = np.zeros_like(t), np.zeros_like(t), np.zeros_like(t)
    for s in STARTS_S:
        lean += plateau(t, s, s + 1.5, s + 1.7, s + 3.2)
        y += 0.04 * plateau(t, s - 0.8, s - 0.3, s + 3.5, s + 4.0)
        for c in [s - 0.15 - 0.55 * k for k in range(4)] + [s + 3.25 + 0.55 * k for k in range(4)]:
            on = (t >= c) & (t < c + 0.1)
            steps[on] = np.sin(2.0 * np.pi * (t[on] - c) / 0.1)
    pitch = pitch_deg * lean
    p = np.radians(pitch)
    # The sensor, 12 cm behind and 8 cm above the hip centres, rises with the pitch.
    z = -depth_m * lean + 0.12 * np.sin(p) + 0.08 * (np.cos(p) - 1.0)
    acc_w = np.column_stack([np.zeros_like(t), np.gradient(np.gradient(y, t), t), np.gradient(np.gradient(z, t), t)]) / 9.80665
    acc_w[:, 2] += steps_g * steps
    acc = np.column_stack([np.cos(p) * acc_w[:, 0] - np.sin(p) * acc_w[:, 2], acc_w[:, 1],
                           np.sin(p) * acc_w[:, 0] + np.cos(p) * acc_w[:, 2]])
    return Motion(t, RATE_HZ, np.zeros_like(t), pitch, acc, None, np.zeros(len(t), bool))


def test_a_shallow_lowering_counts_only_where_the_pelvis_is_quiet():
    # 4 cm at 10 deg with the weight shift: a squat standing on one leg (main: under 5 cm, none);
    # the same bumps amid foot contacts (0.1 g RMS; hapt-dev walking and stairs jolt the pelvis
    # 0.08-0.3 g RMS around such bumps) are no squats, though every other cue holds.
    det = DETECTORS["single-leg-squat"]
    reps = det.detect(_lowering_set(10.0, 0.04))
    assert len(reps) == 4 and {r.side for r in reps} == {"left"}
    walk = _lowering_set(10.0, 0.04, steps_g=0.35)
    assert det.detect(walk) == []
    assert len(dataclasses.replace(det, shallow=ShallowDescent(max_jolt_g=1.0)).detect(walk)) == 4


def test_a_forward_lean_with_a_weight_shift_is_no_shallow_squat():
    # Leaning 8 deg forward about the hips moves a belt sensor up to ~2 cm down, by where on the
    # belt it sits (hapt-dev standing leans): with the shift and the quiet there, the 2 cm
    # "descent" stays under the 2.5 cm floor (the 0.2 cm/deg rule asks only 1.6 cm), as on main.
    det = DETECTORS["single-leg-squat"]
    assert det.detect(_lowering_set(8.0, 0.02)) == []
    assert len(dataclasses.replace(det, shallow=ShallowDescent(min_descent_cm=1.5)).detect(_lowering_set(8.0, 0.02))) == 4
