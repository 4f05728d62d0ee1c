"""Lateral step-down: one rep per lowering of the free foot from the step and back.

side = the stance leg (on the step); drop = peak drop of the lowering (free) side below the set's
standing neutral during the rep. Quality criterion (domain primer, Piva's step-down scale): the
pelvis stays level throughout; any drop of the lowering side means the load is too high.

Reps: lowering the free foot bends the stance hip and knee, so the pelvis pitches forward (6-12 deg)
and sinks (10-14 cm): each rep is one bump of the pelvic pitch, confirmed by the vertical descent
when the 6-axis stream is there. The shared parts (`pitch_bumps`, `stance_sides`, `descent_cm`) also
serve the single-leg squat.

Stance side, from the signal: the pelvis shifts over the stance foot while the other leg is free,
so the lateral moves into and out of the rep point to the stance side
(toward it as the rep starts, away as it ends). A rep whose shift is too small to tell takes the side the whole set points to. A device roll
stream (no accelerometer) falls back on the roll: the free side is the one that is lower on
average during the rep (a hip hike would then be read as the other leg).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from hiplevel.constants import LEFT, RIGHT, Side, other_side
from hiplevel.exercises.base import Motion, RepWindow, cumtrapz0, velocity_mps
from hiplevel.signal.filters import zero_phase_lowpass

# The pelvis' lateral shift is a slow move (~0.2 Hz rep rhythm): keep it, only integration drift goes.
LATERAL_HP_HZ = 0.05
# Documented mount: the sensor sits over the sacrum, about 12 cm behind and 8 cm above the hip-joint
# centres (pelvis frame x forward, z up); used to take the pitch lever out of the vertical descent.
SENSOR_LEVER_ARM_M = (-0.12, 0.0, 0.08)


@dataclass(frozen=True)
class Bump:
    """One pitch bump: onset, peak and offset sample indices, peak pitch above the local base, deg."""

    onset: int
    peak: int
    offset: int
    height_deg: float


def pitch_bumps(pitch_deg: np.ndarray, rate_hz: float, min_deg: float, min_s: float, max_s: float,
                smooth_hz: float = 2.0, edge_frac: float = 0.1) -> list[Bump]:
    """Forward-pitch bumps of at least min_deg (prominence) lasting min_s..max_s between the points
    where the pitch is back within edge_frac of the bump height from its base, in time order."""
    if len(pitch_deg) < 3 * rate_hz:
        return []
    p = zero_phase_lowpass(pitch_deg, smooth_hz, rate_hz)
    peaks, props = sps.find_peaks(p, prominence=min_deg, distance=max(1, int(min_s * rate_hz)))
    out: list[Bump] = []
    for pk, prom in zip(peaks, props["prominences"]):
        level = p[pk] - (1.0 - edge_frac) * prom
        a = pk
        while a > 0 and p[a] > level and p[a - 1] <= p[a] + 1e-9:
            a -= 1
        b = pk
        while b < len(p) - 1 and p[b] > level and p[b + 1] <= p[b] + 1e-9:
            b += 1
        if min_s <= (b - a) / rate_hz <= max_s:
            out.append(Bump(int(a), int(pk), int(b), float(prom)))
    return out


def stance_sides(m: Motion, bumps: list[Bump], min_shift_m: float, shift_window_s: float = 1.6,
                 lead_s: float = 0.4, guard_s: float = 0.2) -> list[Side]:
    """Stance leg of each rep (see module docstring).

    Evidence per rep: the lateral move into the rep (from up to shift_window_s before its onset to
    lead_s after) minus the move out of it (mirrored at its offset), never reaching into the next
    or previous rep (guard_s); moves are integrals of the band-limited lateral velocity, m, so
    integration drift cannot build over a set. + = toward the left."""
    if not bumps:
        return []
    if m.acc_lin_g is None:
        # Roll stream: the free side is lower on average (+ roll = left side higher = right side free).
        return [LEFT if float(np.mean(m.roll_deg[b.onset : b.offset + 1])) > 0 else RIGHT for b in bumps]
    v = velocity_mps(m.acc_lin_g[:, 1], m.rate_hz, hp_hz=LATERAL_HP_HZ)
    x = cumtrapz0(v, 1.0 / m.rate_hz)
    n, r = len(x), m.rate_hz
    ev: list[float] = []
    for k, b in enumerate(bumps):
        lo = bumps[k - 1].offset + int(guard_s * r) if k > 0 else 0
        hi = bumps[k + 1].onset - int(guard_s * r) if k + 1 < len(bumps) else n - 1
        i0, i1 = max(lo, b.onset - int(shift_window_s * r)), min(b.offset, b.onset + int(lead_s * r))
        o0, o1 = max(b.onset, b.offset - int(lead_s * r)), min(hi, b.offset + int(shift_window_s * r))
        ev.append(float((x[i1] - x[i0]) - (x[o1] - x[o0])))
    pooled = float(np.sum(ev))
    return [LEFT if (e if abs(e) >= min_shift_m else pooled) > 0 else RIGHT for e in ev]


def descent_cm(m: Motion, b: Bump) -> float | None:
    """How far the hip centres sank during the rep, cm (vertical acceleration integrated twice over
    the rep, levelled between its ends, the sensor's pitch lever removed); None for a roll stream."""
    if m.acc_lin_g is None:
        return None
    margin = int(0.3 * m.rate_hz)
    a, c = max(0, b.onset - margin), min(len(m.t_s), b.offset + margin + 1)
    if c - a < 10:
        return None
    v = velocity_mps(m.acc_lin_g[a:c, 2], m.rate_hz, hp_hz=0.05)
    z = cumtrapz0(v, 1.0 / m.rate_hz)
    z = z - np.linspace(z[0], z[-1], len(z))
    # A forward pitch p lifts a sensor behind the hips: dz = -lx sin p + lz (cos p - 1).
    p = np.radians(m.pitch_deg[a:c] - m.pitch_deg[a])
    lx, _, lz = SENSOR_LEVER_ARM_M
    z = z - (-lx * np.sin(p) + lz * (np.cos(p) - 1.0))
    return round(100.0 * float(max(0.0, -np.min(z))), 1)


def single_leg_reps(m: Motion, bumps: list[Bump], min_shift_m: float, min_descent_cm: float) -> list[RepWindow]:
    """Rep windows of a single-leg lowering exercise: the drop of the free side over each bump
    whose hips sank at least min_descent_cm, with the peak forward pitch (deg above the standing
    pose) and the descent (cm, 6-axis only) as metrics."""
    depths = [descent_cm(m, b) for b in bumps]
    kept = [(b, d) for b, d in zip(bumps, depths) if d is None or d >= min_descent_cm]
    sides = stance_sides(m, [b for b, _ in kept], min_shift_m)
    reps: list[RepWindow] = []
    for (b, depth), stance in zip(kept, sides):
        metrics: dict = {"pitch_deg": round(float(np.max(m.pitch_deg[b.onset : b.offset + 1])), 1)}
        if depth is not None:
            metrics["depth_cm"] = depth
        reps.append(RepWindow(b.onset, b.offset, stance, (b.onset, b.offset + 1), other_side(stance), metrics=metrics))
    return reps


@dataclass(frozen=True)
class StepDownDetector:
    """Parameters (units in the names).

    min_pitch_deg: least forward-pitch bump of a lowering (the sim and clinic: 6-12 deg; walking's
        pitch wobble is ~3.6 deg peak-to-peak but lasts ~0.25 s, quiet standing sways 0.2 deg SD);
    min_rep_s / max_rep_s: plausible duration of one lowering and return;
    min_descent_cm: least sinking of the hips (a 10-14 cm step lowers them about that much);
    min_shift_m: lateral move that decides a rep's stance side on its own, else the whole set's
        pooled evidence decides; default 1 m = always the set (a step-down set is done on one leg;
        on the simulator, per-rep evidence was right for only 72 of 97 reps, the set for 86)."""

    min_pitch_deg: float = 3.5
    min_rep_s: float = 1.0
    max_rep_s: float = 10.0
    min_descent_cm: float = 3.0
    min_shift_m: float = 1.0  # 1 m: the set decides (see the docstring)

    def detect(self, m: Motion) -> list[RepWindow]:
        """Lowerings of the set."""
        bumps = pitch_bumps(m.pitch_deg, m.rate_hz, self.min_pitch_deg, self.min_rep_s, self.max_rep_s)
        return single_leg_reps(m, bumps, self.min_shift_m, self.min_descent_cm)
