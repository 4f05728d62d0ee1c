"""Walking's bout edges: whether a bout starts with an initiation swing and ends with a
termination swing (`WalkingDetector`'s rules, their parameters below).

A walk starts with a swing (single support on the other foot, ending at the first contact) and
ends with one (the trailing foot closing up after the last contact, once the double support is
over). Each is a rep when the pelvis is moving there; the initiation only when the first contact
is a heel strike (not the lift-off's weight shift, which can bump the pelvis like one); the
termination only when the closing swing moves and rolls the pelvis like a step's single support
(after the closing foot's own contact the pelvis only settles, without rolling) and the recording
still holds the closing contact. The motion measures compare a window with the bout's own single
supports (`_motion_rms`, one compiled call for many windows when built: `_motion_rms_many`).

Either edge is a single support too, so the pelvis also sways away from its stance foot there
(`_sways_away`): the edge's stance is the foot the step next to it does not stand on, so its sway
has the other sign. A swing that is only the pelvis settling (after the closing foot has landed)
or shifting its weight (before a shuffle) sways it little or the wrong way, and moves it less than
a step does; a full closing swing whose sway a trunk twist in the last step hides still moves it
like one.

The detector's edge parameters (units in the names):
- edge_swing_fraction, initiation_rep_fraction: the initiation swing is looked for over the first
  fraction of the bout's median step before the first contact (a swing, ~75-80 % of a step); its
  rep spans the second, as first swings vary (ipol-dev 0.38-0.91 median steps): centred where the
  shortest holds it (analysis round 21);
- edge_motion_g: an edge rep needs the pelvis moving in its span: the RMS of the horizontal linear
  acceleration there at least this (a slow step sways the pelvis 0.03-0.1 g; quiet standing
  < 0.01 g);
- double_support_fraction: the termination swing (the trailing foot closing up) starts this
  fraction of the median step after the last contact: the foot lifts after the double support
  (ipol-dev: the closing swing starts 0.18-0.33 s after the last contact);
- termination_motion_ratio: the termination swing must move the pelvis at least this fraction of
  the bout's own single supports (geometric mean of the ratios of five motion RMS: the three linear
  accelerations, roll and pitch rate): once the closing foot has landed the pelvis only settles
  (ipol-dev: 0.09-0.23 of a step after a closing contact, 0.26-0.99 in a real closing swing; the
  closing swing is small, so this is not a wide margin: see docs/analysis.md);
- termination_roll_ratio: ... and over its second half the pelvis must roll (roll rate RMS) at
  least this fraction of the bout's single supports: a single support rolls the pelvis (the swing
  side drops and recovers), while after the closing foot's own contact it can still sway and pitch
  as it settles but stops rolling (ipol-dev: 0.12-0.15 after a closing contact, 0.23-0.92 in a real
  closing swing; the simulator's gentle closing swing: 0.159-0.19, so 0.16 lost one in bench
  section 1; no margin on either side); 0 disables;
- closing_sway_ratio: after a termination swing the pelvis sways toward the last step's stance foot
  again by at least this fraction of the bout's median step peak: the stop's braking contact was
  lost and that sway is the closing swing, one more rep (`_closing_after`; docs/analysis.md
  round 21); 0 disables;
- initiation_shift_ratio, lift_off_step_ratio: a bout's first contact is the lift-off's weight
  shift, not a heel strike, and gets no initiation swing before it, when both hold: the pelvis
  moved less than initiation_shift_ratio of the bout's single supports (the geometric mean of
  termination_motion_ratio) over the half median step before the would-be swing, and the first
  step is shorter than lift_off_step_ratio median steps (ipol-dev: before a real first heel strike
  the weight shift moves the pelvis 0.17-1.1 and the first step from standing lasts 0.89-1.27
  median steps, stroke-dev 1.19-1.79; after a lift-off bump out of quiet standing 0.02-0.04 and
  0.54-0.81: it is only the swing, 0.75-0.8 of a step); 0 disables the first;
- soft_start_motion_ratio: a bout's weak first contact (under edge_min_fraction) is kept when the
  walk resumes from motion rather than from standing: the pelvis moved at least this fraction of
  the bout's single supports (as initiation_shift_ratio) over the half median step before that
  contact's swing, the contact reaches end_min_fraction, the next one is firm and both steps keep
  the rhythm (`soft_first_step`): a slow start after a turn or a shuffle (mobgap-lowback Test11:
  0.33-0.43); a lift-off bump out of quiet standing also comes 0.85-1.2 median steps before the
  first heel strike, but after a still pelvis (ipol-dev: 0.01-0.17); 0 disables;
- edge_sway_ratio, edge_full_motion_ratio: an edge swing must sway the pelvis off its stance foot
  (this fraction of the bout's step sway peak) or move it like a step (this fraction of its single
  supports): `_sways_away`, figures in docs/thresholds.md; edge_sway_ratio 0 disables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hiplevel.exercises.base import Motion
from hiplevel.exercises.walking_spot_turns import smooth_lateral_g
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import prefix_sums, run_edges


@dataclass(frozen=True)
class BoutSway:
    """One bout's lateral sway as both edges read it (`BoutEdges._bout_sway`): the sway
    (`smooth_lateral_g`, g) from sample lo on, each step's sign (`step_sways`: +1 = leftward, a
    right stance) and the bout's median step peak (g)."""

    lo: int
    sway: np.ndarray
    signs: np.ndarray
    step_peak: float


@dataclass
class BoutFigures:
    """What both edges of one bout compare with, each found once when first asked for.
    motion_sway: the whole motion's `smooth_lateral_g` (g), when at hand (`WalkingDetector.prepare`);
    steps: the bout's single-support `_motion_rms` (median over its steps); sway: the bout's sway
    (`BoutSway`)."""

    motion_sway: np.ndarray | None = None
    steps: np.ndarray | None = None
    sway: BoutSway | None = None


class BoutEdges:
    """The edge rules of `WalkingDetector` (a mixin: the parameters are the detector's fields, documented
    in the module docstring; end_min_fraction: `walking_bouts`; side.irregular_ratio: `walking_side`)."""

    def _initiates(self, m: Motion, a0: int, c: np.ndarray, med: int, single: BoutFigures | None = None) -> bool:
        """Whether the bout starts with an initiation swing over [a0, c[0]): the pelvis moves there,
        and the first contact is a heel strike, not the weight shift of the lift-off itself. That
        shift can bump the pelvis up like a contact; the bout's first "step" is then only the swing
        (shorter than lift_off_step_ratio median steps) and the pelvis was still before it (less
        than initiation_shift_ratio of the bout's single supports over the half median step before
        the would-be swing): the step from that bump already is the first swing."""
        single = BoutFigures() if single is None else single
        if a0 < 0 or not self._moving(m, a0, int(c[0])) or not self._sways_away(m, a0, int(c[0]), 0, c, med, single):
            return False
        pre = a0 - med // 2
        if pre < 0 or int(c[1]) - int(c[0]) >= self.lift_off_step_ratio * med:
            return True
        return self._motion_ratio(m, pre, a0, c, med, single) >= self.initiation_shift_ratio

    def _terminates(self, m: Motion, a1: int, b1: int, c: np.ndarray, med: int, single: BoutFigures | None = None) -> bool:
        """Whether the bout ends with a termination swing over [a1, b1): the recording holds its
        closing contact (up to irregular_ratio median steps after the last contact: a recording
        that stops while the person walks on has no closing swing to report), the pelvis moves
        there, as much as a single support does (termination_motion_ratio), and it still rolls in
        the swing's second half (termination_roll_ratio: after the closing foot's own contact the
        pelvis settles without rolling)."""
        if int(c[-1]) + self.side.irregular_ratio * med >= len(m.t_s):
            return False
        single = BoutFigures() if single is None else single
        if not self._moving(m, int(c[-1]), b1):
            return False
        motion = self._motion_ratio(m, a1, b1, c, med, single)
        if motion < self.termination_motion_ratio or not self._sways_away(m, a1, b1, len(c) - 2, c, med, single, motion):
            return False
        if self.termination_roll_ratio <= 0 or m.acc_lin_g is None or m.gyro_dps is None:
            return True
        mid = (a1 + b1) // 2
        return float(_motion_rms(m, mid, b1)[3]) >= self.termination_roll_ratio * float(single.steps[3])

    def _motion_ratio(self, m: Motion, a: int, b: int, c: np.ndarray, med: int, single: BoutFigures | None = None) -> float:
        """How much the pelvis moves in [a, b) against the bout's single supports (each step's
        span after its double support): geometric mean of the ratios of `_motion_rms`. A roll
        stream: 1 (no test). single: where the bout's single-support figure is kept once found
        (both edges of a bout compare with the same one)."""
        if m.acc_lin_g is None or m.gyro_dps is None:
            return 1.0
        steps = None if single is None else single.steps
        if steps is None:
            q = int(round(self.double_support_fraction * med))
            steps = median(_motion_rms_many(m, c[:-1] + q, c[:-1] + med), axis=0)
            if single is not None:
                single.steps = steps
        ratio = _motion_rms(m, a, b) / np.maximum(steps, 1e-9)
        return float(np.exp(np.log(np.maximum(ratio, 1e-6)).mean()))  # (np.mean's own steps)

    def _sways_away(self, m: Motion, a: int, b: int, k: int, c: np.ndarray, med: int, single: BoutFigures,
                    motion: float | None = None) -> bool:
        """Whether the edge swing [a, b) shows the single support it is: the pelvis sways away from
        its stance foot as in the bout's steps (the sway, `smooth_lateral_g`, peaks with the sign
        opposite to that of the bout's step k next to the edge, its mean over the step's middle
        half, at edge_sway_ratio or more of the bout's median step peak, each step's peak with its
        own sign), or the swing moves the pelvis at least edge_full_motion_ratio of the bout's
        single supports (`_motion_ratio`; motion: that ratio when already found): a twist of the
        trunk in the last step can hide the sway of a full closing swing. A roll stream, or
        edge_sway_ratio 0: no test. single: where the bout's sway and step peak are kept once found
        (both edges of a bout use them)."""
        if self.edge_sway_ratio <= 0 or m.acc_lin_g is None or m.gyro_dps is None or len(c) < 2:
            return True
        s = self._bout_sway(m, c, med, single)
        i, j = max(a - s.lo, 0), min(b - s.lo, len(s.sway))
        if j <= i or s.step_peak <= 0 or (float(np.max(-s.signs[k] * s.sway[i:j]))
                                          >= self.edge_sway_ratio * s.step_peak):
            return True
        motion = self._motion_ratio(m, a, b, c, med, single) if motion is None else motion
        return motion >= self.edge_full_motion_ratio

    def _soft_start(self, m: Motion, c: np.ndarray, h: np.ndarray, floor: float) -> bool:
        """Whether a bout's weak first contact c[0] (height h[0] under the edge trim's floor; c, h:
        the bout's contacts and heights from it on) is the heel strike of a walk resumed from
        motion: `soft_first_step` holds, and the pelvis moved before its swing at least
        soft_start_motion_ratio of the bout's single supports (a lift-off bump out of quiet
        standing has a still pelvis there: `_initiates`)."""
        if self.soft_start_motion_ratio <= 0 or not soft_first_step(
                c, h, floor, self.end_min_fraction * float(median(h)), self.lift_off_step_ratio,
                self.side.irregular_ratio):
            return False
        med = int(median(np.diff(c)))
        a0 = int(c[0]) - int(round(self.edge_swing_fraction * med))
        pre = a0 - med // 2
        return pre >= 0 and self._motion_ratio(m, pre, a0, c, med) >= self.soft_start_motion_ratio

    def _after_lift_off(self, c: np.ndarray, h: np.ndarray, floor: float) -> bool:
        """Whether a bout's weak first contact c[1] is the first heel strike of a walk out of
        standing, its lift-off's weight shift the weaker bump c[0] before it (both under the edge
        trim's floor; c, h: the contacts and heights from that bump on): `soft_first_step` holds
        for c[1], and c[0] is weaker and comes at most irregular_ratio median steps before it (a
        lift-off bump comes a swing, 0.54-1.2 median steps, before the first heel strike: `_initiates`,
        `_soft_start`). A
        walk's first heel strike can be as soft as its last (ipol-dev: 0.35 of the bout's median
        contact, after a 0.12 lift-off bump); its initiation swing is then the swing before it."""
        if len(c) < 5 or h[0] >= h[1]:
            return False
        med = float(median(np.diff(c[1:])))
        return bool(c[1] - c[0] <= self.side.irregular_ratio * med and soft_first_step(
            c[1:], h[1:], floor, self.end_min_fraction * float(median(h[1:])), self.lift_off_step_ratio,
            self.side.irregular_ratio))

    def _bout_sway(self, m: Motion, c: np.ndarray, med: int, single: BoutFigures) -> BoutSway:
        """single.sway, found once (over the bout with its edges: two median steps either side)."""
        if single.sway is None:
            lo, sway = bout_sway_g(m, c, 2 * med, single.motion_sway)
            signs, peaks = step_sways(sway, np.asarray(c, dtype=np.int64) - lo)
            single.sway = BoutSway(lo, sway, signs, float(median(peaks)))
        return single.sway

    def _closing_after(self, m: Motion, b1: int, c: np.ndarray, med: int, single: BoutFigures) -> tuple[int, int] | None:
        """After a termination swing ending at b1: one more single support, the closing swing of a
        stop whose braking contact was lost (the termination swing then lies on the braking step):
        the pelvis sways toward the last step's stance foot again, a lobe of the sway with that
        step's sign peaking within [b1 - med/4, b1 + med) at closing_sway_ratio of the bout's median
        step peak or more. Its span above half its peak, or None."""
        ratio = self.closing_sway_ratio
        if ratio <= 0 or m.acc_lin_g is None or m.gyro_dps is None or len(c) < 3:
            return None
        s = self._bout_sway(m, c, med, single)
        i, j = max(b1 - med // 4 - s.lo, 0), min(b1 + 2 * med - s.lo, len(s.sway))
        x = s.signs[-1] * s.sway[i:j]
        if len(x) < 3 or s.step_peak <= 0:
            return None
        pos = run_edges(x > 0)  # lobe starts and ends (`np.r_` cost ~30 k instructions a call)
        best = None
        for s0, s1 in zip(pos[::2], pos[1::2]):
            k = s0 + int(np.argmax(x[s0:s1]))
            if k < med + med // 4 and k > s0 and (best is None or x[k] > x[best[0]]):
                best = (k, s0, s1)
        if best is None or x[best[0]] < ratio * s.step_peak:
            return None
        k, s0, s1 = best
        half = x[s0:s1] >= 0.5 * x[k]
        a = s0 + int(np.argmax(half))
        b = s1 - int(np.argmax(half[::-1]))
        return a + i + s.lo, b + i + s.lo

    def _moving(self, m: Motion, a: int, b: int) -> bool:
        """Whether the pelvis moves in [a, b): horizontal linear acceleration RMS >= edge_motion_g
        (a roll stream: the roll moves by more than 0.5 deg)."""
        if m.acc_lin_g is None:
            return float(np.ptp(m.roll_deg[a:b])) > 0.5
        x = m.acc_lin_g[a:b, :2]
        # np.mean's own steps (its sum, then / the count) without its Python wrapper: the same bits.
        n = len(x)
        h = x - _add(x, axis=0) / n
        return math.sqrt(_add(_add(h * h, axis=1)) / n) >= self.edge_motion_g


SWAY_PAD_S = 2.0  # the sway's baseline (a 2 s moving mean) settles this far outside the bout, s


def bout_sway_g(m: Motion, c: np.ndarray, extra: int = 0,
                whole: np.ndarray | None = None) -> tuple[int, np.ndarray]:
    """A bout's lateral sway (`smooth_lateral_g`, g) and the sample lo it starts at: over its contacts c
    (sample indices), SWAY_PAD_S and `extra` samples either side; whole: the motion's whole sway, when at
    hand, to cut it from (else it is filtered over that span alone: the same in any chunk)."""
    pad = int(SWAY_PAD_S * m.rate_hz) + extra
    lo, hi = max(0, int(c[0]) - pad), min(len(m.t_s), int(c[-1]) + pad)
    return lo, smooth_lateral_g(m.acc_lin_g[lo:hi, 1], m.rate_hz) if whole is None else whole[lo:hi]


_EPS = float(np.finfo(float).eps)
_add = np.add.reduce


def step_sways(sway: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each step [c_k, c_k+1)'s sway sign, that of the sway's mean over its middle half (+1 =
    leftward: a right stance), and the step's peak of the sway with that sign, g; c: contacts,
    indices into sway. All steps at once (a few numpy calls a step cost 0.1 s an hour): a sum
    from the running sum is not numpy's sum to the bit, but has its sign wherever it lies farther
    from zero than both can err (recursive summation: n eps times the sum of magnitudes); the
    few others take numpy's mean."""
    a, b = c[:-1], c[1:]
    q = (b - a) // 4
    s0, s1 = a + q, np.maximum(b - q, a + q + 1)
    run = prefix_sums(sway)
    sums = run[s1] - run[s0]
    signs = np.where(sums >= 0, 1.0, -1.0)
    err = 8 * (len(sway) + 1) * _EPS * float(np.abs(sway).sum())
    for k in np.flatnonzero(np.abs(sums) <= err).tolist():
        signs[k] = 1.0 if float(np.mean(sway[s0[k] : s1[k]])) >= 0 else -1.0
    # The steps follow each other: one signed copy of their span, each step's maximum of it.
    return signs, np.maximum.reduceat(np.repeat(signs, b - a) * sway[a[0] : b[-1]], a - a[0])


def _motion_rms_many(m: Motion, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`_motion_rms` of each window [a_k, b_k), (K,5): one call of the compiled kernel when built
    (the same sums in the same order: the results to the bit), else one window at a time."""
    from hiplevel._native import scan_kernel

    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    kernel, n = scan_kernel(), len(m.acc_lin_g)
    if kernel is not None and len(a) and (a >= 0).all() and (a < np.minimum(b, n)).all():
        out = np.empty((len(a), 5))
        kernel.window_rms(np.ascontiguousarray(m.acc_lin_g, dtype=np.float64),
                          np.ascontiguousarray(m.gyro_dps, dtype=np.float64), a, np.minimum(b, n), out)
        return out
    return np.array([_motion_rms_numpy(m, int(x), int(y)) for x, y in zip(a, b)]).reshape(len(a), 5)


def _motion_rms(m: Motion, a: int, b: int) -> np.ndarray:
    """RMS about the mean over [a, b) of the three linear accelerations (g) and the roll and pitch
    rates (deg/s), (5,): the compiled kernel's one window when built (one call, not numpy's seven;
    the same bits)."""
    from hiplevel._native import scan_kernel

    kernel, n = scan_kernel(), len(m.acc_lin_g)
    if kernel is not None and 0 <= a < min(b, n):  # `_motion_rms_many`'s call without its array checks
        out = np.empty((1, 5))
        kernel.window_rms(np.ascontiguousarray(m.acc_lin_g, dtype=np.float64),
                          np.ascontiguousarray(m.gyro_dps, dtype=np.float64), np.array([a], dtype=np.int64),
                          np.array([min(b, n)], dtype=np.int64), out)
        return out[0]
    return _motion_rms_many(m, np.array([a]), np.array([b]))[0]


def _motion_rms_numpy(m: Motion, a: int, b: int) -> np.ndarray:
    """`_motion_rms` in numpy: the reference the compiled kernel matches to the bit."""
    x = np.column_stack([m.acc_lin_g[a:b], m.gyro_dps[a:b, :2]])
    return np.sqrt(np.mean((x - x.mean(axis=0)) ** 2, axis=0))


def soft_first_step(c: np.ndarray, h: np.ndarray, floor: float, least: float, lift_off_step_ratio: float,
                    irregular_ratio: float) -> bool:
    """Whether a bout's weak first contact c[0] (height h[0] < floor, the edge trim's) is a heel
    strike all the same: a walk can start with soft steps (daily life: a slow start after a turn
    or a pause). Three cues must hold: it is not negligible (h[0] >= least), the contact after it
    is a firm one (h[1] >= floor), and its step keeps the rhythm of the bout: between
    lift_off_step_ratio and irregular_ratio median steps (a lift-off's weight shift comes only a
    swing, 0.54-0.81 median steps, before the first heel strike: `_initiates`), as does the step
    after it. c: the bout's contacts (samples), h: their heights, g."""
    if len(c) < 4 or h[0] < least or h[1] < floor:
        return False
    d = np.diff(c).astype(float)
    med = float(median(d))
    return bool(lift_off_step_ratio * med <= d[0] <= irregular_ratio * med
                and med / irregular_ratio <= d[1] <= irregular_ratio * med)
