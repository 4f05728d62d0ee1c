"""A band walk's lateral step as a rep (`band_walk.BandWalkDetector`, its parameters documented
there): its two single-support phases with their drops, and its displacements rest to rest
(`step_m`, the lateral distance; `bob_cm`, the pelvis' height change within the step)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.constants import LEFT, RIGHT, other_side
from hiplevel.exercises.band_moves import boundary
from hiplevel.exercises.band_steps import LateralStep
from hiplevel.exercises.base import Hump, PhaseWindow, RepWindow, measure_drop_or_hike, rest_to_rest_path_m

if TYPE_CHECKING:
    from hiplevel.exercises.band_walk import BandWalkDetector


def step_rep(p: BandWalkDetector, step: LateralStep, v: np.ndarray, roll_deg: np.ndarray, up_g: np.ndarray,
             rate_hz: float) -> RepWindow:
    """The rep of one lateral step: lateral velocity v (m/s), the set's roll (deg, relative to its
    neutral: drops are measured on it) and the upward acceleration up_g (g, `band_moves.upward_acc_g`).
    Its side and drop window are the lead swing's; metrics: step_m (m), bob_cm (cm), direction
    (the leading leg) and, for a lead-then-trail step, lead_trail_s (s, lead to trail move)."""
    first, trail, last = step.first, step.trail, step.last
    start, end = step.start, step.end
    lift = int(round(p.lift_lead_s * rate_hz))
    lead = LEFT if first.sign > 0 else RIGHT
    # Lead swing from lift-off to the middle of the step (the end of the lead move, or the
    # peak of a one-move step); trail swing from there to the end of the step. The lead foot
    # leaves the floor just before the lead move, after any counter-shift (that shift is what
    # unloads it): from the counter's onset, with no pause between steps, the window reached back
    # into the previous step's trailing swing and took its drop for this step's (wrong sides).
    mid = boundary(v, first, trail) if trail is not None else first.peak
    phases = []
    lift_off = max(0, first.onset - lift)
    spans = ((other_side(lead), lift_off, max(lift_off + 1, mid)), (lead, mid, max(mid + 1, end)))
    for stance, a, b in spans:
        drop = measure_drop_or_hike(roll_deg, (a, b), other_side(stance), False)
        phases.append(PhaseWindow(a, b, stance, (a, b), drop_deg=drop))
    # Displacements rest to rest, from the halt before the step to the halt after it.
    p0, p1 = _halt_before(v, step.counter or first, lift, step.counter is not None), _halt_after(v, last, lift)
    seg = v[p0 : p1 + 1] - np.linspace(v[p0], v[p1], p1 + 1 - p0)  # at rest at both ends
    step_m = abs(float(np.sum(seg[1:] + seg[:-1]) * 0.5 / rate_hz))
    z = rest_to_rest_path_m(up_g[p0 : p1 + 1], rate_hz)
    z = z - np.linspace(z[0], z[-1], len(z))  # the pelvis is back at its height after a step
    bob_cm = 100.0 * float(np.ptp(z))
    first_phase = phases[0]
    metrics = {"step_m": round(step_m, 3), "bob_cm": round(bob_cm, 1), "direction": lead}
    if trail is not None:  # the step's inner rhythm: lead to trail, peak speed to peak speed
        metrics["lead_trail_s"] = round((trail.peak - first.peak) / rate_hz, 3)
    return RepWindow(start, end, first_phase.stance, first_phase.win, lead, metrics=metrics,
                     phases=tuple(phases))


def _halt_before(v: np.ndarray, edge: Hump, margin: int, counter: bool = False) -> int:
    """The halt before a step whose first move (or counter-shift) is edge: the slowest point the
    way of that move (the lowest of edge.sign * v) from margin samples before its onset to its
    peak. With no pause between steps the onset is the trough shared with the previous step's
    move, and a fixed margin before it lies inside that move, whose speed the straight
    rest-to-rest line then took off this step (20 cm steps of 0.6 s read 0-5 cm). counter: edge is
    a counter-shift, the other way from the previous step's move, which the lowest of edge.sign * v
    reached back into (its peak: 10 cm steps of 0.8 s after 5 cm counter-shifts read 3.6 cm, under
    min_step_m): the halt is then the lowest speed."""
    a = max(0, edge.onset - margin)
    if counter:
        return a + int(np.argmin(np.abs(v[a : edge.peak + 1])))
    return a + int(np.argmin(edge.sign * v[a : edge.peak + 1]))


def _halt_after(v: np.ndarray, edge: Hump, margin: int) -> int:
    """The halt after a step whose last move is edge (`_halt_before`, mirrored)."""
    b = min(len(v) - 1, edge.offset + margin)
    return edge.peak + int(np.argmin(edge.sign * v[edge.peak : b + 1]))
