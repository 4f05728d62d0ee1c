"""Fast band-walk steps leave the fusion's level tilted (issue 14 item 3: "one rep per lateral step
whatever the profile"). Steps of 0.6-1.2 s and 30 cm accelerate the pelvis by 0.5-1 g; each leaves a
tilt error of its own, and the pauses between them read 8-30 mg of lateral acceleration, past
`calm_mask`'s level. No pause held a quiet sample, the velocity drifted the way of travel in them
as fast as the next step's counter-shift, the halt between two moves went on the counter-shift, and
a run of counter-shift steps read as lead-then-trail steps. The level of a fast set is judged
against the acceleration's running median (`band_drift.tilt_offset_g`)."""

import numpy as np
import pytest

from hiplevel.exercises import band_drift, band_moves
from hiplevel.sim import BandStepStrategy

from analysis_helpers import every_band_step_right

RATE_HZ = 100.0
STANDARD_GRAVITY_MS2 = 9.80665


def test_the_tilt_offset_is_the_level_of_the_pauses():
    # 0.9 s moves of 30 cm with 0.5 s pauses; after each move the level is off by another 8-30 mg.
    t = np.arange(0.0, 30.0, 1.0 / RATE_HZ)
    acc = np.zeros_like(t)
    offsets = [-0.008, -0.015, -0.023, -0.030, -0.025, -0.020, -0.012, -0.018]
    pauses = []
    for k, off in enumerate(offsets):
        t0 = 2.0 + 1.4 * k
        u = np.clip((t - t0) / 0.9, 0.0, 1.0)
        inside = (t > t0) & (t < t0 + 0.9)
        acc += np.where(inside, 0.3 / 0.81 * (60 * u - 180 * u**2 + 120 * u**3) / STANDARD_GRAVITY_MS2, 0.0)
        acc += np.where(t >= t0 + 0.9, off - (offsets[k - 1] if k else 0.0), 0.0)
        pauses.append((t0 + 0.95, t0 + 1.35))
    est = band_drift.tilt_offset_g(acc, RATE_HZ, band_moves.ACC_LOWPASS_HZ)
    for (a, b), off in zip(pauses[1:-1], offsets[1:-1]):
        sel = (t >= a) & (t <= b)
        assert np.max(np.abs(est[sel] - acc[sel])) < 0.006  # within half the calm level


@pytest.mark.parametrize("seed", [3, 6, 8])
def test_fast_counter_shift_steps_whose_pauses_read_a_tilt(seed):
    """0.9 s steps of 30 cm after a 2 cm counter-shift, standing 0.5 s between them, the pelvis
    wobbling in the hinge: main (c7f0724) found 13-14 of 20 (the return run's steps on the wrong
    side or missed)."""
    strategy = BandStepStrategy(profile="counter-shift", step_s=0.9, pause_s=0.5, counter_m=0.02,
                                hinge_wobble_deg=1.5)
    every_band_step_right(strategy, seed, 0.3)
