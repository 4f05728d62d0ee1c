"""Walking: a contact with no upward peak, inside a straight walk. A soft daily-life heel strike can
land without lifting the pelvis' upward acceleration (mobgap-lowback Test11: 14 of the INDIP's 30
misses), and its two steps read as one long step: one rep for two steps, the stance chain off by a
foot. The lateral sway still swings toward each stance foot in turn, so a long step whose sway
swings both ways holds the missed contact at the crossing (`walking_sway_steps`; docs/analysis.md,
walking round 24)."""

from __future__ import annotations

import numpy as np
import pytest

from hiplevel.analysis import analyze
from hiplevel.exercises.walking_sway_steps import two_way_crossing
from hiplevel.samples import ImuSeries
from hiplevel.sim.matching import match_reps
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec

from analysis_helpers import walking_upward_g

FLAT_S = 0.15  # the upward acceleration is taken off this far either side of the contact (its positive lobe, ~T/4) ...
TAPER_S = 0.15  # ... and tapered off over this much beyond (where it is negative already: no new peak)
LEFT_G = 0.012  # the contact's peak left in the detector's signal, g (the INDIP's misses: none over 0.015)


def _flat_contact(seed: int, which: int):
    """A 16-step straight walk whose contact `which` (counted among its contact-to-contact steps'
    first contacts) lands with no upward peak: the vertical acceleration's positive lobe there is
    held flat, and lowered until the detector's signal peaks at LEFT_G there (its 2 s baseline
    falls with the lobe taken off); the lateral sway and the rotations are left as they are.
    Returns the simulation, the changed IMU and the contact's time, s."""
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=16)], seed=seed))
    steps = [r for r in sim.reps if r.side is not None][1:-1]  # the edge swings off
    at = steps[which].start_s
    t, acc = sim.imu.t_s, sim.imu.acc_g.copy()
    d = np.abs(t - at)
    w = np.where(d <= FLAT_S, 1.0, np.where(d <= FLAT_S + TAPER_S, 0.5 + 0.5 * np.cos(np.pi * (d - FLAT_S) / TAPER_S), 0.0))
    walk = (t > sim.reps[0].start_s) & (t < sim.reps[-1].end_s)
    base = float(np.mean(acc[walk, 2]))
    acc[:, 2] = base + (acc[:, 2] - base) * (1.0 - w)
    imu = lambda g: ImuSeries(t, acc - np.outer(g * w, [0.0, 0.0, 1.0]), sim.imu.gyro_dps, dict(sim.imu.meta))  # noqa: E731
    tt, flat = walking_upward_g(imu(0.0))
    unit = flat - walking_upward_g(imu(0.01))[1]  # the signal is linear in the acceleration taken off
    near = np.abs(tt - at) <= FLAT_S + TAPER_S
    drop = next(g for g in np.arange(0.0, 0.1, 0.001) if np.max(flat[near] - 100 * g * unit[near]) <= LEFT_G)
    return sim, imu(drop), at


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("which", [4, 7])
def test_a_flat_contact_in_a_straight_walk_is_found_from_the_sway(seed, which):
    # Without the rule (main 7aea8f7) the two steps around the flat contact are one rep: a step missed.
    sim, imu, at = _flat_contact(seed, which)
    reps = analyze(imu, "walking").reps
    pairs, missing, extra = match_reps(sim.reps, reps)
    assert (len(missing), len(extra)) == (0, 0)
    assert all(t.side == r.side for t, r in pairs)
    # The flat contact is timed by the sway's crossing: within the bench's tolerance (0.25 s).
    contacts = np.array([r.details["contact_s"] for r in reps if r.details.get("contact_s") is not None])
    assert np.min(np.abs(contacts - at)) < 0.1


def test_two_way_crossing():
    t = np.linspace(0.0, 1.0, 101)
    two = np.sin(2 * np.pi * t)  # one lobe each way, the crossing at 0.5
    assert two_way_crossing(0.1 * two, 0.05) == 51
    # The weaker lobe must reach least_g: a step that pauses sways one way with a small return.
    assert two_way_crossing(0.1 * np.where(two > 0, two, 0.3 * two), 0.05) is None
    # One way only: no crossing in the middle.
    assert two_way_crossing(0.1 * np.sin(np.pi * t), 0.05) is None
    # A crossing near the step's ends is its own contact's, not a missed one.
    assert two_way_crossing(np.where(t < 0.1, -0.1, 0.1), 0.05) is None
