"""Forward-pitch bumps of the single-leg lowering exercises and the clamshell (`pitch_bumps`): one
bump per rep, from standing (or lying) back to it, with edges that a slow descent's sway does not
cut short. Split out of `step_down` (issue 14)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.peaks import find_peaks, peak_widths


@dataclass(frozen=True)
class Bump:
    """One pitch bump: onset, peak and offset sample indices, peak pitch above the local base, deg;
    with `pitch_bumps(..., widths=True)` also its centre and width at half its prominence, s from
    the start of the signal (steadier than the edges: a small bump's tails fade into sway)."""

    onset: int
    peak: int
    offset: int
    height_deg: float
    half_centre_s: float | None = None
    half_width_s: float | None = None


def _edge(seg: np.ndarray, level: float, rise: float, flat_n: int) -> int:
    """Index in seg (walking away from a peak at seg[0]) of the bump's edge: the first sample at
    or below level; else the lowest point so far once the signal has risen by `rise` above it,
    or has not gone lower by a quarter of `rise` for flat_n samples once past half-way (a plateau
    above the level after the rep; the top of the bump is flat too)."""
    low, i_low, mark, i_mark = float(seg[0]), 0, float(seg[0]), 0
    half = 0.5 * (float(seg[0]) + level)  # the flat test only once half-way down (not at the top)
    for i, x in enumerate(seg.tolist()):
        if x <= level:
            return i
        if x < low:
            low, i_low = x, i
        if x < mark - 0.25 * rise:
            mark, i_mark = x, i
        if x > low + rise or (i - i_mark > flat_n and low < half):
            return i_low
    return i_low


def saddles(x: np.ndarray, peaks: np.ndarray, of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) sample index of the lowest point of x between each peak in `of` and its
    neighbours among `peaks` (sorted sample indices, `of` a subset of them); 0 / len(x) - 1 where
    it has none on that side."""
    at = np.searchsorted(peaks, of)
    left = np.array([int(np.argmin(x[peaks[k - 1] : pk + 1])) + int(peaks[k - 1]) if k > 0 else 0
                     for k, pk in zip(at.tolist(), of.tolist())], dtype=np.intp)
    right = np.array([int(np.argmin(x[pk : peaks[k + 1] + 1])) + pk if k + 1 < len(peaks) else len(x) - 1
                      for k, pk in zip(at.tolist(), of.tolist())], dtype=np.intp)
    return left, right


def pitch_bumps(pitch_deg: np.ndarray, rate_hz: float, min_deg: float, min_s: float, max_s: float,
                smooth_hz: float = 2.0, edge_frac: float = 0.1, flat_s: float = 0.6,
                widths: bool = False) -> list[Bump]:
    """Forward-pitch bumps of at least min_deg (prominence) lasting min_s..max_s, in time order.

    Edges: on either side of the peak, where the pitch is back within edge_frac of the bump height
    from its base, or where it turns up again by edge_frac of the height before that (the next rep
    or a slow drift follows), or levels off above it for flat_s (a small offset after the rep). A
    rise smaller than that is sway on a slow descent and does not stop the edge (stopping at the
    first wiggle cut 1-2 s off shallow step-downs).

    widths: the half-height crossings are looked for no farther than the lowest point between the
    bump and its neighbouring peaks (`saddles`): a lower neighbour's prominence base lies beyond
    it, so when a lying fidget held the pelvis up between two reps done without rest the first
    rep's width spanned both (physics seed 0 case 54: 2.02 s against its set's 0.6-0.8 s, its
    centre 0.6 s late; the rep was dropped as unlike its set)."""
    if len(pitch_deg) < 3 * rate_hz:
        return []
    p = zero_phase_lowpass(pitch_deg, smooth_hz, rate_hz)
    peaks, props = find_peaks(p, prominence=min_deg, distance=max(1, int(min_s * rate_hz)))
    out: list[Bump] = []
    for pk, prom in zip(peaks, props["prominences"]):
        level, rise = p[pk] - (1.0 - edge_frac) * prom, edge_frac * prom
        flat_n = max(1, int(flat_s * rate_hz))
        a = pk - _edge(p[pk::-1], level, rise, flat_n)
        b = pk + _edge(p[pk:], level, rise, flat_n)
        if min_s <= (b - a) / rate_hz <= max_s:
            out.append(Bump(int(a), int(pk), int(b), float(prom)))
    if widths and out:
        _, _, left, right = peak_widths(p, np.array([o.peak for o in out]), rel_height=0.5,
                                        within=saddles(p, peaks, np.array([o.peak for o in out])))
        out = [replace(o, half_centre_s=0.5 * float(lo + hi) / rate_hz, half_width_s=float(hi - lo) / rate_hz)
               for o, lo, hi in zip(out, left, right)]
    return out


def sides_around(b: Bump, bumps: list[Bump], n: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The sample indices of the n samples before bump b and of the n after it (within [0, length)),
    less those of the other bumps: reps done back to back share their standing, which is then the
    previous rep's. Callers take a side with under n // 4 samples left as unknown."""
    free = np.ones(length, bool)
    for o in bumps:
        if o is not b:
            free[o.onset : o.offset + 1] = False
    return tuple(np.arange(lo, hi)[free[lo:hi]]
                 for lo, hi in ((max(0, b.onset - n), b.onset), (b.offset + 1, min(length, b.offset + 1 + n))))
