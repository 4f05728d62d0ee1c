"""Where a lowering's weight shifts lie and how far they moved the pelvis: each rep's reach (the
standing around it split at its middles, `reach`), its sliding displacements in and out
(`displacements`), the set breaks between reps (`set_breaks`) and whether a rep lies in a run held
on one leg (`held_on_one_leg`). Shared by the step-down and the single-leg squat (`step_down`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hiplevel.exercises.base import Motion
from hiplevel.exercises.descent import G_MPS2
from hiplevel.exercises.lowering_side import held_in_run, rep_shift_windows_m, rep_shifts_m, run_signs
from hiplevel.exercises.pitch_bumps import Bump
from hiplevel.signal.exact_median import median

# Reps further apart than this many median intervals belong to different sets (the rest between).
SET_GAP_RATIO = 2.0
# The weight shift onto the stance foot comes at most this long before the rep's pitch bump starts
# (a squat: shift 0.3-0.6 s, then the foot lifts for ~0.8 s), the shift back as long after it ends.
SHIFT_REACH_S = 2.0
# ... plus this fraction of the bump's rise (before) or fall (after): the 10 % edge of a slow
# bump comes later after the shift (a squat with a 4.5 s descent: 2.1-2.3 s after it).
SHIFT_REACH_EDGE_FRACTION = 0.3


def reach(bumps: list[Bump], bounds: list[Bump], n: int, rate_hz: float) -> list[tuple[int, int]]:
    """For each rep, the first sample before it and the last after it that its weight shifts can
    lie in: the standing between two lowerings is split at its middle (`_standing_mids`: the moves
    before it return from the previous one, those after it set up the next one) and reaches at most
    SHIFT_REACH_S (the first rep of a live window would otherwise reach back to the filters'
    start-up), plus SHIFT_REACH_EDGE_FRACTION of the bump's rise or fall (a slow bump's edges, a
    tenth of its height, lie further inside the rep)."""
    most = int(SHIFT_REACH_S * rate_hz)
    out = []
    for b, (lo, hi) in zip(bumps, _standing_mids(bumps, bounds, n)):
        r_in, r_out = (most + int(SHIFT_REACH_EDGE_FRACTION * k) for k in (b.peak - b.onset, b.offset - b.peak))
        out.append((max(lo, b.onset - r_in), min(hi, b.offset + r_out)))
    return out


def _standing_mids(bumps: list[Bump], bounds: list[Bump], n: int) -> list[tuple[int, int]]:
    """For each rep, the middle of the standing before it and after it (sample indices; 0 and n at
    the ends): the standing between it and the nearest lowering of `bounds` on either side. Every
    lowering from and back to standing splits, not only the kept reps: one left out (the pelvis
    tilted past STANDING_TILT_DEG around it, too little descent) still made its own weight shift
    and its return, and a rep between two such lowerings took their return and shift for a pair of
    its own, the other side's (issue 14: stairs in hapt-dev e06; the simulator's `wobble_deg`)."""
    out = []
    for b in bumps:
        before = [o.offset for o in bounds if o.peak < b.peak]
        after = [o.onset for o in bounds if o.peak > b.peak]
        out.append(((max(before) + b.onset) // 2 if before else 0, (b.offset + min(after)) // 2 if after else n))
    return out


class Displacements(NamedTuple):
    """Each rep's standing-to-standing span (start of the standing before it, its onset, its offset,
    end of the standing after it; samples), its sliding displacement windows and its displacements
    in and out (m, + = left; `lowering_side.rep_shift_windows_m`, `rep_shifts_m`), rep by rep."""

    spans: list[tuple[int, int, int, int]]
    windows: list[tuple[np.ndarray, np.ndarray]]
    shifts: list[tuple[float, float]]

    def of(self, reps: list[int]) -> Displacements:
        """Those of the reps at these indices, in that order."""
        return Displacements(*([part[i] for i in reps] for part in self))


def displacements(m: Motion, bumps: list[Bump], lateral_g: np.ndarray, bounds: list[Bump]) -> Displacements:
    """The `Displacements` of the lowerings `bumps` in the sideways acceleration lateral_g, g, each
    rep's reach split by every lowering of `bounds` (`reach`: a rep's own, whatever other reps are
    kept, so that the candidates' serve the kept reps)."""
    acc = lateral_g * G_MPS2
    spans = [(lo, b.onset, b.offset, hi) for b, (lo, hi) in zip(bumps, reach(bumps, bounds, len(acc), m.rate_hz))]
    windows = rep_shift_windows_m(acc, spans, m.rate_hz)
    return Displacements(spans, windows, rep_shifts_m(windows))


def set_breaks(bumps: list[Bump]) -> np.ndarray:
    """Whether a set starts at each of the lowerings `bumps` (non-empty), (k,) bool. A stream may
    hold several sets (one per leg): reps more than SET_GAP_RATIO median intervals apart start a new
    one (a rest: the leg may change there, `lowering_side.set_sides`; it may change without one too,
    at a lower prior: the touch protocol's rest is often no longer)."""
    gaps = np.diff(np.array([b.peak for b in bumps], float))
    return np.concatenate([[True], gaps > SET_GAP_RATIO * median(gaps)]) if len(gaps) else np.array([True])


def held_on_one_leg(bumps: list[Bump], moved: Displacements | None) -> tuple[list[bool], list[float]]:
    """Whether each lowering lies on one leg held since an earlier one (`lowering_side.held_in_run`
    over these bumps and their `displacements`, moved: a run with the shift onto a foot before its
    first lowering, the shift back after its last, none of `lowering_side.RUN_SPLIT_M` between them,
    and this one not its first): the weight shift of a set done with the free foot up between reps
    (the test's protocol), read at the run's ends, not around the rep; with each lowering's run
    displacement share it rests on (`lowering_side.run_signs`: + left, - right, 0 unclear), which
    the hike's side reads too (`shallow_descent.hike_sides`). All False and 0 for a roll stream
    (moved None) or no bumps."""
    if not bumps or moved is None:
        return [False] * len(bumps), [0.0] * len(bumps)
    flags = set_breaks(bumps).tolist()
    runs = run_signs(moved.shifts, flags)
    return held_in_run(moved.shifts, flags, runs), runs
