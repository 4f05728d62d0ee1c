"""Single-leg holds found from the foot's edges first (`single_leg_stance.SingleLegStanceDetector`):
where the pelvis sways as on one foot, the foot leaving and coming down (`single_support`), and the
weight shift into and out of the hold fitted there as a minimum-jerk move.

Why: the velocity humps the detector pairs need the sideways velocity anchored at zero where the
pelvis stays put, and a small (2-3 cm) or slow (2-3 s) shift moves the pelvis at the rest tests'
own speeds (3-5 cm/s), so the velocity is held at zero through it and no move is found. Its
acceleration is still there: a weight shift of size D in tau seconds follows the minimum-jerk
profile, acceleration D/tau^2 (60 s - 180 s^2 + 120 s^3), s = t/tau in [0, 1] (Flash and Hogan
1985), and the least-squares D of that shape over the seconds before foot-off (after foot-down)
reads the shift without any velocity anchor. It is only asked there: inside a hold the balance
corrections fit shifts of 1-7 cm at any moment (more the slower the shape), standing on both feet
under 1 cm, so the shift is searched between the standing and the foot leaving."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hiplevel.exercises.base import Hump
from hiplevel.exercises.single_support import (SupportCues, SupportSignals, reference_sway, standing_spans,
                                               strongest_ptp, sway_onset, window_rms)
from hiplevel.exercises.stance_side import SideCues, sliding_displacement_m
from hiplevel.signal.exact_median import median, percentile
from hiplevel.signal.neutral import runs

# Minimum-jerk peak speed over mean speed.
MIN_JERK_PEAK_RATIO = 1.875
# The quietest 1.5 s (3 half-overlapping 1 s windows) of the set: the standing between two holds
# lasts 1-1.5 s past the shifts.
QUIET_STRETCH_WINDOWS = 3
# Each shift of a pair sized by the displacements (`displaced_pair`) is at least this share of the
# larger displacement: the two readings of one shift (physics check seed 0: the corrections' short
# shapes read 0.1-0.4x the true shift, the displacements 0.2-1.6x; 0.35 and 0.7 measured too).
DISPLACED_SHARE = 0.5


@dataclass(frozen=True)
class EdgeSettings:
    """Parameters of the edge-first search (units in the names).

    sway_ratio: a 1 s window whose sway (roll rate or sideways corrections, `SupportSignals`) is
        at least this many times the set's quiet standing (sideways: `standing_corrections`; roll
        rate: its 10th percentile window) is on one foot or moving (one foot: 1.5-10x);
    shift_taus_s: durations of the minimum-jerk shapes tried (people: 0.5-2 s; margin both sides);
    before_off_s / after_off_s: the shift into the hold lies within this long before foot-off and
        this long after it (the foot leaves up to 0.5 s before the shift ends, or 1.5 s after:
        the shift then ends earlier still); the same around foot-down for the shift back;
    min_edge_vote: foot-off and foot-down each need this vote (`SupportCues.votes`) to be edges;
    edge_lag_s: the foot may leave (come down) up to this long after the stretch starts (before it
        ends): the stretch can start with a slow shift, 2-3 s before foot-off, and end 3-5 s after foot-down;
    standing_roll_ratio: a window whose sideways corrections are under sway_ratio times quiet standing
        and whose roll sways under this many times it is standing on both feet between two holds
        where the stretch is split (measured on the simulator: the 1-1.5 s of standing between
        holds sways 1.2-2.7x in roll; on one foot it is mostly 3-60x, but a steady hold can dip
        under that: the split then only makes its velocity-path hold doubtful, see
        `stance_merge.merge_edge_holds`);
    max_tau_ratio: the shift in and the shift back of one hold are fitted as a pair whose durations
        lie within this ratio (neighbouring shapes of shift_taus_s: a person shifts back about as
        fast as in): a 0.4-0.5 s shape fitted to the foot-off or landing transient at one edge,
        with a 3 s one at the other, no longer picks the side (`shift_pair`);
    side_slide_s: the displacement side cues (`stance_side.sliding_displacement_m`) average the
        windows whose far end slides this long into the hold (the first second on one foot);
    onset_lead_s: a foot-off placed at the sway's rise (`single_support.sway_onset`, no foot-off
        vote) is up to this early (physics check seed 0: 1.05 s early to 0.37 s late, median 0.5 s
        early; the band-pass and the envelope's window smear the rise): the shift in is searched,
        and the shift-in displacement's windows slide, this much further;
    reference_s: the edges' votes compare the stretch with the standing on both feet this long
        before it and after it, half a second off each (`single_support.standing_spans`)."""

    sway_ratio: float = 2.0
    shift_taus_s: tuple[float, ...] = (0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5)
    before_off_s: float = 3.5
    after_off_s: float = 0.5
    min_edge_vote: float = 0.5
    edge_lag_s: float = 6.0
    standing_roll_ratio: float = 3.0
    max_tau_ratio: float = 1.5
    side_slide_s: float = 1.0
    onset_lead_s: float = 1.0
    reference_s: float = 3.5


def min_jerk_accel(tau_s: float, rate_hz: float) -> np.ndarray:
    """The minimum-jerk move's acceleration, m/s^2 per m moved, over its tau_s (sampled, inclusive)."""
    s = np.arange(int(round(tau_s * rate_hz)) + 1) / (tau_s * rate_hz)
    return (60.0 * s - 180.0 * s**2 + 120.0 * s**3) / tau_s**2


def shift_fits(acc_mps2: np.ndarray, a: int, b: int, rate_hz: float, taus_s: tuple[float, ...],
               sign: int) -> list[tuple[Hump, float, float] | None]:
    """For each duration of taus_s, the minimum-jerk move of that duration toward `sign` (+1: toward
    +acc) that lies within samples [a, b) of acc_mps2 and explains most of its acceleration (least
    squares with a constant, over starts): (the move as a Hump, height its peak speed m/s; its size
    D, m; the acceleration it explains, D^2 |k|^2, m^2/s^4 summed over samples); None where it does
    not fit inside, or explains nothing."""
    out: list[tuple[Hump, float, float] | None] = []
    seg = acc_mps2[max(0, a) : min(len(acc_mps2), b)]
    for tau in taus_s:
        k = min_jerk_accel(tau, rate_hz)
        k = k - np.mean(k)
        n2 = float(np.dot(k, k))
        if len(seg) < len(k):
            out.append(None)
            continue
        d = sign * np.correlate(seg, k, "valid") / n2
        j = int(np.argmax(d))
        if d[j] <= 0:
            out.append(None)
            continue
        on = max(0, a) + j
        size = float(d[j])
        out.append((Hump(sign, on + len(k) // 2, MIN_JERK_PEAK_RATIO * size / tau, on, on + len(k) - 1),
                    size, size**2 * n2))
    return out


ShiftFit = tuple[Hump, float, float]
# A stretch on one foot ([start, end) samples), its candidates ((shift in, size m), (shift back, size
# m)) in order of preference or None, and its side cues or None (`edge_shifts`).
EdgeFind = tuple[tuple[int, int], list[tuple[tuple[Hump, float], tuple[Hump, float]]] | None, SideCues | None]


def shift_pair(acc_mps2: np.ndarray, into: tuple[int, int], back: tuple[int, int], rate_hz: float,
               taus_s: tuple[float, ...], max_tau_ratio: float, min_size_m: float = 0.0, min_each_m: float = 0.0
               ) -> tuple[tuple[ShiftFit, ShiftFit] | None, dict[int, tuple[ShiftFit, ShiftFit]]]:
    """The shift in (within samples `into`) and the shift back (within `back`) of one hold, fitted
    together (`shift_fits`): opposite ways, durations within max_tau_ratio of each other, mean size
    at least min_size_m and each at least min_each_m, the pair explaining the most acceleration at both edges (None if none
    fits); and the best pair of each way of the shift in that has one ({+1: toward +acc, -1}).

    Why together, and only pairs that could be a weight shift: the foot leaving and landing jolt
    the pelvis and tip its roll, a transient that a 0.4-0.5 s shape of 3-6 mm explains better
    than a 3 cm shift in 2 s explains that shift (whose acceleration peaks at 4 mg). Fitted edge by
    edge, such a transient took the side (seed 3's first hold: a 0.4 s shape of 6 mm at the
    landing) or stood for the shift back, and the pair was dropped as too small. On the simulator,
    seeds 3-11, shifts of 3 cm in 2 s with 15 mg balance corrections: 20 of 36 holds found edge by
    edge, 34 of 36 as a pair, none on the wrong leg."""
    best, score = None, -1.0
    by_way: dict[int, tuple[ShiftFit, ShiftFit]] = {}
    for sign in (1, -1):
        ins = shift_fits(acc_mps2, *into, rate_hz, taus_s, sign)
        backs = shift_fits(acc_mps2, *back, rate_hz, taus_s, -sign)
        way_score = -1.0
        for ti, i in zip(taus_s, ins):
            for tk, k in zip(taus_s, backs):
                if (i is None or k is None or max(ti, tk) > max_tau_ratio * min(ti, tk)
                        or i[1] + k[1] < 2.0 * min_size_m or min(i[1], k[1]) < min_each_m):
                    continue
                if i[2] + k[2] > way_score:
                    by_way[sign], way_score = (i, k), i[2] + k[2]
        if way_score > score:
            best, score = by_way[sign], way_score
    return best, by_way


def standing_corrections(lat_rms: np.ndarray, sway_ratio: float) -> float:
    """Quiet standing's sideways corrections (1 s window RMS of `SupportSignals.lateral`, g): the
    set's quietest tenth, but under sway_ratio times its quietest stretch (`quietest_stretch`),
    a level that is on one foot. In a set spent mostly on one foot (holds of 30-90 s with 3-5 s
    of standing between) the quietest tenth is itself on one foot (4-7x the quietest stretch on
    the simulator, against 1.2-2.1x in sets of 10 s holds), and holds read as standing there;
    the quietest stretch is the standing's however little of the set it takes."""
    return min(float(percentile(lat_rms, 10)), sway_ratio * quietest_stretch(lat_rms))


def quietest_stretch(x: np.ndarray, n: int = QUIET_STRETCH_WINDOWS) -> float:
    """The least median of n consecutive values of x (the whole median if x is shorter)."""
    if len(x) <= n:
        return float(median(x))
    # exact_median.median (np.median to the bit, no numpy.ma import) takes axis 0: the windows as columns
    return float(np.min(median(np.lib.stride_tricks.sliding_window_view(x, n).T, axis=0)))


def stretches_on_one_foot(sig: SupportSignals, rate_hz: float, min_hold_s: float,
                          p: EdgeSettings = EdgeSettings()) -> list[tuple[int, int]]:
    """The set's stretches on one foot ([start, end) samples) of at least min_hold_s: runs of 1 s
    windows swaying at least sway_ratio times quiet standing (roll rate: the set's quietest tenth;
    sideways corrections: `standing_corrections`; the larger ratio counts), split where the
    corrections fall under sway_ratio and the roll under standing_roll_ratio times it: the standing
    between two holds, whose roll still sways 1-3x after the shift back."""
    w = max(2, int(rate_hz))
    step = max(1, w // 2)
    lat, rr = window_rms(sig.lateral, rate_hz), window_rms(sig.roll_rate, rate_hz)
    lat, rr = lat / max(standing_corrections(lat, p.sway_ratio), 1e-6), rr / max(float(percentile(rr, 10)), 1e-6)
    ratio = np.maximum(lat, rr)
    standing = (lat < p.sway_ratio) & (rr < p.standing_roll_ratio)
    out = []
    for a, b in runs((ratio >= p.sway_ratio) & ~standing):
        s0, s1 = a * step + w // 2, (b - 1) * step + w // 2
        if s1 - s0 >= min_hold_s * rate_hz:
            out.append((s0, s1))
    return out


def within_one_stretch(stretches: list[tuple[int, int]], a: int, b: int) -> bool:
    """Whether samples [a, b) lie inside one stretch on one foot (`stretches_on_one_foot`): the
    sway never fell to standing's in between."""
    return any(s0 <= a and b <= s1 for s0, s1 in stretches)


def displaced_pair(acc_mps2: np.ndarray, into: tuple[int, int], back: tuple[int, int], rate_hz: float,
                   p: EdgeSettings, side: SideCues, min_shift_m: float) -> tuple[ShiftFit, ShiftFit] | None:
    """The shift pair (`shift_pair`, mean size at least min_shift_m, m) on the side both
    displacements (`SideCues`) give, each shift at least DISPLACED_SHARE of the larger of them;
    None if they give no one side, or no pair fits so. Why: the pair that explains the most
    acceleration can be the foot-off and landing's balance corrections, short shapes of 0.5-4 cm
    whatever the shift, which the partner test turns down or which lose to the other leg's pair
    (physics check, seed 0: 4.1 / 1.3 to 3.0 / 0.5 cm against true shifts of 4.7-7.3 cm, both
    displacements on the true leg)."""
    vin, vback, _ = side.votes()
    if vin == 0 or vin != vback:
        return None
    each = DISPLACED_SHARE * max(abs(side.shift_in_m), abs(side.shift_back_m))
    return shift_pair(acc_mps2, into, back, rate_hz, p.shift_taus_s, p.max_tau_ratio, min_shift_m, each)[1].get(vin)


def edge_shifts(acc_mps2: np.ndarray, sig: SupportSignals, cues: SupportCues, rate_hz: float,
                stretches: list[tuple[int, int]], p: EdgeSettings = EdgeSettings(), min_shift_m: float = 0.0
                ) -> list[EdgeFind]:
    """Each stretch on one foot (`stretches_on_one_foot`) with the candidate ((shift in, size m),
    (shift back, size m)) around it, in order of preference, and its side cues
    (`stance_side.SideCues`), None without a clear foot-down (a foot-off with no vote, no jolt and
    no tip of the roll, is placed where the sway rises, `single_support.sway_onset`; None if it
    does not rise): the minimum-jerk shifts
    fitted before foot-off and after foot-down as one pair (`shift_pair`; mean size at least
    min_shift_m, m); when both displacements from the standing to foot-off and from foot-down to
    the standing (`stance_side`) say the other side, the pair fitted on that side first (a shift
    that brakes hard fits a short shape the other way better than its own); then the pair sized by
    the displacements (`displaced_pair`), before any fitted on their other side. acc_mps2: the pelvis's
    levelled sideways acceleration less its roll offset, m/s^2 (+ = leftward)."""
    out: list[EdgeFind] = []
    before, after = int(p.before_off_s * rate_hz), int(p.after_off_s * rate_hz)
    lag = int(max(cues.lag_s, p.edge_lag_s) * rate_hz)
    for s0, s1 in stretches:
        out.append(((s0, s1), None, None))
        ref = reference_sway(sig, rate_hz, standing_spans(s0, s1, rate_hz, p.reference_s))
        votes, off, down = replace(cues, lag_s=max(cues.lag_s, p.edge_lag_s)).votes(sig, s0, s1, ref, rate_hz)
        if votes["foot_down"] < p.min_edge_vote:
            continue  # no clear edge to search the shift back from
        # The foot comes down with the set's largest jolt near the stretch's end: the last jolt
        # over the votes' level may be the slow shift back's own, after it.
        jolt = max(2, int(cues.jolt_s * rate_hz))
        down = strongest_ptp(sig.vertical, max((s0 + s1) // 2, s1 - lag), s1 + int(cues.edge_s * rate_hz), jolt,
                             np.inf, last=True)[1]
        swayed = votes["foot_off"] < p.min_edge_vote
        if swayed:
            # The foot left with no jolt and no tip of the roll: it left where the sway rose
            # (placed up to onset_lead_s early: the shift in and its displacement are looked
            # for that much later).
            mid0, mid1 = s0 + min(lag, (s1 - s0) // 3), s1 - min(lag, (s1 - s0) // 3)
            off = sway_onset(sig, s0 - int(rate_hz), mid0, (mid0, max(mid0 + 1, mid1)), ref, rate_hz)
            if off is None:
                continue
        lead = int(p.onset_lead_s * rate_hz) if swayed else 0
        # The shift in and the shift back go opposite ways: the side is the one whose pair of
        # moves, a weight shift there and back, explains more of the acceleration at both edges.
        into, back = (off - before, off + after + lead), (down - after, down + before)
        pair, by_way = shift_pair(acc_mps2, into, back, rate_hz, p.shift_taus_s, p.max_tau_ratio, min_shift_m)
        slide, step = int(p.side_slide_s * rate_hz), max(1, int(0.1 * rate_hz))
        side = SideCues(sliding_displacement_m(acc_mps2, off - before, off, rate_hz, slide + lead, step),
                        sliding_displacement_m(acc_mps2, down, down + before, rate_hz, -slide, step),
                        0 if pair is None else pair[0][0].sign)
        if swayed:
            side = replace(side, sway_off=True)
        pairs = [pair] if pair is not None else []
        if pair is not None and side.sign not in (0, side.fitted):
            # Both displacements say the other leg: the pair fitted there first, if a shift fits
            # there (if none does, or it makes no hold, the fitted pair's, in doubt).
            pairs.insert(0, by_way.get(side.sign))
        sized = displaced_pair(acc_mps2, into, back, rate_hz, p, side, min_shift_m)
        if sized is not None:
            # A later choice: after the pairs on the displacements' side, before the fitted pair
            # on the other side (the first candidate that passes the gates is the hold).
            pairs.insert(len(pairs) - 1 if pair is not None and pair[0][0].sign != sized[0][0].sign else len(pairs), sized)
        cands = [((i[0], i[1]), (k[0], k[1])) for i, k in (q for q in pairs if q is not None)]
        if cands:
            out[-1] = ((s0, s1), cands, side)
    return out
