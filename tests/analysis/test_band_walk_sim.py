"""Band walk against the simulator's ground truth: 50/100/200 Hz, normal and weak-left/right,
mount offsets and sensor noise; every lateral step found, none extra, its direction of travel,
both single-support phases (lead swing first) with their stance legs and drops within 1 deg, the
rep's side = its worse phase's stance leg; bobbing and shuffling flags agree with the truth."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.constants import other_side as other
from hiplevel.sim.daily_life import simulate_daily_life
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec

from analysis_helpers import match

CASES = [
    (50, None, (2.0, -3.0, 4.0), 41, {}),
    (100, "right", (-3.0, 2.0, -5.0), 42, {}),
    (200, "left", (1.0, 3.0, 3.0), 43, {"drop_deg": -5.0}),  # hip hike when the left leg stands
    (100, None, (4.0, -2.0, -3.0), 44, {"bobbing": True}),
    (100, None, (-2.0, 1.0, 2.0), 45, {"step_m": 0.12}),  # shuffling
]


@pytest.mark.parametrize("rate,weak,mount,seed,extra", CASES)
def test_every_step_found_side_drop_and_flags(rate, weak, mount, seed, extra):
    kw = {"reps": 6, "drop_deg": 8.0} | extra
    sim = simulate_session(SessionSpec(exercises=[ExerciseSpec("band-walk", weak_side=weak, **kw)],
                                       rate_hz=rate, seed=seed, mount_offset_deg=mount, rest_s=5.0))
    res = analyze(sim.imu, "band-walk")
    pairs, missing, extra_reps = match(sim.reps, res.reps)
    assert not missing and not extra_reps
    assert [r.details["direction"] for _, r in pairs] == [t.direction for t, _ in pairs] == ["left"] * 3 + ["right"] * 3
    for t, r in pairs:
        assert [p.stance for p in r.phases] == [p.stance for p in t.phases] == [other(t.direction), t.direction]
        assert max(abs(p.drop_deg - q.drop_deg) for p, q in zip(r.phases, t.phases)) <= 1.0
        if abs(t.phases[0].drop_deg - t.phases[1].drop_deg) > 2.0:  # a clearly worse phase
            assert r.side == t.side and abs(r.drop_deg - t.drop_deg) <= 1.0
    for flag in ("pelvic_drop", "hip_hike", "bobbing", "shuffling"):
        assert [flag in r.flags for _, r in pairs] == [flag in t.flags for t, _ in pairs], flag
    if "bobbing" in extra or "step_m" in extra:
        assert all(("bobbing" if "bobbing" in extra else "shuffling") in r.flags for r in res.reps)


def test_standing_and_fidgets_are_not_steps():
    # A lone sideways weight shift (the rest fidget) or quiet standing is not a lateral step. (A
    # band walk is a bout of steps one way: three each way here; a single step each way is not a
    # band-walk set, `BandWalkDetector.min_bout_steps`.)
    sim = simulate_session(SessionSpec(exercises=[ExerciseSpec("band-walk", reps=6)], rate_hz=100,
                                       seed=46, rest_s=12.0))
    res = analyze(sim.imu, "band-walk")
    assert all(r.start_s < sim.sets[0].end_s for r in res.reps)
    assert len(res.reps) == 6


def test_no_steps_while_sitting_lying_or_changing_posture():
    # Issue 14: real waist-belt daily life gave ~120 band-walk reps per hour of sitting, standing
    # and lying (hapt-dev). Main found lone "steps" and back-and-forth ones in every posture of the
    # simulated day: integration drift while seated or lying, the sit-down, turning over, getting
    # up. A step is taken standing, in a bout of steps one way.
    found = {}
    for seed in range(6):
        life = simulate_daily_life(seed)
        for r in analyze(life.imu, "band-walk", keep_trace=False).reps:
            scene = [n for n, a, b in life.scenes if a <= 0.5 * (r.start_s + r.end_s) <= b]
            if scene != ["fidget_standing"]:  # standing fidgets: see the module's open note
                found.setdefault(seed, []).append((round(r.start_s, 1), scene))
    assert found == {}
