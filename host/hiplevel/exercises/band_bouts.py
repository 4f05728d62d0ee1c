"""Which of a band walk's steps count (`band_walk.BandWalkDetector`, its parameters documented
there): a step is taken standing, facing forward and holding the hinge (`standing`), and counts only
in a bout of steps one way at a steady rhythm (`in_bouts`). Each takes the detector (p) for its
parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.base import Motion, RepWindow
from hiplevel.exercises.lateral_steps import steady_runs
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import zero_phase_lowpass

if TYPE_CHECKING:
    from hiplevel.exercises.band_walk import BandWalkDetector

# The band of a gait's accelerations: steps of 0.3-2 s and their harmonics, without the slow drift of
# a tilt error (below) or the jolts of foot contacts (above).
GAIT_BAND_HZ = (0.5, 4.0)
# The share of a band walk's main (lateral) acceleration read out of its plane anyway: the levelling
# errs by a degree or two within fast steps, and the path bends (simulated band walks, 0.6-3.5 s
# steps: least / main axis 0.014-0.10, the larger ones slow steps of little acceleration).
OFF_PLANE_SHARE = 0.03


def standing(p: BandWalkDetector, m: Motion, a: int, b: int, yaw_dps: np.ndarray | None) -> bool:
    """True when the pelvis over samples [a, b] is upright enough for a standing step, faces
    forward (no turn: yaw_dps, the low-passed yaw rate, deg/s) and holds its posture (no sitting
    down, standing up or bending)."""
    pitch = m.pitch_deg[a : b + 1]
    roll = float(median(np.abs(m.roll_deg[a : b + 1])))
    turn = float(np.sqrt(np.mean(yaw_dps[a : b + 1] ** 2))) if yaw_dps is not None else 0.0
    return (float(median(pitch)) >= -p.max_tilt_back_deg and roll <= p.max_roll_deg
            and turn <= p.max_turn_dps and float(np.ptp(pitch)) <= p.max_pitch_change_deg)


def in_bouts(p: BandWalkDetector, reps: list[RepWindow | None], rate_hz: float,
             up: np.ndarray | None = None, yaw_dps: np.ndarray | None = None,
             gait_g: np.ndarray | None = None) -> list[RepWindow]:
    """The steps that belong to a bout: at least min_bout_steps consecutive steps of at least
    min_step_m in one direction, each starting within max_step_gap_s of the previous end, at
    a steady rhythm (`lateral_steps.steady_runs`: also lead to trail within its two-move steps),
    in one posture: a band walk holds its hinge, so a step whose pelvis posture (`posture`; up:
    the pelvis' up-vector (N,3) of the motion, None: no test) lies more than max_pitch_change_deg
    from its bout's first step's is a posture change (sitting down with the feet shuffling: 10-15
    deg a step; a belt-worn sensor turned on the belt shows a seat's backward tilt in its roll,
    hapt-dev) and starts a bout of its own. A bout whose pelvis turns back and forth step after step,
    or surges out of one plane, or both by halves (`walking_gait`; yaw_dps: the low-passed yaw rate (N,), deg/s; gait_g:
    the band-passed acceleration (N,3), g, `gait_band_g`; None: no test) is walking, not a band
    walk: none of its steps count. None in `reps` is a move that is no step (a turn, a
    posture change): it ends a bout."""
    gap = p.max_step_gap_s * rate_hz
    bouts: list[list[RepWindow]] = []
    cos_max = np.cos(np.radians(p.max_pitch_change_deg))
    for r in reps:
        if r is None:
            bouts.append([])
            continue
        if r.metrics["step_m"] < p.min_step_m:
            continue  # sway or a shuffle of the feet, not a step
        b = bouts[-1] if bouts else []
        if (b and b[-1].metrics["direction"] == r.metrics["direction"] and r.start - b[-1].end <= gap
                and (up is None or float(posture(up, b[0]) @ posture(up, r)) >= cos_max)):
            b.append(r)
        else:
            bouts.append([r])
    out: list[RepWindow] = []
    for b in bouts:
        if b and yaw_dps is not None and walking_gait(p, b, yaw_dps, gait_g):
            continue
        keep = steady_runs([0.5 * (r.start + r.end) / rate_hz for r in b], [(r.end - r.start) / rate_hz for r in b],
                           p.min_bout_steps, p.max_cadence_ratio, p.max_duration_ratio,
                           [r.metrics.get("lead_trail_s") for r in b], p.max_lead_trail_ratio)
        out += [r for r, ok in zip(b, keep) if ok]
    return out


def walking_gait(p: BandWalkDetector, bout: list[RepWindow], yaw_dps: np.ndarray,
                 gait_g: np.ndarray | None = None) -> bool:
    """True when the steps of a bout (not empty) move the pelvis as walking does, from two
    independent cues whose shares add up (either alone, strong enough, decides; two middling ones
    do too):

    rotation: the steady part of the yaw rate's spread over the bout's steps (SD over each step of
    yaw_dps, the low-passed yaw rate, deg/s; its median less its median absolute deviation), in
    units of max_rotation_dps. Walking rotates the pelvis toward the swing leg and back within every
    stride, alike from stride to stride (3-8 deg a side, 10-30 deg/s; bench.physics walks: per-step
    spreads within +-8 % of their median); a band walk faces forward, its pelvis wobbling by a
    degree or two now and then, unlike from step to step (hiplevel.sim 0.8 s steps: 6.5-12.9 deg/s
    in one bout; bench.physics band walks 2-9). The spread, not the mean: a slow turn is the turn
    test's, `standing`;
    surge: the bout's acceleration out of its plane (`surge_g`; gait_g: `gait_band_g`, g; None: no
    share), in units of max_off_plane_g."""
    spread = np.array([np.std(yaw_dps[r.start : r.end + 1]) for r in bout])
    mid = float(median(spread))
    share = max(mid - float(median(np.abs(spread - mid))), 0.0) / p.max_rotation_dps
    if gait_g is not None:
        share += surge_g(gait_g[bout[0].start : bout[-1].end + 1]) / p.max_off_plane_g
    return share > 1.0


def gait_band_g(acc_g: np.ndarray, rate_hz: float) -> np.ndarray:
    """The acceleration (acc_g: (N,3), g) in GAIT_BAND_HZ, zero-phase."""
    lo, hi = GAIT_BAND_HZ
    return zero_phase_lowpass(acc_g, hi, rate_hz) - zero_phase_lowpass(acc_g, lo, rate_hz)


def surge_g(acc_g: np.ndarray) -> float:
    """How far an acceleration (acc_g: (N,3), g, band-passed) leaves one plane beyond what a band
    walk's own motion leaves it by, g: its RMS along the direction in which it varies least (the
    smallest principal axis) less OFF_PLANE_SHARE of its RMS along the main one, at least 0. A
    band walk's lateral step and height change span one plane, tilted by the hinge or a belt
    turned on the pelvis (a bob read partly as forward: up to 0.12 g in simulated 0.6 s bobbing
    steps, in plane); walking's forward surge at the step rhythm, its sway at the stride rhythm
    and its bounce, out of phase, span all three directions."""
    if len(acc_g) < 3:
        return 0.0
    least, _, main = np.sqrt(np.maximum(np.linalg.eigvalsh(np.cov(acc_g.T)), 0.0))
    return max(float(least) - OFF_PLANE_SHARE * float(main), 0.0)


def posture(up: np.ndarray, r: RepWindow) -> np.ndarray:
    """The pelvis' posture over a step: its up-vector (up: (N,3), body frame) averaged over the
    step's samples, normalised. The drop swings the roll within a step and back, the same way in
    every step of a bout (simulated band walks across all strategies, hinges and drops up to 16
    deg: each step within a few deg of its bout's first), while a posture change carries it on."""
    mean = up[r.start : max(r.end, r.start + 1)].mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)
