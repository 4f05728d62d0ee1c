"""Event matching and agreement statistics used by every accuracy section (pure, numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when there is nothing to divide by (denominator 0): a rate of
    no events is unknown, not 0."""
    return numerator / denominator if denominator else float("nan")


@dataclass(frozen=True)
class EventMatch:
    """Greedy one-to-one matching of detected to reference events within a tolerance.

    pairs: (i_detected, i_reference) index pairs; n_detected / n_reference: counts in the
    evaluated windows; dt_s: detected minus reference time of each pair, s."""

    pairs: list[tuple[int, int]]
    n_detected: int
    n_reference: int
    dt_s: np.ndarray

    @property
    def tp(self) -> int:
        return len(self.pairs)

    @property
    def sensitivity(self) -> float:
        """Matched reference events / reference events (recall)."""
        return ratio(self.tp, self.n_reference)

    @property
    def precision(self) -> float:
        """Matched detections / detections."""
        return ratio(self.tp, self.n_detected)


def match_events(detected_s: np.ndarray, reference_s: np.ndarray, tolerance_s: float) -> EventMatch:
    """Match events (times in s) closest-first, each used once, |dt| <= tolerance_s."""
    d = np.asarray(detected_s, float)
    r = np.asarray(reference_s, float)
    if len(d) == 0 or len(r) == 0:
        return EventMatch([], len(d), len(r), np.empty(0))
    diff = np.abs(d[:, None] - r[None, :])
    cand = np.argwhere(diff <= tolerance_s)
    order = np.argsort(diff[cand[:, 0], cand[:, 1]], kind="stable")
    used_d: set[int] = set()
    used_r: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for i, j in cand[order]:
        if i in used_d or j in used_r:
            continue
        used_d.add(int(i))
        used_r.add(int(j))
        pairs.append((int(i), int(j)))
    pairs.sort(key=lambda p: p[1])
    dt = np.array([d[i] - r[j] for i, j in pairs])
    return EventMatch(pairs, len(d), len(r), dt)


def in_windows(t_s: np.ndarray, windows: list[tuple[float, float]], margin_s: float = 0.0) -> np.ndarray:
    """Boolean mask of times that fall inside any [start - margin, end + margin] window."""
    t = np.asarray(t_s, float)
    m = np.zeros(len(t), bool)
    for a, b in windows:
        m |= (t >= a - margin_s) & (t <= b + margin_s)
    return m


# A single-leg-stance hold's length is itself a result: the hold time the clinician reads against
# the prescribed 30-60 s (domain primer; under 30 s is flagged short). A found hold gives that time
# only when at least 80 % of the true hold lies inside it and no more than 20 % of the true hold's
# length lies outside it, i.e. the time read is within 20 % of the truth and is that hold's, not a
# neighbour's or a fragment's (product assumption: a fifth of a 30 s hold, 6 s, is the most a time
# read off the belt may be off; the detector's usual edges are 0.1-0.2 s off).
HOLD_SPAN_TOLERANCE = 0.2


def hold_span_right(true_s: tuple[float, float], found_s: tuple[float, float],
                    tolerance: float = HOLD_SPAN_TOLERANCE) -> bool:
    """True when a found hold (start, end), s, gives the true hold's time: it covers at least
    (1 - tolerance) of the true hold and reaches outside it by at most tolerance x its length."""
    t0, t1 = true_s
    f0, f1 = found_s
    length = t1 - t0
    inside = max(0.0, min(t1, f1) - max(t0, f0))
    outside = (f1 - f0) - inside
    return inside >= (1.0 - tolerance) * length and outside <= tolerance * length


def split_hold_times(pairs: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """(found, wrong time): the (true rep, found rep) pairs split by whether the found rep counts.
    A true rep that is a timed hold (it carries hold_s: single-leg stance) counts only when the found
    span gives its time (`hold_span_right`): a matched midpoint alone would take a fragment of a hold
    for the hold. Other reps always count."""
    found, wrong = [], []
    for t, r in pairs:
        timed = getattr(t, "hold_s", None) is not None
        ok = not timed or hold_span_right((t.start_s, t.end_s), (r.start_s, r.end_s))
        (found if ok else wrong).append((t, r))
    return found, wrong


@dataclass(frozen=True)
class Agreement:
    """Agreement of paired errors e = measured - true: RMSE, bias (mean), 95 % limits of agreement
    (bias +- 1.96 SD, Bland-Altman), n."""

    rmse: float
    bias: float
    loa_low: float
    loa_high: float
    n: int


def agreement(errors: np.ndarray) -> Agreement:
    """Bland-Altman style summary of errors (any unit)."""
    e = np.asarray(errors, float)
    e = e[np.isfinite(e)]
    if len(e) == 0:
        nan = float("nan")
        return Agreement(nan, nan, nan, nan, 0)
    bias = float(e.mean())
    sd = float(e.std(ddof=1)) if len(e) > 1 else 0.0
    return Agreement(float(np.sqrt(np.mean(e**2))), bias, bias - 1.96 * sd, bias + 1.96 * sd, len(e))


def rms(x: np.ndarray) -> float:
    """Root mean square of the finite values."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.sqrt(np.mean(x**2))) if len(x) else float("nan")


def pearson_r(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation over samples where both are finite."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])
