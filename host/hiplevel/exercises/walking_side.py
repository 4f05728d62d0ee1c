"""Stance side of each walking step from several independent cues, with a confidence.

Each cue says, per step, which foot is on the ground; none is trusted alone:
- **sway** (accelerometer, lateral): the pelvis travels over the stance foot, so in mid stance
  it is decelerated back toward the midline: the lateral acceleration points away from the stance
  side (mechanically needed for balance, so it holds in asymmetric and slow gait);
- **loading** (gyro, roll rate): in loading response the swing side drops, so the pelvis rolls
  toward the swing side in the first 30 % of the step (the roll part of McCamley 2012 and
  Ullrich 2021; a hip hike reverses it on one side only, which costs half its steps);
- **rotation** (gyro, yaw rate): the swing side swings forward, turning the pelvis toward the
  stance side (McCamley 2012). After a stroke it points the other way in many steps, so it counts
  only as far as it agrees with the others.

Each cue is high-passed over two steps (turns, offsets), scaled by its robust size and clipped,
and weighted by how often it agrees with the other cues over the whole recording (2 a - 1 for an
agreement rate a: a cue at chance or reversed gets no weight). Sway, the one cue every step needs
mechanically, is the reference: it weighs 1 and each gyro cue its agreement with sway (its accuracy
were sway always right: a lower bound). A fit of all pairwise agreements (Dawid-Skene) would need
the cues to err independently, and the two gyro cues do not (a twist of the trunk in daily life
moves roll and yaw rate together); with one of them at chance it cannot tell the other two apart
at all. Without the anchor cue the fit is used. Steps alternate, so the steps of
a bout form a two-state hidden Markov chain whose emissions are the combined evidence; a regular
step is very unlikely to repeat the foot, a step at a pause, a turn or of irregular length may
(a missed or extra contact, a shuffle). Forward-backward gives each step's posterior: the side is
the likelier foot and the confidence its probability, so a turn can shift the parity where the
evidence says so and one weak step cannot flip a bout. Roll stream only: the roll itself (the
swing side hangs lower over the step) is the one cue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hiplevel._native import filter_kernel
from hiplevel.constants import LEFT, RIGHT, Side
from hiplevel.exercises.base import Motion
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import moving_mean, prefix_sums

CUES = ("sway", "loading", "rotation")


@dataclass(frozen=True)
class StepSides:
    """Result for the steps of one bout: side per step, confidence (posterior probability of that
    side, 0.5-1), and the combined evidence (> 0 = left stance, in cue-scale units)."""

    sides: list[Side]
    confidence: np.ndarray
    evidence: np.ndarray


@dataclass(frozen=True)
class StanceSideDecider:
    """Parameters (units in the names).

    regular_repeat_prob: probability that two regular consecutive steps are by the same foot
        (a contact missed or added by the step detector);
    irregular_repeat_prob: the same at a step of irregular length (outside 1/irregular_ratio ..
        irregular_ratio times the bout's median step), a pause (a step longer than pause_s) or a
        turn (heading rate above turn_rate_dps, averaged over 1 s): shuffles and turns on the spot
        can repeat a foot;
    evidence_gain: log-likelihood ratio (nats) per unit of combined evidence (a typical step's
        evidence is about 1: p = 0.9 from one step alone);
    cue_clip: a cue's value is clipped at this many times its robust size (one impact or spike
        cannot outvote a bout);
    loading_fraction: the first part of the step whose roll rate is the loading cue;
    min_agreement_steps: below this many steps with clear evidence, cue weights stay 1 (too few
        to judge a cue);
    anchor_cue: the reference cue ("" = none: the agreement fit alone): sway, which balance needs in
        every step. It weighs 1 and every other cue 2 a - 1 (clipped to 0-1) for its rate a of
        agreement with it. The agreement fit cannot tell sway from two cues that err together, nor
        from one cue when the third is at chance (mobgap-lowback Test11 against INDIP: sway right in
        89-94 % of steps, roll rate in 39-65 % (at chance or reversed), yaw rate in 59-76 %; the fit
        gave yaw rate 1.0 and sway 0.12-0.14, held at half the best by a floor: side 92.4 %, with
        sway as the reference 95.9 %, Stereophoto 92.1 -> 95.5 %). Sway is the best single cue on
        every real set (ipol-dev 98.6 %, stroke-dev 98.9 % of steps); ipol-dev (1076/1087 sides),
        stroke-dev (3431/3432) and the simulator's full-speed U-turns (360/360, bench section 1:
        there sway takes centripetal acceleration, and the gyro cues, which agree with it in the
        other steps, keep nearly its weight) are unchanged. Raising the old floor to more than
        twice the best cue's weight instead lost 6-23 of those 360 steps."""

    regular_repeat_prob: float = 0.01
    irregular_repeat_prob: float = 0.3
    irregular_ratio: float = 1.5
    pause_s: float = 1.2
    turn_rate_dps: float = 30.0
    evidence_gain: float = 2.0
    cue_clip: float = 3.0
    loading_fraction: float = 0.3
    min_agreement_steps: int = 8
    anchor_cue: str = "sway"

    def cues(self, m: Motion, c: np.ndarray) -> dict[str, np.ndarray]:
        """Raw cue values of the steps c[k]..c[k+1] of one bout (> 0 = left stance)."""
        step = max(2, int(median(np.diff(c))))
        lo, hi = max(0, int(c[0]) - 2 * step), min(len(m.t_s), int(c[-1]) + 2 * step + 1)
        a, b = c[:-1] - lo, c[1:] - lo
        d = b - a
        if m.acc_lin_g is None or m.gyro_dps is None:
            roll = _detrend(m.roll_deg[lo:hi], 2 * step)
            return {"roll": _segment_means(roll, a, b)}
        lat = _detrend(m.acc_lin_g[lo:hi, 1], 2 * step)
        gyro = m.gyro_dps[lo:hi]
        q = d // 4
        load_end = a + np.maximum(1, np.round(self.loading_fraction * d).astype(int))
        return {
            "sway": -_segment_means(lat, a + q, b - q),
            "loading": _segment_means(_detrend(gyro[:, 0], 2 * step), a, load_end),
            "rotation": _segment_means(_detrend(gyro[:, 2], 2 * step), a, b),
        }

    def cue_weights(self, cues: list[dict[str, np.ndarray]]) -> tuple[dict[str, float], dict[str, float]]:
        """Robust scale and weight of each cue over all bouts of a recording."""
        names = list(cues[0]) if cues else []
        allc = {n: np.concatenate([c[n] for c in cues]) for n in names}
        scale = {n: float(median(np.abs(v))) + 1e-12 for n, v in allc.items()}
        z = {n: np.clip(v / scale[n], -self.cue_clip, self.cue_clip) for n, v in allc.items()}
        weight = {n: 1.0 for n in names}
        n_steps = len(next(iter(z.values()))) if z else 0
        if len(names) < 3 or n_steps < self.min_agreement_steps:
            return scale, weight
        sgn = np.array([np.sign(z[n]) for n in names])
        r = (sgn[:, None, :] == sgn[None, :, :]).mean(axis=2) * 2.0 - 1.0
        if self.anchor_cue in names:
            # Agreement with the reference: the cue's own 2 p - 1 were the reference always right.
            i = names.index(self.anchor_cue)
            return scale, {n: 1.0 if j == i else float(np.clip(r[i, j], 0.0, 1.0)) for j, n in enumerate(names)}
        # Two independent cues of accuracies p_i, p_j agree with probability
        # p_i p_j + (1 - p_i)(1 - p_j), so 2 a_ij - 1 = d_i d_j with d = 2 p - 1: a rank-one fit of
        # the pairwise agreements gives each cue's own d (Dawid-Skene for two classes), sign taken
        # from the majority. A cue at chance or reversed gets no weight.
        d = np.ones(len(names))
        for _ in range(50):
            for i in range(len(names)):
                o = np.arange(len(names)) != i
                d[i] = float(np.dot(r[i, o], d[o]) / max(np.dot(d[o], d[o]), 1e-9))
            if np.sum(d) < 0:
                d = -d
        weight = {n: float(np.clip(d[i], 0.0, 1.0)) for i, n in enumerate(names)}
        if sum(weight.values()) <= 0:
            weight = {n: 1.0 for n in names}
        return scale, weight

    def combine(self, cue: dict[str, np.ndarray], scale: dict[str, float], weight: dict[str, float]) -> np.ndarray:
        """Weighted mean of the scaled, clipped cues (> 0 = left stance)."""
        tot = sum(weight.values())
        return sum(weight[n] * np.clip(v / scale[n], -self.cue_clip, self.cue_clip) for n, v in cue.items()) / tot

    def repeat_probs(self, m: Motion, c: np.ndarray) -> np.ndarray:
        """Probability that step k+1 is by the same foot as step k (len(c) - 2 values)."""
        dur = np.diff(c) / m.rate_hz
        med = float(median(dur))
        odd = (dur > self.irregular_ratio * med) | (dur < med / self.irregular_ratio) | (dur > self.pause_s)
        irregular = odd[:-1] | odd[1:]
        if m.gyro_dps is not None and len(c) > 2:
            lo, hi = int(c[0]), int(c[-1]) + 1
            heading = np.abs(moving_mean_at(m.gyro_dps[lo:hi, 2], max(1, int(m.rate_hz)), c[1:-1] - lo))
            irregular |= heading > self.turn_rate_dps
        return np.where(irregular, self.irregular_repeat_prob, self.regular_repeat_prob)

    def combine_bouts(self, cues: list[dict[str, np.ndarray]], scale: dict[str, float],
                      weight: dict[str, float]) -> list[np.ndarray]:
        """`combine` of several bouts' cues (their steps end to end: one numpy pass a cue for all
        the bouts, not a pass a bout; the same values, element by element)."""
        names = [tuple(c) for c in cues]
        if not cues or not names[0] or names.count(names[0]) != len(names):  # the same cues in one order: one sum
            return [self.combine(c, scale, weight) for c in cues]
        ends = np.cumsum([len(c[names[0][0]]) for c in cues])[:-1]
        joined = {n: np.concatenate([c[n] for c in cues]) for n in names[0]}
        return np.split(self.combine(joined, scale, weight), ends)

    def decide(self, evidence: np.ndarray, repeat: np.ndarray) -> StepSides:
        """Forward-backward over one bout: posterior of left stance per step."""
        return self.decide_bouts([evidence], [repeat])[0]

    def decide_bouts(self, evidence: list[np.ndarray], repeat: list[np.ndarray]) -> list[StepSides]:
        """`decide` of several bouts (each bout's steps one chain; the numpy steps before and after
        the recursions once over all the bouts' steps: the same values, element by element, as
        bout by bout, at ~20 us less a bout)."""
        if not evidence:
            return []
        sizes = [len(e) for e in evidence]
        starts = np.cumsum([0] + sizes[:-1])
        llr = np.clip(self.evidence_gain * np.concatenate(evidence), -30.0, 30.0)
        # log emission for states (left, right)
        em = np.column_stack([0.5 * llr, -0.5 * llr])
        fwd = np.zeros((len(llr), 2))
        bwd = np.zeros((len(llr), 2))
        fwd[starts] = em[starts] - _logsumexp(em[starts], axis=1)[:, None]
        kernel = filter_kernel()
        for a, n, rep in zip(starts.tolist(), sizes, repeat):
            e, f, b = em[a : a + n], fwd[a : a + n], bwd[a : a + n]
            if kernel is not None:
                # The same recursions compiled (the same operations, the C library's log and exp).
                kernel.forward_backward(e, np.ascontiguousarray(rep, dtype=float), f, b)
            else:
                _forward_backward(e, rep, f, b)
        post = fwd + bwd
        post -= _logsumexp(post, axis=1)[:, None]
        p_left = np.exp(post[:, 0])
        sides: list[Side] = [LEFT if p >= 0.5 else RIGHT for p in p_left.tolist()]
        conf = np.maximum(p_left, 1.0 - p_left)
        return [StepSides(sides[a : a + n], conf[a : a + n], e) for a, n, e in zip(starts.tolist(), sizes, evidence)]


def _forward_backward(em: np.ndarray, repeat: np.ndarray, fwd: np.ndarray, bwd: np.ndarray) -> None:
    """The two log-space recursions of `decide` on Python floats, into fwd (row 0 given) and bwd
    (its last row given): on Python floats a step costs ~1 us, on 2-element arrays ~20 us."""
    n = len(em)
    e0, e1 = em[:, 0].tolist(), em[:, 1].tolist()
    f0, f1 = float(fwd[0, 0]), float(fwd[0, 1])
    for k in range(1, n):
        same, other = _log_trans_pair(float(repeat[k - 1]))
        f0, f1 = e0[k] + _lse(f0 + same, f1 + other), e1[k] + _lse(f0 + other, f1 + same)
        norm = _lse(f0, f1)
        f0, f1 = f0 - norm, f1 - norm
        fwd[k] = f0, f1
    b0, b1 = float(bwd[n - 1, 0]), float(bwd[n - 1, 1])
    for k in range(n - 2, -1, -1):
        same, other = _log_trans_pair(float(repeat[k]))
        x0, x1 = e0[k + 1] + b0, e1[k + 1] + b1
        b0, b1 = _lse(same + x0, other + x1), _lse(other + x0, same + x1)
        norm = _lse(b0, b1)
        b0, b1 = b0 - norm, b1 - norm
        bwd[k] = b0, b1


def _log_trans_pair(repeat: float) -> tuple[float, float]:
    """(log P(same foot), log P(other foot)) of the step transition, P(same foot) = repeat."""
    r = min(max(repeat, 1e-9), 1.0 - 1e-9)
    return math.log(r), math.log(1.0 - r)


def _lse(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) of two floats."""
    m = a if a > b else b
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def _logsumexp(x: np.ndarray, axis: int | None = None) -> np.ndarray:
    mx = np.max(x, axis=axis, keepdims=True)
    out = mx + np.log(np.sum(np.exp(x - mx), axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


def _detrend(x: np.ndarray, window: int) -> np.ndarray:
    """x minus its centred moving mean over `window` samples (anything slower than a stride)."""
    # A column of the motion made contiguous once: the compiled moving mean copied it anyway, and
    # the difference runs on contiguous samples (a strided one took ~7 instructions a sample).
    x = np.ascontiguousarray(x, dtype=float)
    return x - moving_mean(x, window)


def moving_mean_at(x: np.ndarray, window: int, at: np.ndarray) -> np.ndarray:
    """`filters.moving_mean(x, window)[at]` of a 1-D x at the sample indices `at` (0 <= at < len(x)),
    the same values: its prefix sums of [0, x...] in sample order (as numpy's cumsum and the
    compiled kernel take them), differenced and divided at `at` alone (a bout's turn rate is read
    at its contacts only)."""
    x = np.asarray(x, float)
    n = len(x)
    w = max(1, min(window, n))
    c1 = np.cumsum(np.concatenate([np.zeros(1), x]))
    start = np.minimum(np.maximum(np.asarray(at) - w // 2, 0), n - w)
    return (c1[start + w] - c1[start]) / w


def _segment_means(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Means of x[a_k:b_k] (at least one sample each) from one cumulative sum."""
    # np.concatenate and np.minimum / np.maximum: the same values as np.r_ and np.clip on these
    # integer bounds without their per-call costs (three cues a bout).
    cs = prefix_sums(x)
    a = np.minimum(np.maximum(a, 0), len(x) - 1)
    b = np.minimum(np.maximum(np.maximum(b, a + 1), 1), len(x))
    return (cs[b] - cs[a]) / (b - a)
