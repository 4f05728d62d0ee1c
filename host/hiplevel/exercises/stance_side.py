"""Which leg a single-leg hold found from its edges is on (`stance_edges.edge_shifts`): the side cues
of the weight shift into the hold and back out of it, and how far they agree.

Why more than the fitted shift pair: the minimum-jerk pair (`stance_edges.shift_pair`) picks the
side whose pair of shapes explains the most acceleration, and that measure favours short shapes
(a shape of size D and duration tau explains ~D^2 / tau^3). A shift that does not follow the
minimum-jerk profile ends with a sharp deceleration (an even-speed shift stops within 0.2-0.4 s,
a "late" one brakes hard): 0.1-0.2 m/s^2 for a few tenths of a second, toward the standing leg,
which a 0.4-1 s shape of 1-2 cm the *other* way explains better than a 3-5 cm shift in 1.5-2 s
explains the shift (physics check, seed 0: 11 of 11 holds on the wrong leg after the sensor's
roll swing was taken off came from this; hiplevel.sim, 3.5 cm in 1.8 s, the foot leaving as
the shift ends: 5-8 of 24).

The displacement does not care about the profile: from standing still before the shift to the
moment the foot leaves (the pelvis over the stance foot, still again), the sideways acceleration
double-integrated with zero velocity at both ends is the shift itself, whatever its speed curve
(the mean taken off first: a bias or tilt error of a few mg cancels), and so is the shift back
from foot-down to the standing after it (the pelvis is still at neither end exactly: each is the
mean over windows whose far end slides through the first second on one foot). Each is a cue of
its own; the fitted pair is the third.
The side is the one most cues give; the pair is then fitted on that side (if no shift fits there,
that is a cue against it: the first pair is kept), and the share of the three cues that agree with
the side reported is its confidence (scoring flags a hold under `Thresholds.side_min_confidence`
as `side_uncertain`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hiplevel.exercises.base import RepWindow

# A displacement under this is quiet standing's sway (pelvis SD 2-3 mm, Prieto et al. 1996), no
# side: weight shifts are 3-12 cm (issue 14).
SWAY_M = 0.005
# A rise of the free side beyond this through a hold is more likely the other leg's drop (drops on
# one leg reach 5-15 deg) seen from the wrong side than a hike (both generators draw hikes of
# 1.5-5 deg; an assumption, no clinical source): a cue against the side, never for the other one.
HIKE_DOUBT_DEG = 6.0
# The side's confidence with that cue against it (scored `side_uncertain` under 0.9).
HIKE_DOUBT_CONFIDENCE = 0.75
# A rise of the free side beyond this through an edge-path hold is the other leg's drop: the hold is
# moved to that leg (in doubt, HIKE_DOUBT_CONFIDENCE). Why: the displacement cues read a large drop
# starting at foot-off as a shift toward the free side (the roll offset, `lateral_motion.roll_offset_g`,
# follows the drop's roll through the windows' last second; physics seeds 0-3, n 60: 5 of the 9
# wrong legs, true drops of 7.4-9.8 deg read as hikes of 8.3-11.4). Margin: people hike to 4 deg
# (issue 14's range), read as at most 6.5 deg on the physics check's 933 holds on their leg.
HIKE_FLIP_DEG = 8.0


@dataclass(frozen=True)
class SideCues:
    """The side cues of one hold, each +1 (toward +acceleration, the left leg) or -1 (0: none).

    shift_in_m / shift_back_m: the displacements into and out of the hold, m (+ = leftward;
    `sliding_displacement_m`); fitted: the sign of the fitted shift pair's shift in; sway_off: the
    foot-off they were read at is the sway's rise (`single_support.sway_onset`: no jolt, no tip)."""

    shift_in_m: float
    shift_back_m: float
    fitted: int
    sway_off: bool = False

    def votes(self) -> tuple[int, int, int]:
        """Each cue's side: the shift in's, the shift back's (the other way), the fitted pair's; a
        displacement under SWAY_M gives none."""
        return (int(np.sign(self.shift_in_m)) if abs(self.shift_in_m) >= SWAY_M else 0,
                -int(np.sign(self.shift_back_m)) if abs(self.shift_back_m) >= SWAY_M else 0, int(self.fitted))

    @property
    def sign(self) -> int:
        """The side most cues give (+1 left leg, -1 right leg, 0 none): no one cue decides it."""
        return int(np.sign(sum(self.votes())))

    def confidence(self, side: int | None = None) -> float:
        """The share of the three cues that agree with `side` (+1 left leg, -1 right; default `sign`), 0-1."""
        side = self.sign if side is None else side
        return sum(1 for v in self.votes() if v == side) / 3.0 if side else 0.0


def displacement_m(acc_mps2: np.ndarray, a: int, b: int, rate_hz: float) -> float:
    """The sideways displacement over samples [a, b) of acc_mps2 (m/s^2), m, for a pelvis still at
    both ends: the acceleration less its mean, double-integrated (the mean is what leaves the
    velocity non-zero at b: a sensor bias or a tilt error of a few mg)."""
    seg = acc_mps2[max(0, a) : min(len(acc_mps2), b)]
    if len(seg) < 2:
        return 0.0
    v = np.cumsum(seg - np.mean(seg)) / rate_hz
    return float(np.sum(v) / rate_hz)


def sliding_displacements_m(acc_mps2: np.ndarray, a: int, b: int, rate_hz: float, slide: int, step: int) -> np.ndarray:
    """The `displacement_m` of each window [a + n, b + n), n = 0, step, ... up to slide samples
    (negative: the windows slide earlier), m."""
    sign = 1 if slide >= 0 else -1
    return np.array([displacement_m(acc_mps2, a + sign * n, b + sign * n, rate_hz) for n in range(0, abs(slide) + 1, max(1, step))])


def sliding_displacement_m(acc_mps2: np.ndarray, a: int, b: int, rate_hz: float, slide: int, step: int) -> float:
    """The mean of `sliding_displacements_m`, m. The pelvis is quite still at neither end of a shift:
    standing it sways at 0.1-0.8 Hz, on one foot its balance corrections move it at 1-4 cm/s (1-3
    Hz), and the foot's moment is known to half a second; one window's displacement is off by its
    length times the mean of the velocities at its ends, which the windows' far ends, sliding
    through the first second on one foot, average out."""
    return float(np.mean(sliding_displacements_m(acc_mps2, a, b, rate_hz, slide, step)))


def flip_large_hikes(holds: list[RepWindow]) -> list[RepWindow]:
    """holds, each edge-path one (its side from `SideCues`: it carries side_confidence) whose free
    side rose more than HIKE_FLIP_DEG (its drop_deg, deg) moved to the other leg (a new hold): that
    leg's drop is the rise (`base.measure_drop_or_hike` of the other side: its up and down swap),
    its side_confidence HIKE_DOUBT_CONFIDENCE."""
    return [replace(r, side=r.measure_side, measure_side=r.side, drop_deg=-r.drop_deg,
                    metrics={**r.metrics, "side_confidence": HIKE_DOUBT_CONFIDENCE})
            if "side_confidence" in r.metrics and r.drop_deg is not None and r.drop_deg < -HIKE_FLIP_DEG else r
            for r in holds]


def doubt_large_hikes(holds: list[RepWindow]) -> list[RepWindow]:
    """holds, each whose free side rose more than HIKE_DOUBT_DEG (its drop_deg, deg) with its
    side_confidence at most HIKE_DOUBT_CONFIDENCE (in place). The physics check's holds left on
    the wrong leg report hikes of 9-11 deg: the other leg's drop."""
    for r in holds:
        if r.drop_deg is not None and r.drop_deg <= -HIKE_DOUBT_DEG:
            r.metrics["side_confidence"] = min(r.metrics.get("side_confidence", 1.0), HIKE_DOUBT_CONFIDENCE)
    return holds
