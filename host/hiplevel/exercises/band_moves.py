"""The lateral pelvis moves of a band walk (`band_walk.BandWalkDetector`, its parameters documented
there): the lateral velocity held at zero when the pelvis is still and at the halts between moves
(`lateral_velocity_mps`), its humps less the velocity settling between moves (`find_moves`), and the
measures of a move: its size, where it ends and the next begins, the gap between two; and the
pelvis' upward acceleration (`upward_acc_g`). Each rule takes the detector (p) for its parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from hiplevel.exercises.band_crests import hidden_trail_halts
from hiplevel.exercises.band_drift import tilt_offset_g, without_settling
from hiplevel.exercises.base import Hump, Motion, calm_mask, find_humps, integrated_mps, limit_drift, zero_velocity_mps
from hiplevel.exercises.lateral_motion import swing_mps
from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.exact_median import median
from hiplevel.signal.fusion import FusionSettings
from hiplevel.signal.rest_masks import rest_mask

if TYPE_CHECKING:
    from hiplevel.exercises.band_walk import BandWalkDetector

# Moves the anchors of a lateral velocity (m/s): (p, v, a call that makes v band-limited at
# HALT_LOWPASS_HZ, anchors, rate_hz) -> anchors.
Reanchor = Callable[["BandWalkDetector", np.ndarray, Callable[[], np.ndarray], np.ndarray, float], np.ndarray]

# Lateral and vertical pelvis movement of a band walk sits below ~3 Hz (steps take 0.8-2.5 s).
ACC_LOWPASS_HZ = 4.0
# `calm_mask`'s window (s) with the fusion's rest window (`rest_window_s` scales both alike).
CALM_WINDOW_S = 0.3


def lateral_velocity_mps(p: BandWalkDetector, m: Motion, reanchor: Reanchor | None = None) -> np.ndarray:
    """Lateral pelvis velocity, m/s (+ = leftward), zero when still and between leg moves.

    First pass: zero where the pelvis is calm (`calm_mask`: still, and no acceleration beyond
    standing sway; the middle of a slow step looks still to the rest test), the rest test judged
    over a window of the set's pace (`rest_window_s`). The integral still
    drifts by a few cm/s over a run of steps (0.2 deg of tilt error is 0.03 m/s^2), enough to
    fake a small move back between two moves or to hide a shuffle's trailing move. The pelvis
    halts between leg moves and turns between moves either way, so the second pass also holds
    the velocity at zero at the slowest point between consecutive moves (`halt`). Where the drift
    reads against the way at the halts of a run, they are first found one after another
    (`swept_halts`). Long stretches without an anchor (standing that sways too much for the rest
    test) are high-passed (`limit_drift`). reanchor (`Reanchor`), if given, may move
    the anchors last (`band_alternation.alternating_anchors`), and the velocity is integrated again."""
    acc_y, rate = m.acc_lin_g[:, 1], m.rate_hz
    # The swing is taken off a velocity integrated from acceleration low-passed at ACC_LOWPASS_HZ:
    # unfiltered, a fast drop (8 deg in 0.1 s) left a +-0.1 m/s wiggle that split a trailing move.
    swing = zero_phase_lowpass(swing_mps(m), ACC_LOWPASS_HZ, rate)
    quiet = calm_mask(acc_y, unturning(m), rate)
    v = zero_velocity_mps(acc_y, quiet, rate, ACC_LOWPASS_HZ, swing)
    window = rest_window_s(p, v, rate)
    if window < FusionSettings().rest_window_s:  # fast steps: look for the standstills again
        # The acceleration's calm is judged over the same share of calm_mask's own window.
        # Its level judged as is or against the tilt error fast moves leave (`band_drift.tilt_offset_g`).
        rest, calm_s = unturning(m, window), CALM_WINDOW_S * window / FusionSettings().rest_window_s
        offset = tilt_offset_g(acc_y, rate, ACC_LOWPASS_HZ)
        quiet = calm_mask(acc_y, rest, rate, calm_s) | calm_mask(acc_y - offset, rest, rate, calm_s)
        v = zero_velocity_mps(acc_y, quiet, rate, ACC_LOWPASS_HZ, swing)
    halts = swept_halts(p, v, quiet, rate)
    if (halts != quiet).any():  # the velocity only changes where a swept halt holds it
        v = zero_velocity_mps(acc_y, halts, rate, ACC_LOWPASS_HZ, swing)
    anchors = halts
    for _ in range(p.anchor_passes):
        anchors = halts.copy()
        humps = find_moves(p, v, rate)
        for a, b in zip(humps[:-1], humps[1:]):
            # A quiet sample or a swept halt between them already holds the velocity there (a
            # zero crossing next to it would hold a drift hump up as a move the other way).
            if edge_gap(a, b) <= 2.0 * p.max_pause_s * rate and not halts[a.peak : b.peak + 1].any():
                anchors[halt(v, a, b, rate)] = True
        for a, b, crest_halts in drifting_leads(p, humps, v, quiet, rate):  # whatever halts they held
            anchors[a.peak : b.peak + 1] = False
            anchors[crest_halts] = True
        v = zero_velocity_mps(acc_y, anchors, rate, ACC_LOWPASS_HZ, swing)
    if reanchor is not None:
        raw = integrated_mps(acc_y, rate, ACC_LOWPASS_HZ, swing)  # v before it was held anywhere

        @cache
        def fast() -> np.ndarray:  # the same band-limited at HALT_LOWPASS_HZ: made when a run asks
            return integrated_mps(acc_y, rate, HALT_LOWPASS_HZ, zero_phase_lowpass(swing_mps(m), HALT_LOWPASS_HZ, rate))

        held = reanchor(p, v, lambda: fast() - (raw - v), anchors, rate)
        if (held != anchors).any():
            # Held at zero where anchors holds too; where only held does (a halt between moves
            # either way), at the value there of the velocity band-limited at HALT_LOWPASS_HZ.
            level = np.where(held & ~anchors, fast(), raw)
            idx = np.flatnonzero(held)
            v, anchors = raw - np.interp(np.arange(len(raw)), idx, level[idx]), held
    return limit_drift(v, anchors, rate)


# A halt between moves either way is read on the velocity band-limited at this (Hz): at 4 Hz a
# fast counter-shift (5 cm in 0.2 s) reaches 0.1 s back into the halt before it, and the halt
# took its speed.
HALT_LOWPASS_HZ = 12.0


def swept_halts(p: BandWalkDetector, v: np.ndarray, quiet: np.ndarray, rate_hz: float) -> np.ndarray:
    """quiet (N,) bool plus the halts between moves found one after another (`_sweep`) both ways
    in time. A run of steps with no pause holds no quiet sample for 10-25 s, and the fusion's tilt
    error wanders (2-5 mg back and forth on the physics check's slow lead-then-trail steps): drawn
    straight between the quiet samples at its ends, the drift left 0.05-0.15 m/s against the way
    mid-run, as fast as a trailing move, so the halts were lost among drift humps. From one halt
    to the next it drifts by 0.01-0.04 m/s. A sweep trusts its last halt: one put on a move's
    flank would carry its error on (0.25-0.35 m/s at every halt of a run on the physics check,
    each halt on a move's peak). A halt is kept where the sweep the other way found the same one
    (within HALT_AGREE_S) or none within max_move_s (each sweep stops at moves either way and goes
    on from the next quiet sample); where they differ, neither is kept. A chain of halts from one
    quiet sample on is kept when v, held at zero on the quiet samples only, reads against the way
    at them (HALT_DRIFT_MPS, median: then the lowest speed between two moves is on a flank) and
    the other sweep contradicts few of them (HALT_CONFLICT_SHARE)."""
    anchors = quiet.copy()
    n = len(v)
    fw = _sweep(p, v, quiet, rate_hz)
    # Time reversed, the velocity of the same path is -v(-t): moves keep their order of signs.
    bw = [[(n - 1 - k, -way) for k, way in chain[::-1]] for chain in _sweep(p, -v[::-1], quiet[::-1], rate_hz)[::-1]]
    forward = np.array([k for chain in fw for k, _ in chain], int)
    backward = np.sort(np.array([k for chain in bw for k, _ in chain], int))
    near_n, same_n = p.max_move_s * rate_hz, HALT_AGREE_S * rate_hz
    for chains, other in ((fw, backward), (bw, forward)):
        for chain in chains:
            kept = [k for k, _ in chain if _agrees(k, other, near_n, same_n)]
            # Where v keeps to the way at the halts, the anchors between moves
            # (`lateral_velocity_mps`) find them without the sweep; a chain the other sweep
            # contradicts at many halts went astray.
            if (float(median([way * v[k] for k, way in chain])) < -HALT_DRIFT_MPS
                    and len(chain) - len(kept) <= HALT_CONFLICT_SHARE * len(chain)):
                anchors[kept] = True
    return anchors


def _agrees(k: int, other: np.ndarray, near_n: float, same_n: float) -> bool:
    """True when the nearest of the sorted indices `other` to k is within same_n samples of it or
    farther than near_n."""
    if not len(other):
        return True
    j = int(np.searchsorted(other, k))
    d = min(abs(int(other[i]) - k) for i in (j - 1, j) if 0 <= i < len(other))
    return d <= same_n or d > near_n


def _sweep(p: BandWalkDetector, v: np.ndarray, quiet: np.ndarray, rate_hz: float) -> list[list[tuple[int, int]]]:
    """The halts between moves found one after another from the start: from the last halt or
    quiet sample on, the velocity v (m/s, held at zero on the quiet samples) less its value there
    shows the next two moves, and the halt between them (`halt`) is the next when they go the same
    way. Chains of (index, way of the moves: +1 or -1), each from a quiet sample on."""
    out: list[list[tuple[int, int]]] = [[]]
    n = len(v)
    span = int(2.0 * (p.max_move_s + p.max_pause_s) * rate_hz)
    gap = 2.0 * p.max_pause_s * rate_hz
    still = np.flatnonzero(quiet)
    k0 = int(still[0]) if len(still) else 0
    while k0 < n - 2:
        hi = min(n, k0 + span)
        local = v[k0:hi] - v[k0]
        # The next two moves one way: moves either way are a turn, a counter-shift or drift (a
        # halt put on a move's flank makes the moves after it read as moves back and forth, whose
        # zero crossings would pass for halts).
        pair, last = None, None
        for move in _moves(p, local, rate_hz):
            if last is not None and last.sign == move.sign and edge_gap(last, move) <= gap:
                pair = (last, move)
                break
            last = move
        # The quiet samples after k0 and before the pair's second move (still is sorted).
        until = k0 + (pair[1].onset if pair is not None else hi - k0)
        later = still[np.searchsorted(still, k0, "right") : np.searchsorted(still, until)]
        if pair is not None and not len(later):
            k0 += max(1, halt(local, pair[0], pair[1], rate_hz))
            out[-1].append((k0, pair[0].sign))
            continue
        if out[-1]:
            out.append([])
        if len(later):  # a quiet sample before the next halt's second move: start from there
            k0 = int(later[-1])
            continue
        after = still[np.searchsorted(still, k0 + (last.offset if last is not None else hi - k0 - 1)) :]
        if not len(after):
            break
        k0 = int(after[0])
    return [chain for chain in out if chain]


# Two sweeps (`swept_halts`) agree on a halt within this (s).
HALT_AGREE_S = 0.1
# A chain of swept halts is kept when v reads against the way at them by more than this (median,
# m/s): drift the anchors between moves cannot see through (the physics check's drifting runs:
# 0.03-0.15 m/s; the simulator's fast steps read 0.1-0.2 m/s with the way at the halts, the 4 Hz
# low-pass filling them in).
HALT_DRIFT_MPS = 0.02
# ...and when the sweep the other way contradicts at most this share of its halts (a halt within
# max_move_s, not within HALT_AGREE_S): drifting band walks on the physics check 0-20 %; forward
# walking (hapt-dev e09), whose sway the sweeps take for moves one way now and then, 60-83 %.
HALT_CONFLICT_SHARE = 1.0 / 3.0
# The pelvis' acceleration at a halt is read as its RMS over this centred window (s): a halt
# between two moves holds still for 0.1-0.3 s, and a move's flank accelerates.
HALT_WINDOW_S = 0.2
# ...or over this fraction of the shorter move, if that is less (0.6 s lead-then-trail steps: moves
# of 0.25 s with a halt of 0.05 s between).
HALT_MOVE_FRACTION = 0.25
# ...among the samples between two moves one way whose speed along the way is in the lower part
# (this fraction) of its range there: not the moves' peaks, where a slow move accelerates little.
HALT_SPEED_FRACTION = 0.5


def halt(v: np.ndarray, a: Hump, b: Hump, rate_hz: float) -> int:
    """Index of the halt between consecutive moves a and b of velocity v (m/s): the slowest point
    between their peaks. Between moves either way (a turn) that is the lowest speed, and so
    between moves one way while the velocity keeps to the way (the trough). When it turns against
    the way there, either the integral has drifted (0.2-0.5 deg of tilt error left by the fusion
    over a run of steps without a pause reads 0.05-0.15 m/s against the way at every halt, and the
    lowest speed falls on a move's flank: the physics check's slow lead-then-trail steps) or the
    pelvis moved back (a counter-shift, with halts on either side). The halt is then where the
    pelvis accelerates least (RMS over HALT_WINDOW_S) among the samples in the lower part of the
    speed along the way (HALT_SPEED_FRACTION): it holds still at a halt, while a flank or a
    counter-shift accelerates; offset-free, as the acceleration."""
    seg = a.sign * v[a.peak : b.peak + 1]
    if a.sign != b.sign:
        return a.peak + int(np.argmin(np.abs(seg)))
    trough = int(np.argmin(seg))
    if seg[trough] >= 0.0:
        return a.peak + trough
    return stillest(v, seg, a, b, rate_hz)


def stillest(v: np.ndarray, seg: np.ndarray, a: Hump, b: Hump, rate_hz: float) -> int:
    """Index, between the peaks of moves a and b of velocity v (m/s), where the pelvis accelerates
    least (RMS over HALT_WINDOW_S, or HALT_MOVE_FRACTION of the shorter move) among the samples in
    the lower part (HALT_SPEED_FRACTION) of seg's range (seg: a speed over v[a.peak : b.peak + 1],
    m/s; its ends are the peaks)."""
    lo, hi = float(np.min(seg)), min(float(seg[0]), float(seg[-1]))
    low = seg <= lo + HALT_SPEED_FRACTION * (hi - lo)
    shorter = min(a.offset - a.onset, b.offset - b.onset)  # fast steps halt for a few samples
    half = max(1, int(0.5 * min(HALT_WINDOW_S * rate_hz, HALT_MOVE_FRACTION * shorter)))
    acc2 = np.gradient(v[max(0, a.peak - half) : b.peak + half + 1]) ** 2
    c = np.concatenate(([0.0], np.cumsum(acc2)))
    k = np.arange(len(seg)) + (a.peak - max(0, a.peak - half))  # seg's samples in acc2
    s, e = np.maximum(k - half, 0), np.minimum(k + half + 1, len(acc2))
    unrest = (c[e] - c[s]) / (e - s)
    return a.peak + int(np.argmin(np.where(low, unrest, np.inf)))


def drifting_leads(p: BandWalkDetector, humps: list[Hump], v: np.ndarray, calm: np.ndarray,
                   rate_hz: float) -> Iterator[tuple[Hump, Hump, list[int]]]:
    """Moves a and b one way (humps, `find_moves`, of velocity v, m/s) with two humps back between, each
    under dip_ratio of the faster of a and b, all within max_pause_s flank to flank, no calm sample (the rest
    test's) between a lead and the hump back beside it (a step aside and back stands there: the simulator's
    stepping-about scene 0.14-0.7 s; a trail's slow middle may look calm), and a trail hidden between a and b
    (`band_crests`): a, b and the two crests, its halts."""
    gap = p.max_pause_s * rate_hz
    for k in range(len(humps) - 3):
        a, x, y, b = group = humps[k : k + 4]
        if (b.sign == a.sign and x.sign == y.sign != a.sign
                and max(x.height, y.height) < p.dip_ratio * max(a.height, b.height)
                and all(edge_gap(h, g) <= gap for h, g in zip(group[:-1], group[1:]))
                and not calm[a.peak : x.peak + 1].any() and not calm[y.peak : b.peak + 1].any()
                and (crest_halts := hidden_trail_halts(v, a.peak, b.peak, a.sign)) is not None):
            yield a, b, crest_halts


def rest_window_s(p: BandWalkDetector, v: np.ndarray, rate_hz: float) -> float:
    """The window (s) over which `unturning` judges a standstill: rest_move_share of the set's
    typical move (the median duration of the moves of velocity v, m/s), between min_rest_window_s
    and the fusion's rest_window_s (no moves: the latter).

    Between fast steps the pelvis stands for 0.5-1 s (the human range's pauses), but the moves'
    accelerations (0.2-0.9 g) reach into every 0.5 s window centred in a pause under ~0.8 s: no
    quiet sample there, and the straight-line drift correction between halts spread the error
    built within the fast moves (0.1-0.2 m/s: tilt error under acceleration) over the pause. That
    drift read as a move toward the trailing leg, the way of the next step's counter-shift: the
    counter-shift merged with it (too long for one) or hid in it, and the runs broke up (the
    physics check's counter-shift steps of 0.6-1.2 s with pauses: 78.8 % right). A window of a
    share of a move never fits within a move's own quiet middle (the drop's plateau, the
    acceleration passing zero): slow sets keep the fusion's window, so their still-looking
    middles stay moving."""
    default = FusionSettings().rest_window_s
    humps = find_moves(p, v, rate_hz)
    if not humps:
        return default
    typical_s = float(median([h.offset - h.onset for h in humps])) / rate_hz
    return float(min(max(p.rest_move_share * typical_s, p.min_rest_window_s), default))


def unturning(m: Motion, window_s: float | None = None) -> np.ndarray:
    """Samples (N,) bool where the pelvis may stand on its path: the fusion's rest (m.still), or
    the same test (`rest_masks.rest_mask`) with the pelvis' roll rate (deg/s, from the fused roll)
    in place of the whole gyro. In the hip hinge the pelvis wobbles in pitch and yaw while the feet
    stand: the physics check's hinge (pitch 0.7 / yaw 1.5 deg SD) turns it at 2-10 deg/s, past the
    rest test's 1.5 deg/s at every pause and at the turnaround, so the lateral velocity lost its
    zero for whole runs of steps and drifted by 0.1-0.2 m/s (issue 14). Pitch and yaw about the vertical leave the roll
    (the obliquity) where it is; a step's single support drops the pelvis, rolling it. window_s:
    the rest test's window (None: the fusion's rest_window_s)."""
    if m.gyro_dps is None or m.acc_lin_g is None:
        return m.still
    roll_rate = np.gradient(m.roll_deg) * m.rate_hz
    settings = FusionSettings() if window_s is None else FusionSettings(rest_window_s=window_s)
    return m.still | rest_mask(m.acc_lin_g + m.up, roll_rate, m.rate_hz, settings)


def find_moves(p: BandWalkDetector, v: np.ndarray, rate_hz: float) -> list[Hump]:
    """Lateral moves of velocity v (m/s): its humps of at least min_speed_mps in time order, the
    velocity-settling dips removed (`without_dips`), each ending where the next begins and lasting
    at most max_move_s."""
    return list(_moves(p, v, rate_hz))


def _moves(p: BandWalkDetector, v: np.ndarray, rate_hz: float) -> Iterator[Hump]:
    """`find_moves` one at a time: the sweeps (`_sweep`) mostly need the first two."""
    humps = without_settling(without_dips(p, find_humps(v, rate_hz, p.min_speed_mps, p.min_gap_s,
                                                        rise_frac=p.flank_rise), v, rate_hz), v, rate_hz)
    # Each move ends where the next begins: at the velocity trough between their peaks (the
    # pelvis halts between leg moves); a drifting baseline must not stretch a flank, so cap it.
    half = int(0.5 * p.max_move_s * rate_hz)
    start = 0
    for k, h in enumerate(humps):
        lo, hi = max(h.onset, h.peak - half), min(h.offset, h.peak + half)
        if k > 0:
            lo = max(lo, start)
        if k + 1 < len(humps):
            start = boundary(v, h, humps[k + 1])
            hi = min(hi, start)
        yield Hump(h.sign, h.peak, h.height, lo, hi)


def without_dips(p: BandWalkDetector, humps: list[Hump], v: np.ndarray, rate_hz: float) -> list[Hump]:
    """The humps of velocity v (m/s) less each dip: a hump the other way than all its neighbours
    within max_pause_s (end to start), under dip_ratio of the fastest of them (peak speed), slower
    than each of them and, between two, shorter than each (`_as_large_as_a_neighbour`), is the
    velocity settling between moves (integration drift), not a move back. One at a time, until
    none is left."""
    humps = list(humps)
    gap = p.max_pause_s * rate_hz
    # The first dip goes first; removing humps[k] changes the neighbours of humps[k - 1] and of
    # the one after it only, and none before them was a dip, so the search goes on from k - 1.
    k = 0
    while k < len(humps):
        h = humps[k]
        near = [humps[j] for j in (k - 1, k + 1) if 0 <= j < len(humps) and edge_gap(humps[j], h) <= gap]
        if (near and all(n.sign != h.sign for n in near)
                and h.height < p.dip_ratio * max(n.height for n in near)
                and not _as_large_as_a_neighbour(h, near, v, rate_hz)):
            del humps[k]
            k = max(0, k - 1)
        else:
            k += 1
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


def half_height_n(h: Hump, v: np.ndarray) -> int:
    """How long one move lasts at half its peak speed, samples (velocity v in m/s; unlike its span
    flank to flank, blind to the slow tails a move shares with its neighbours)."""
    speed = h.sign * v[h.onset : h.offset + 1]
    return int(np.count_nonzero(speed >= 0.5 * float(np.max(speed))))


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
