"""The lateral pelvis moves of a band walk (`band_walk.BandWalkDetector`, its parameters documented
there): the lateral velocity held at zero when the pelvis is still and at the halts between moves
(`lateral_velocity_mps`), its humps less the velocity settling between moves (`find_moves`), and the
measures of a move: its size, where it ends and the next begins, the gap between two; and the
pelvis' upward acceleration (`upward_acc_g`). Each rule takes the detector (p) for its parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.base import Hump, Motion, calm_mask, find_humps, limit_drift, zero_velocity_mps
from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.fusion import FusionSettings
from hiplevel.signal.rest_masks import rest_mask

if TYPE_CHECKING:
    from hiplevel.exercises.band_walk import BandWalkDetector

# Lateral and vertical pelvis movement of a band walk sits below ~3 Hz (steps take 0.8-2.5 s).
ACC_LOWPASS_HZ = 4.0
# The belt sensor over the sacrum sits about this far above the hip joint centres (the pelvis' roll
# pivot), so a pelvic drop swings it sideways: 8 deg of drop moves it ~1 cm, a third of a shuffle's
# trailing move. Removed from the lateral velocity.
SENSOR_ABOVE_HIP_M = 0.08
# ...and this far behind them: turning the pelvis (yaw) swings it sideways (a 25 deg turn, 5 cm).
SENSOR_BEHIND_HIP_M = 0.12


def lateral_velocity_mps(p: BandWalkDetector, m: Motion) -> np.ndarray:
    """Lateral pelvis velocity, m/s (+ = leftward), zero when still and between leg moves.

    First pass: zero where the pelvis is calm (`calm_mask`: still, and no acceleration beyond
    standing sway; the middle of a slow step looks still to the rest test). The integral still
    drifts by a few cm/s over a run of steps (0.2 deg of tilt error is 0.03 m/s^2), enough to
    fake a small move back between two moves or to hide a shuffle's trailing move. The pelvis
    halts between leg moves and turns between moves either way, so the second pass also holds
    the velocity at zero at the slowest point between consecutive moves. Long stretches without
    an anchor (standing that sways too much for the rest test) are high-passed (`limit_drift`)."""
    acc_y, rate = m.acc_lin_g[:, 1], m.rate_hz
    # Roll swings the sensor by -h sin(roll) sideways (+ roll = left side up = sensor to the right).
    swing = SENSOR_ABOVE_HIP_M * np.gradient(np.sin(np.radians(m.roll_deg))) * rate
    if m.gyro_dps is not None:  # turning swings the sensor, behind the hips, sideways
        swing = swing + SENSOR_BEHIND_HIP_M * np.radians(m.gyro_dps[:, 2])
    # The swing is taken off a velocity integrated from acceleration low-passed at ACC_LOWPASS_HZ:
    # unfiltered, a fast drop (8 deg in 0.1 s) left a +-0.1 m/s wiggle that split a trailing move.
    swing = zero_phase_lowpass(swing, ACC_LOWPASS_HZ, rate)
    quiet = calm_mask(acc_y, unturning(m), rate)
    v = zero_velocity_mps(acc_y, quiet, rate, ACC_LOWPASS_HZ, swing)
    anchors = quiet
    for _ in range(p.anchor_passes):
        anchors = quiet.copy()
        humps = find_moves(p, v, rate)
        for a, b in zip(humps[:-1], humps[1:]):
            if edge_gap(a, b) <= 2.0 * p.max_pause_s * rate:
                # The slowest point between them: the halt between two moves one way (not the
                # lowest signed velocity: a counter-shift in between moves the other way), the
                # turn between moves either way.
                anchors[a.peak + int(np.argmin(np.abs(v[a.peak : b.peak + 1])))] = True
        v = zero_velocity_mps(acc_y, anchors, rate, ACC_LOWPASS_HZ, swing)
    return limit_drift(v, anchors, rate)


def unturning(m: Motion) -> np.ndarray:
    """Samples (N,) bool where the pelvis may stand on its path: the fusion's rest (m.still), or
    the same test (`rest_masks.rest_mask`) with the pelvis' roll rate (deg/s, from the fused roll)
    in place of the whole gyro. In the hip hinge the pelvis wobbles in pitch and yaw while the feet
    stand: the physics check's hinge (pitch 0.7 / yaw 1.5 deg SD) turns it at 2-10 deg/s, past the
    rest test's 1.5 deg/s at every pause and at the turnaround, so the lateral velocity lost its
    zero for whole runs of steps and drifted by 0.1-0.2 m/s (issue 14). Pitch and yaw about the vertical leave the roll
    (the obliquity) where it is; a step's single support drops the pelvis, rolling it."""
    if m.gyro_dps is None or m.acc_lin_g is None:
        return m.still
    roll_rate = np.gradient(m.roll_deg) * m.rate_hz
    return m.still | rest_mask(m.acc_lin_g + m.up, roll_rate, m.rate_hz, FusionSettings())


def find_moves(p: BandWalkDetector, v: np.ndarray, rate_hz: float) -> list[Hump]:
    """Lateral moves of velocity v (m/s): its humps of at least min_speed_mps in time order, the
    velocity-settling dips removed (`without_dips`), each ending where the next begins and lasting
    at most max_move_s."""
    humps = without_dips(p, find_humps(v, rate_hz, p.min_speed_mps, p.min_gap_s, rise_frac=p.flank_rise), v, rate_hz)
    # Each move ends where the next begins: at the velocity trough between their peaks (the
    # pelvis halts between leg moves); a drifting baseline must not stretch a flank, so cap it.
    half = int(0.5 * p.max_move_s * rate_hz)
    out: list[Hump] = []
    for k, h in enumerate(humps):
        lo, hi = max(h.onset, h.peak - half), min(h.offset, h.peak + half)
        if k > 0:
            lo = max(lo, boundary(v, humps[k - 1], h))
        if k + 1 < len(humps):
            hi = min(hi, boundary(v, h, humps[k + 1]))
        out.append(Hump(h.sign, h.peak, h.height, lo, hi))
    return out


def without_dips(p: BandWalkDetector, humps: list[Hump], v: np.ndarray, rate_hz: float) -> list[Hump]:
    """The humps of velocity v (m/s) less each dip: a hump the other way than all its neighbours
    within max_pause_s (end to start), under dip_ratio of the fastest of them (peak speed), slower
    than each of them and, between two, shorter than each (`_as_large_as_a_neighbour`), is the
    velocity settling between moves (integration drift), not a move back. One at a time, until
    none is left."""
    humps = list(humps)
    gap = p.max_pause_s * rate_hz
    changed = True
    while changed:
        changed = False
        for k, h in enumerate(humps):
            near = [humps[j] for j in (k - 1, k + 1) if 0 <= j < len(humps) and edge_gap(humps[j], h) <= gap]
            if (near and all(n.sign != h.sign for n in near)
                    and h.height < p.dip_ratio * max(n.height for n in near)
                    and not _as_large_as_a_neighbour(h, near, v, rate_hz)):
                del humps[k]
                changed = True
                break
    return humps


def _as_large_as_a_neighbour(h: Hump, near: list[Hump], v: np.ndarray, rate_hz: float) -> bool:
    """True when hump h is as fast as one of the moves beside it, or, between two, travels as far
    as one of them: a move itself, not the velocity settling between them. Stepping aside (lead,
    then trail) and straight back again and again: the step back comes between a slow trailing
    move and the next step's brisk lead, under dip_ratio of that lead, and travels the whole
    step (lead + trail), farther than the trail. Settling between two moves is slower than both
    (simulated band walks: at most 0.85 of the slower; steps back 1.55) and travels less than
    both (at most 0.83 of the shorter; steps back 1.4-2.1). Beside one move (a run's end), only
    the speed: the slow drift of settling into or out of the hinge integrates to as much as the
    move."""
    if h.height >= min(n.height for n in near):
        return True
    return len(near) == 2 and size_m(h, v, rate_hz) >= min(size_m(n, v, rate_hz) for n in near)


def edge_gap(a: Hump, b: Hump) -> int:
    """Samples between the end of one move and the start of the other (either order)."""
    first, second = (a, b) if a.peak <= b.peak else (b, a)
    return max(0, second.onset - first.offset)


def size_m(h: Hump, v: np.ndarray, rate_hz: float) -> float:
    """Lateral distance of one move, m (velocity v in m/s integrated over the hump)."""
    return float(abs(np.sum(v[h.onset : h.offset + 1])) / rate_hz)


def boundary(v: np.ndarray, a: Hump, b: Hump) -> int:
    """Index where move a ends and move b begins: the lowest speed between their peaks (the
    trough for two moves one way, the zero crossing for a change of direction)."""
    seg = v[a.peak : b.peak + 1]
    return a.peak + int(np.argmin(a.sign * seg if a.sign == b.sign else np.abs(seg)))


def upward_acc_g(m: Motion, lowpass_hz: float) -> np.ndarray:
    """Linear acceleration of the pelvis along the world vertical, g (N,), low-passed at lowpass_hz
    (zero phase): the hinge tilts the body z axis, so the levelled-frame acceleration is projected
    on the up-vector."""
    acc = zero_phase_lowpass(m.acc_lin_g, lowpass_hz, m.rate_hz)
    return np.sum(acc * m.up, axis=1)
