"""One physics case: a seeded set of one exercise, recorded by a drawn belt and chip, with its truth
on the recording's clock. `make_case(exercise, seed, index)` is all a reproduction needs."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from bench.physics import band_walk, clamshell, single_leg_squat, stance, step_down, walking
from bench.physics.imu import SensorSpec, device_time, record
from bench.physics.pose import TrueRep

GENERATORS = {"single-leg-stance": stance.stance_set, "band-walk": band_walk.band_walk_set,
              "walking": walking.walking_set, "step-down": step_down.step_down_set,
              "single-leg-squat": single_leg_squat.squat_set, "clamshell": clamshell.clamshell_set}
# New exercises go at the end: the case seeds hold each exercise's position in this tuple.
EXERCISES = tuple(GENERATORS)


@dataclass
class Case:
    """A recorded set: samples (device clock, g, deg/s), truth (device clock) and the belt drawn."""

    exercise: str
    seed: int
    index: int
    t_s: np.ndarray
    acc_g: np.ndarray
    gyro_dps: np.ndarray
    reps: list[TrueRep]
    sensor: SensorSpec

    def series(self):
        """The samples as the analysis' ImuSeries."""
        from hiplevel.samples import ImuSeries

        return ImuSeries(self.t_s, self.acc_g, self.gyro_dps, meta={})


def make_case(exercise: str, seed: int, index: int, sensor: SensorSpec | None = None, **given) -> Case:
    """Case `index` of `exercise` under base seed `seed` (the set and the belt drawn from
    default_rng([seed, exercise number, index])); sensor / given generator arguments override the draws."""
    rng = np.random.default_rng([seed, EXERCISES.index(exercise), index])
    pose, reps = GENERATORS[exercise](rng, **given)
    drawn = SensorSpec.drawn(rng)
    spec = sensor or drawn
    t, acc, gyr = record(pose, spec, rng)
    reps = [replace(r, start_s=device_time(r.start_s, spec), end_s=device_time(r.end_s, spec),
                    hold_s=None if r.hold_s is None else device_time(r.hold_s, spec)) for r in reps]
    return Case(exercise, seed, index, t, acc, gyr, reps, spec)
