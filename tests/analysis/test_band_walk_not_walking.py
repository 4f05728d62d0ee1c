"""No band-walk steps in walking (issue 14, item 2): walking sways the pelvis over each stance foot
and back, and with forward travel leaking into the lateral velocity (a belt a few degrees off the
direction of travel) and no halt to anchor it, main took each stride for a lateral step the same
way (these walks of 30 steps: 0-14 band-walk steps each, 3-14 in every case). Walking turns the pelvis back and forth
every stride; a band walk faces forward (`band_bouts.walking_gait`)."""

import pytest

from hiplevel.analysis import analyze
from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session


def _band_steps(seed: int, mount_yaw_deg: float = 3.0, **walk) -> int:
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=30, **walk)], seed=seed, rest_s=3.0,
                                       mount_offset_deg=(2.0, -2.0, mount_yaw_deg)))
    assert len(sim.reps) == 30
    return len(analyze(sim.imu, "band-walk").reps)


@pytest.mark.parametrize("cadence_spm", [75.0, 100.0, 125.0])
@pytest.mark.parametrize("sway_m", [0.02, 0.05])
def test_no_band_walk_steps_in_forward_walks(cadence_spm, sway_m):
    # main: 3-14 band-walk steps in each pair
    assert [_band_steps(seed, mount_yaw_deg=yaw, cadence_spm=cadence_spm, lateral_sway_m=sway_m)
            for seed, yaw in ((1, 3.0), (2, -8.0))] == [0, 0]


@pytest.mark.parametrize("cadence_spm", [70.0, 130.0])
def test_no_band_walk_steps_walking_in_place_or_turning(cadence_spm):
    # In place (no forward travel, the whole weight over each foot) and with a U-turn every 8 steps
    # (main: 13 and 4, 8 and 8).
    in_place = dict(turn_on_spot_deg=1e-4, turn_bounce_fraction=0.3, lateral_sway_m=0.08)
    turning = dict(turn_every_steps=8, turn_bounce_fraction=0.3)
    assert [_band_steps(4, cadence_spm=cadence_spm, **w) for w in (in_place, turning)] == [0, 0]


def test_fast_band_steps_whose_pelvis_wobbles_unevenly_still_count():
    # hiplevel.sim turns the pelvis by a draw of N(0, 1.5 deg) within each band-walk step; at 0.8 s
    # steps the return run of this set spreads 6.5-12.9 deg/s a step (median 9.3, over the 9 deg/s
    # rotation share on its own): the median alone took it for walking (4/8 found, bench section 7,
    # step_s 0.8 at case seed 66236). Walking's rotation is alike from stride to stride; the cue
    # counts the bout's steady part (median less median absolute deviation).
    import numpy as np
    from dataclasses import replace

    from hiplevel.sim.strategies import strategy_class

    seed = 66236
    mount = tuple(float(x) for x in np.random.default_rng([seed, 7]).uniform(-3.0, 3.0, 3))
    strategy = replace(strategy_class("band-walk")(), step_s=0.8)
    sim = simulate_session(SessionSpec([ExerciseSpec("band-walk", reps=8, weak_side="left", drop_deg=8.0,
                                                     strategy=strategy)],
                                       rate_hz=100.0, seed=seed, mount_offset_deg=mount, rest_s=4.0))
    found = analyze(sim.imu, "band-walk").reps
    assert len(sim.reps) == 8 and len(found) == 8
