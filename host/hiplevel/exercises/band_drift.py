"""What a band walk's fast moves leave in the integrated lateral velocity and acceleration
(`band_moves`, which uses both): a settling hump after each move (`without_settling`) and a level
tilted by another error after each move (`tilt_offset_g`)."""

from __future__ import annotations

import numpy as np

from hiplevel.exercises.base import Hump
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import moving_median, zero_phase_lowpass

# A move's settling (`without_settling`): a hump the other way starting within this long (s) of
# the move's end...
SETTLE_GAP_S = 0.1
# ...at most this fraction of the move's peak speed...
SETTLE_SPEED_RATIO = 0.3
# ...and peaking within this share of its span (onset to offset).
SETTLE_PEAK_SHARE = 0.35


def without_settling(humps: list[Hump], v: np.ndarray, rate_hz: float) -> list[Hump]:
    """The humps of velocity v (m/s) less each move's settling: a hump the other way than the move before it, starting
    at most SETTLE_GAP_S after that move ends, at most SETTLE_SPEED_RATIO of its peak speed, and
    peaking within the first SETTLE_PEAK_SHARE of its own span (a jump, then a slow decay).

    Within a fast move (0.4-0.9 s, peaks of 0.7-1.4 m/s) the integral picks up an error of about
    0.1 m/s that stays after the move; held at zero at the next standstill, 0.4-0.8 s later, the
    straight-line drift correction leaves it as a hump the other way, at its highest right where
    the move ends, falling to zero at the standstill (the simulator's and the physics check's
    0.7-0.9 s counter-shift steps with 0.5-0.8 s pauses: 1.5-3.4 cm, peaking at 0.11-0.21 of its
    span, at most 0.15 of the move's speed). Taken for a move, it parted the steps of a run (each
    became a lone move) or took the next step's counter-shift's place. A leg move, a
    counter-shift included, is a minimum-jerk hump peaking near its middle (counter-shifts: 0.54-0.62
    of their span, flank to flank), whatever its speed."""
    out: list[Hump] = []
    gap = SETTLE_GAP_S * rate_hz
    settling: Hump | None = None
    for h in humps:
        a = out[-1] if out else None
        if (a is not None and a.sign != h.sign and h.onset - a.offset <= gap
                and h.height <= SETTLE_SPEED_RATIO * a.height
                and h.peak - h.onset <= SETTLE_PEAK_SHARE * (h.offset - h.onset)):
            settling = h
            continue
        if settling is not None and h.sign == settling.sign and h.onset < settling.peak < h.peak:
            # A move the same way right after it (the counter-shift) had its flank walk back
            # over the settling: it starts at the trough between them.
            onset = settling.peak + int(np.argmin(h.sign * v[settling.peak : h.peak + 1]))
            h = Hump(h.sign, h.peak, h.height, onset, h.offset)
        settling = None
        out.append(h)
    return out


# The tilt error's share of the lateral acceleration is its running median over this long (s): a
# fast set's moves (typical <= 1.25 s) accelerate and brake within it alike, its pauses hold the offset.
TILT_OFFSET_WINDOW_S = 2.0
# ...computed at this rate (Hz; the offset changes from one pause to the next, over a second or more).
TILT_OFFSET_RATE_HZ = 10.0


def tilt_offset_g(acc_g: np.ndarray, rate_hz: float, lowpass_hz: float) -> np.ndarray:
    """The slow offset (N,), g, of a lateral acceleration acc_g (g) sampled at rate_hz: its running
    median over TILT_OFFSET_WINDOW_S (on the signal low-passed at lowpass_hz, taken at
    TILT_OFFSET_RATE_HZ and interpolated back).

    Fast moves (0.6-1.2 s steps of 30 cm: 0.5-1 g) tilt the fusion's level by 0.5-1.7 deg, a
    different error after each move: the pauses of a run of fast steps read 8-30 mg of lateral
    acceleration (hiplevel.sim 0.9 s counter-shift steps, 0.5 s pauses, the pelvis wobbling in the
    hinge), past `calm_mask`'s 12 mg level; no pause held a quiet sample, and the velocity drifted
    the way of travel by up to 0.1 m/s in them, the speed of the next step's counter-shift. The
    halt between two moves was then put on the counter-shift, which vanished, and a run of
    one-move steps read as lead-then-trail steps (the wrong side). Against the median only as well
    as against zero (`band_moves.lateral_velocity_mps`): at a turnaround the last move's braking and the first
    move back's start push the same way, and the median of a short stand there is off."""
    a = zero_phase_lowpass(acc_g, lowpass_hz, rate_hz) if len(acc_g) > 15 else np.asarray(acc_g, float)
    step = max(1, int(round(rate_hz / TILT_OFFSET_RATE_HZ)))
    coarse = a[::step]
    if len(coarse) < 3:
        return np.full(len(a), float(median(a)) if len(a) else 0.0)
    size = max(1, int(round(TILT_OFFSET_WINDOW_S * rate_hz / step))) | 1
    med = moving_median(coarse, size)
    return np.interp(np.arange(len(a)), np.arange(0, len(a), step)[: len(med)], med)
