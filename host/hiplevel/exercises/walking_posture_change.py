"""Walking: contacts inside a slow posture change (`WalkingDetector`'s posture rule).

Sitting down, standing up, lying down and getting up, done slowly (tilt rates under the tilt-rate
rule's 80 deg/s: `walking_posture`), bump the pelvis up at a step's rhythm as the feet shuffle and
the hips land, and bouts formed of them (hapt-dev: 67 walking reps in the gaps between its static
labels, 30-60 deg/s, bumps of 0.04-0.2 g). What no gait does is carry the pelvis into another
posture: a walk rocks the pelvis about a posture it keeps, so the tilt averaged over a stride (two
median steps: a step's roll and pitch swings cancel, a Trendelenburg gait's too) stays put.

The rule's parameters (`PostureChanges`, the `posture` of `WalkingDetector`; units in the names):
- change_deg: a contact is in a posture change when that stride tilt, within
  span_steps median steps before and after it, spans more than this (the widest angle
  between its value before and after the contact). Straight and turning walks span <= 15 deg
  (ipol-dev 14.9 with its U-turns, where the fused tilt errs; stroke-dev 13.9; hapt-dev's walks
  14.6), but daily life carries walks into bends and seats: mobgap-lowback Test11, INDIP-matched
  contacts, a median 7.8, 11 of 186 over 25, up to 64 at a walk's last steps before sitting;
  hapt-dev's transition contacts a median 35 (e07's and e12's sit-downs: the roll alone swings
  48-52 deg); 0 disables;
- side_deg: ... and it moves more than this on each side of the contact: a walk's last
  steps before a bend or a sit (the tilt moves after them) and its first after standing up stay
  steps. No INDIP-matched contact passes both (the nearest: span 64 with 12.5 on its calm side, a
  last step before sitting; span 28 with 15.6: thin margins, so both must hold); hapt-dev's
  transition contacts: 9 a median;
- span_steps: the window either side (2.5: ipol-dev 4-6's turn on the spot 1.5 s before
  a bow stays out of it);
- firm_g: the walk goes on through the contact (it is kept) when it and the two contacts
  either side are firm heel strikes of at least this (brisk walking: 0.2-0.4 g) at the bout's pace:
  stairs tilt a phone on a belt by 30-45 deg between flights (hapt-dev) while the steps go on at
  0.3-0.7 g; a posture change's bumps are softer (hapt-dev: 0.04-0.19 g but for single landings).
A bout that loses contacts splits there, and each piece must be walking on its own (pace, steps,
and no short bout's stepping of a posture change: `walking_bouts.posture_change`; hapt-dev e07:
four steps turning 86 deg to the bed, split from the bumps of sitting and lying down on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hiplevel._native import tilt_kernel
from hiplevel.exercises import walking_bouts
from hiplevel.exercises.base import Motion
from hiplevel.exercises.walking_motion import einsum_order_ok
from hiplevel.signal.exact_median import median

if TYPE_CHECKING:
    from hiplevel.exercises.walking import WalkingDetector

SPAN_SAMPLES = 12  # samples of the stride tilt either side of a contact (it moves little within a fifth of a step)


@dataclass(frozen=True)
class PostureChanges:
    """The posture-change rule's parameters (documented in this module's docstring)."""

    change_deg: float = 35.0
    side_deg: float = 15.0
    span_steps: float = 2.5
    firm_g: float = 0.2


def without_posture_changes(p: WalkingDetector, m: Motion, bouts: list[np.ndarray], idx: np.ndarray,
                            heights_g: np.ndarray, up: np.ndarray | None = None,
                            changes: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """The bouts (their contacts, sample indices) without their contacts inside a posture change
    (`posture_change_contacts` with the detector p's `posture` and irregular_ratio): a bout that
    loses any splits there, and each piece left must keep a walking pace on its own
    (`walking_bouts.keeps_pace`; its contacts already passed the bout's edge trim) and be no posture
    change's stepping (`walking_bouts.posture_change`; `walking_bouts.file_bout` files it). idx,
    heights_g: every candidate contact and its upward peak, g (`WalkingDetector._contacts`); up: m's
    up-vectors (N,3) when at hand; changes: where the pieces found to be a posture change's stepping
    are added."""
    up = m.up if up is None else up
    idx, heights_g = np.asarray(idx), np.asarray(heights_g, float)

    def height(c: np.ndarray) -> np.ndarray:
        """The heights of contacts c (a subset of idx, which increases)."""
        at = np.minimum(np.searchsorted(idx, c), len(idx) - 1)
        if not np.array_equal(idx[at], c):
            raise ValueError("contacts that are no candidate contact")
        return heights_g[at]

    out: list[np.ndarray] = []
    for c in bouts:
        q = p.posture
        drop = posture_change_contacts(up, c, int(median(np.diff(c))), q.span_steps, q.change_deg, q.side_deg,
                                       height(c), q.firm_g, p.side.irregular_ratio)
        if not drop.any():
            out.append(c)
            continue
        # Each piece between dropped contacts (np.split starts every piece but the first at one).
        for j, piece in enumerate(np.split(c, np.flatnonzero(drop))):
            piece = piece[1:] if j > 0 else piece
            kept = walking_bouts.keeps_pace(p, piece, m.rate_hz, m, height(piece)) if len(piece) > 1 else None
            walking_bouts.file_bout(p, kept, m, out, changes)
    return out


def stride_tilt(up: np.ndarray, stride: int) -> Callable[[np.ndarray], np.ndarray]:
    """The up-vector (N,3, body frame) averaged over a centred window of `stride` samples (the
    nearest full window at the ends, as `filters.moving_mean`), normalised: the posture the pelvis
    rocks about, as a function of sample indices (any shape; result shape + (3,), the indices
    clipped to the series)."""
    n, cs = len(up), _column_sums(up)
    stride = max(1, min(stride, n))
    return lambda at: _window_mean(cs.T, n, stride, np.minimum(np.maximum(at, 0), n - 1))


def _column_sums(up: np.ndarray) -> np.ndarray:
    """The prefix sums of up's three columns, (3, N + 1), each from 0.0: cumsum(up, axis=0) (each
    column summed in sample order: the same values), a column a row, so a window's sums of one
    axis are read contiguously (`_window_columns`)."""
    cs = np.empty((3, len(up) + 1))
    cs[:, 0] = 0.0
    np.cumsum(up.T, axis=1, out=cs[:, 1:])  # in place: the same sums, no concatenated copy
    return cs


def _window_columns(cs: np.ndarray, n: int, stride: int, at: np.ndarray) -> list[np.ndarray]:
    """`_window_mean` of indices at (already in [0, n)) as its three columns (each at's shape),
    from column sums cs (`_column_sums`): the same values, each column's arithmetic contiguous."""
    start = np.minimum(np.maximum(at - stride // 2, 0), n - stride)
    end = start + stride
    mm = [row.take(end, mode="clip") - row.take(start, mode="clip") for row in cs]  # (in range: no check)
    sq = [x * x for x in mm]
    norm = np.sqrt((sq[0] + sq[1]) + sq[2])
    np.maximum(norm, 1e-12, out=norm)
    for x in mm:
        np.divide(x, norm, out=x)
    return mm


def _window_mean(cs: np.ndarray, n: int, stride: int, at: np.ndarray) -> np.ndarray:
    # np.minimum / np.maximum and take: np.clip's and fancy indexing's per-call costs were most of a
    # bout's stride tilt (the same values: integer bounds, whole rows).
    start = np.minimum(np.maximum(at - stride // 2, 0), n - stride)
    mm = cs.take(start + stride, axis=0) - cs.take(start, axis=0)
    # mm / max(|mm|, 1e-12), |mm| as np.linalg.norm(axis=-1) sums it ((x0^2 + x1^2) + x2^2), column by
    # column: numpy reduces, and divides by, rows three values long one inner-loop call a row
    # (most of a bout's posture test). The same values (tests compare).
    sq = mm * mm
    norm = np.sqrt((sq[..., 0] + sq[..., 1]) + sq[..., 2])
    np.maximum(norm, 1e-12, out=norm)
    out = np.empty(mm.shape)
    for k in range(3):
        np.divide(mm[..., k], norm, out=out[..., k])
    return out


def posture_change_contacts(up: np.ndarray, c: np.ndarray, med: int, span_steps: float, max_change_deg: float,
                            max_side_deg: float, heights_g: np.ndarray | None = None, firm_g: float = 0.0,
                            irregular_ratio: float = 1.5) -> np.ndarray:
    """Mask over a bout's contacts c (sample indices; med: its median step, samples) of those inside
    a posture change (see the module docstring). up: the fused up-vector (N,3); heights_g: the
    contacts' upward peaks, g, for `walks_on` (firm_g 0: not used)."""
    before, after, span_of = tilt_moves_deg(up, c, med, span_steps)
    out = (before > max_side_deg) & (after > max_side_deg)
    # The span (a pairwise search) only where both sides move: a few contacts of a day.
    for j in np.flatnonzero(out).tolist():
        out[j] = span_of(j) > max_change_deg
        if out[j] and heights_g is not None and firm_g > 0:
            out[j] = not walks_on(c, heights_g, j, med, firm_g, irregular_ratio)
    return out


def tilt_moves_deg(up: np.ndarray, c: np.ndarray, med: int,
                   span_steps: float) -> tuple[np.ndarray, np.ndarray, Callable[[int], float]]:
    """How the stride-averaged tilt (`stride_tilt` over two median steps med) moves around each
    contact c (sample indices) within span_steps median steps: (before, after, span_of), before /
    after the farthest the tilt lies from the contact's on either side, deg (each (len(c),)), and
    span_of(j) the span at contact j: the largest angle between the tilt at a time before it and
    at a time after it, deg."""
    w = max(1, int(round(span_steps * med)))
    # Only the bout's stretch (and what its windows and their averages reach): a day has many bouts.
    lo = max(0, int(c[0]) - w - 2 * med)
    part = up[lo : int(c[-1]) + w + 2 * med + 1]
    every = max(1, w // SPAN_SAMPLES)  # the tilt moves slowly: a few dozen samples a side suffice
    k = np.asarray(c, dtype=np.int64) - lo
    side = np.arange(0, w + 1, every)
    n = len(part)
    stride = max(1, min(2 * med, n))  # (`stride_tilt` over two median steps)
    sums: list[np.ndarray] = []  # the column sums, made once when needed

    def column_sums() -> np.ndarray:
        if not sums:
            sums.append(_column_sums(part))
        return sums[0]

    kernel = tilt_kernel()
    if kernel is not None and einsum_order_ok():
        # The column path below in one compiled loop (`tiltkernel.tilt_moves`: every operation the
        # same, to the bit): its takes, window means and reductions over (2 len(side), len(c))
        # arrays were most of a bout's posture test.
        before, after = np.empty(len(k)), np.empty(len(k))
        kernel.tilt_moves(np.ascontiguousarray(part, dtype=float), k, side, stride, before, after)
    else:
        before, after = _tilt_cosines(column_sums(), n, stride, k, side)

    def at(i: np.ndarray) -> np.ndarray:
        return _window_mean(column_sums().T, n, stride, np.minimum(np.maximum(i, 0), n - 1))

    def span_of(j: int) -> float:
        b, a = at(k[j] - side), at(k[j] + side)
        return float(np.degrees(np.arccos(np.clip(np.min(b @ a.T), -1.0, 1.0))))

    return np.degrees(np.arccos(np.clip(before, -1.0, 1.0))), np.degrees(np.arccos(np.clip(after, -1.0, 1.0))), span_of


def _tilt_cosines(cs: np.ndarray, n: int, stride: int, k: np.ndarray,
                  side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The least cosine between each contact's tilt (k: its sample in the stretch of n samples whose
    column sums are cs) and the tilts side samples before it, and after it (`tilt_moves_deg`)."""
    # Both sides' tilts in one call (each row on its own: the same values); side[0] = 0 is the contact's.
    offsets = np.concatenate([-side, side])
    if einsum_order_ok():
        # The tilts column by column, an offset a row ((2 len(side), len(c)): `row_dots`' products and
        # sums, and the least over each side, as whole contiguous rows, not rows three or len(side)
        # values long); the least cosine is the widest angle.
        t0, t1, t2 = _window_columns(cs, n, stride, np.minimum(np.maximum(offsets[:, None] + k, 0), n - 1))
        with np.errstate(all="ignore"):
            cos = t0 * t0[:1]
            cos += t2 * t2[:1]
            cos += t1 * t1[:1]
            cos += 0.0  # (no -0: the least of the cosines is the same taken in any order)
        return cos[: len(side)].min(axis=0), cos[len(side) :].min(axis=0)
    both = _window_mean(cs.T, n, stride, np.minimum(np.maximum(k[:, None] + offsets, 0), n - 1))
    cos = np.einsum("kmi,ki->km", both, np.ascontiguousarray(both[:, 0]))
    return cos[:, : len(side)].min(axis=1), cos[:, len(side) :].min(axis=1)


def walks_on(c: np.ndarray, heights_g: np.ndarray, j: int, med: int, firm_g: float, irregular_ratio: float) -> bool:
    """Whether the walk goes on through contact j of a bout (c: its contacts, samples; heights_g:
    their upward peaks, g): it and the two contacts either side are firm heel strikes (>= firm_g)
    at the bout's pace (each of the four steps within 1/irregular_ratio..irregular_ratio of med)."""
    if j < 2 or j + 2 >= len(c):
        return False
    steps = np.diff(c[j - 2 : j + 3]) / med
    return bool((heights_g[j - 2 : j + 3] >= firm_g).all() and (steps <= irregular_ratio).all()
                and (steps >= 1 / irregular_ratio).all())
