"""What every exercise detector gets and returns, and the helpers they share.

A detector is a class with frozen parameters and one action method, `detect(motion)`, returning
`RepWindow`s: where a rep is, its side, and where to measure its drop. Measuring and scoring the
drop is common to all exercises (`measure_drop`), so every detector reports drops the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Protocol, runtime_checkable

import numpy as np

from hiplevel.constants import STANDARD_GRAVITY_MS2, Side
from hiplevel.direct_init import direct_init
from hiplevel.signal.biquad import sosfiltfilt
from hiplevel.signal.exact_median import percentile
from hiplevel.signal.filters import design_sos, moving_max, moving_min, zero_phase_lowpass
from hiplevel.signal.peaks import find_peaks
from hiplevel.signal.fusion import FusionSettings, pitch_terms, roll_pitch_to_up, turned_about_x


@dataclass(frozen=True)
class ShortRun:
    """A run of reps that what follows it can still undo, as a detector declares it (its
    `short_run`): at most max_reps reps, each starting within gap_s of the one before ending,
    decided once settle_s after its last rep is seen. Walking: a few steps that turn into lying
    down are a posture change, no walk. A live analysis holds such a run until then."""

    max_reps: int
    gap_s: float
    settle_s: float


@runtime_checkable
class UndoesShortRuns(Protocol):
    """A detector whose short runs of reps what follows can still undo (walking)."""

    @property
    def short_run(self) -> ShortRun: ...


@dataclass(frozen=True)
class Motion:
    """Input of a detector: one set on a uniform grid.

    t_s (N,), s; rate_hz; roll_deg (N,): relative to the set's neutral (+ = left side higher);
    pitch_deg (N,): relative to the standing pose (+ = front down); acc_lin_g (N,3): linear
    acceleration in the levelled pelvis frame (gravity removed), g, None for a roll stream;
    gyro_dps (N,3) bias-free, None for a roll stream; still (N,) bool."""

    t_s: np.ndarray
    rate_hz: float
    roll_deg: np.ndarray
    pitch_deg: np.ndarray
    acc_lin_g: np.ndarray | None
    gyro_dps: np.ndarray | None
    still: np.ndarray
    # What `analysis.offline.motion_of` made for the linear acceleration (`with_sensor_tilt`): the
    # up-vectors (N,3) of the sensor's roll (roll_deg + sensor_neutral_deg) and pitch, and the pitch's
    # `fusion.pitch_terms`; None: `up` and `pitch_terms` make their own from roll_deg and pitch_deg.
    # Not init fields: a `replace` (a new tilt: `without_rest_tilt`) makes its own.
    sensor_up: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    sensor_neutral_deg: float = field(default=0.0, init=False, repr=False, compare=False)
    given_pitch_terms: tuple[np.ndarray, np.ndarray] | None = field(default=None, init=False, repr=False,
                                                                      compare=False)

    @classmethod
    def with_sensor_tilt(cls, sensor_up: np.ndarray, sensor_neutral_deg: float, terms: tuple[np.ndarray, np.ndarray],
                         **fields) -> Motion:
        """Motion(**fields) whose `up` is sensor_up (N,3) turned about x by sensor_neutral_deg and
        whose `pitch_terms` are terms (`fusion.pitch_terms` of its pitch_deg)."""
        m = cls(**fields)
        for name, value in (("sensor_up", sensor_up), ("sensor_neutral_deg", sensor_neutral_deg),
                            ("given_pitch_terms", terms)):
            object.__setattr__(m, name, value)  # (frozen: how its own constructor sets a field)
        return m

    @cached_property
    def pitch_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """`fusion.pitch_terms` of pitch_deg, made once (or those given: `given_pitch_terms`)."""
        return pitch_terms(self.pitch_deg) if self.given_pitch_terms is None else self.given_pitch_terms

    @cached_property
    def up(self) -> np.ndarray:
        """The unit up-vectors (N,3) of roll_deg and pitch_deg (`fusion.roll_pitch_to_up`), made
        once (the walking detector's stages all read them); from `sensor_up` turned about x by
        sensor_neutral_deg when given (within a few ulps: six products and sums a sample, not the
        roll's sine and cosine)."""
        if self.sensor_up is None:
            return roll_pitch_to_up(self.roll_deg, self.pitch_deg, self.pitch_terms)
        return turned_about_x(self.sensor_up, self.sensor_neutral_deg)


@direct_init
@dataclass(frozen=True)
class PhaseWindow:
    """One single-support phase inside a rep (band walk: the lead leg's swing, then the trailing
    leg's): [start, end) sample indices, the stance (tested) leg, and the drop window [win0, win1)
    in which the unsupported side's drop is measured (`measure_drop`, peak or robust)."""

    start: int
    end: int
    stance: Side
    win: tuple[int, int]
    robust: bool = False
    drop_deg: float | None = None  # measured by the detector itself (e.g. a hike, `measure_drop_or_hike`)


@direct_init
@dataclass(frozen=True)
class RepWindow:
    """A detected rep: [start, end) sample indices, its side, the drop window [win0, win1), the
    side whose drop is measured, robust (95th percentile) or peak, and extra metrics.

    drop_deg: the rep's drop, deg, when the detector measures it itself (e.g. the clamshell's
    roll-back, or a drop on a roll the detector re-aligned); None = `measure_drop` on the set's roll.
    phases: the rep's single-support phases when it has more than one (band walk, lead swing
    first); each is measured and scored on its own and the rep takes its worse phase's side, drop
    and flags (`analysis.offline.score_windows`)."""

    start: int
    end: int
    side: Side
    win: tuple[int, int]
    measure_side: Side
    robust: bool = False
    metrics: dict = field(default_factory=dict)
    drop_deg: float | None = None
    phases: tuple[PhaseWindow, ...] = ()


ROBUST_PERCENTILE = 95.0  # "robust peak, not a single spike" for holds
# A rise of the unsupported side is reported (as a negative drop) from this size on, deg; below it
# the pelvis is level either way and the drop is reported (sim/labels.py: the same rule).
HIKE_MIN_DEG = 1.0


def without_rest_tilt(m: Motion, rest_of: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> Motion:
    """The motion re-fused with the accelerometer trusted fast only where the pelvis really rests.

    The signal layer's fusion trusts the accelerometer within 0.5 s whenever the sensor looks at
    rest, and a slow translation (a 2 s weight shift, a slow lateral step) accelerates so gently
    that it looks at rest: its acceleration is taken for tilt (up to 1.3 deg of roll in a 2.5 s
    band-walk step) and lost from the linear acceleration. Re-fused here from the set's own samples
    with rest = still and not moving sideways or forward by `rest_of(acc_lin_g_one_axis, still,
    rate_hz)` (`calm_mask`, `quiet_mask`), for detectors that integrate the linear acceleration.
    A roll stream is returned as is."""
    if m.acc_lin_g is None or m.gyro_dps is None or len(m.t_s) < 4:
        return m
    from hiplevel.signal.fusion import fuse_tilt, up_to_roll_pitch_deg

    raw = m.acc_lin_g + m.up  # the specific force, g
    settings = FusionSettings(turn_errors=False)
    # First without any rest (the gyro carries the tilt through slow moves), then with rest where
    # that fusion's linear acceleration is quiet.
    zero = np.zeros(3)  # the motion's gyro is already bias-free
    lin = raw - fuse_tilt(m.t_s, raw, m.gyro_dps, settings, rest=np.zeros(len(raw), dtype=bool), gyro_bias_dps=zero).up_
    rest = rest_of(lin[:, 1], m.still, m.rate_hz) & rest_of(lin[:, 0], m.still, m.rate_hz)
    slow = fuse_tilt(m.t_s, raw, m.gyro_dps, settings, rest=rest, gyro_bias_dps=zero)
    roll, pitch = up_to_roll_pitch_deg(slow.up_)
    return replace(m, roll_deg=roll, pitch_deg=pitch, acc_lin_g=raw - slow.up_)


def measure_drop(roll_rel_deg: np.ndarray, win: tuple[int, int], measure_side: Side, robust: bool) -> float:
    """Peak drop, deg, of `measure_side` below neutral in roll_rel_deg[win] (negative = it rose)."""
    a, b = win
    seg = roll_rel_deg[a:max(b, a + 1)]
    drop = -seg if measure_side == "left" else seg
    return float(percentile(drop, ROBUST_PERCENTILE) if robust else np.max(drop))


def measure_drop_or_hike(roll_rel_deg: np.ndarray, win: tuple[int, int], measure_side: Side, robust: bool) -> float:
    """Peak excursion of the unsupported `measure_side` in roll_rel_deg[win], deg: its drop below
    neutral (> 0), or, when it rose further than it dropped and by at least HIKE_MIN_DEG, minus the
    rise (a hip hike, < 0; a level pelvis wobbling by tenths of a degree reads as its drop).

    robust: the 95th percentile of each direction instead of its maximum (holds)."""
    a, b = win
    seg = roll_rel_deg[a:max(b, a + 1)]
    drop = -seg if measure_side == "left" else seg
    down = float(percentile(drop, ROBUST_PERCENTILE) if robust else np.max(drop))
    up = float(percentile(-drop, ROBUST_PERCENTILE) if robust else np.max(-drop))
    return -up if up > down and up >= HIKE_MIN_DEG else down


def cumtrapz0(x: np.ndarray, dt: float) -> np.ndarray:
    """Cumulative trapezoidal integral along axis 0, starting at 0."""
    out = np.zeros_like(x, dtype=float)
    out[1:] = np.cumsum(0.5 * (x[1:] + x[:-1]) * dt, axis=0)
    return out


def highpass(x: np.ndarray, cutoff_hz: float, rate_hz: float) -> np.ndarray:
    """Zero-phase 2nd-order Butterworth high-pass along axis 0."""
    sos = design_sos(2, cutoff_hz / (0.5 * rate_hz), "high")
    if len(x) <= 15:
        return x - np.mean(x, axis=0)
    return sosfiltfilt(sos, x, padlen=min(len(x) - 1, int(3 * rate_hz / cutoff_hz)))


def velocity_mps(acc_g: np.ndarray, rate_hz: float, hp_hz: float = 0.15, lp_hz: float = 4.0) -> np.ndarray:
    """Velocity, m/s, from linear acceleration (g), band-limited so integration drift cannot build."""
    a = zero_phase_lowpass(acc_g, lp_hz, rate_hz) * STANDARD_GRAVITY_MS2
    return highpass(cumtrapz0(highpass(a, hp_hz, rate_hz), 1.0 / rate_hz), hp_hz, rate_hz)


@dataclass(frozen=True)
class Hump:
    """One movement in one direction: sign (+1/-1), peak index and value, onset/offset indices."""

    sign: int
    peak: int
    height: float
    onset: int
    offset: int


def find_humps(v: np.ndarray, rate_hz: float, min_height: float, min_gap_s: float, edge_frac: float = 0.1,
               rise_frac: float = 0.0) -> list[Hump]:
    """Velocity humps (one per movement) of either sign above min_height, in time order.

    onset/offset: where |v| falls below edge_frac of the hump's peak, or stops falling, on either
    side; with rise_frac > 0, where it rises again by more than rise_frac of the peak above the
    lowest point so far (a wobble on the flank does not end the move), at that lowest point."""
    humps: list[Hump] = []
    for sign in (1, -1):
        x = sign * v
        peaks, props = find_peaks(x, height=min_height, distance=max(1, int(min_gap_s * rate_hz)),
                                      prominence=0.5 * min_height)
        xs = x.tolist() if len(peaks) else []  # Python floats: the flank walks read one sample at a time
        for p in peaks.tolist():
            top = xs[p]
            thr = edge_frac * top
            # Walk down each flank until the level is low or the signal turns up again (the next
            # move follows without a pause, and integration leaves a slow offset).
            if rise_frac <= 0.0:
                a = p
                while a > 0 and xs[a] > thr and xs[a - 1] <= xs[a]:
                    a -= 1
                b = p
                while b < len(xs) - 1 and xs[b] > thr and xs[b + 1] <= xs[b]:
                    b += 1
            else:
                a, b = _flank(xs, p, -1, thr, rise_frac * top), _flank(xs, p, 1, thr, rise_frac * top)
            humps.append(Hump(sign, p, top, a, b))
    humps.sort(key=lambda h: h.peak)
    return humps


def _flank(x: list[float], p: int, step: int, thr: float, rise: float) -> int:
    """Index where a hump's flank ends, walking from its peak p by step (+-1) to the end of x: at
    or below thr, or at the lowest point once the signal has risen more than `rise` above it.
    x as a list: the walk reads one sample at a time, which numpy scalars make slow."""
    low, i_low = x[p], p
    for i in range(p + step, len(x) if step > 0 else -1, step):
        xi = x[i]
        if xi <= thr:
            return i
        if xi < low:
            low, i_low = xi, i
        elif xi > low + rise:
            return i_low
    return i_low


def zero_velocity_mps(
    acc_g: np.ndarray, still: np.ndarray, rate_hz: float, lp_hz: float = 4.0, extra_mps: np.ndarray | None = None
) -> np.ndarray:
    """Velocity, m/s, from linear acceleration (g, one axis), held at zero on still samples.

    extra_mps: a known velocity term added before the zeroing (e.g. the sensor's swing about a
    pivot, to get the pivot's velocity).

    The integral's drift (accelerometer bias, small tilt errors) is removed by interpolating it
    linearly between still samples, where the true velocity is zero; unlike a high-pass this keeps
    the mean velocity of a run of steps in one direction. No still sample: a 0.05 Hz high-pass."""
    v = integrated_mps(acc_g, rate_hz, lp_hz, extra_mps)
    idx = np.flatnonzero(still)
    if len(idx) < 2:
        return highpass(v, 0.05, rate_hz)
    return v - np.interp(np.arange(len(v)), idx, v[idx])


def integrated_mps(acc_g: np.ndarray, rate_hz: float, lp_hz: float = 4.0,
                   extra_mps: np.ndarray | None = None) -> np.ndarray:
    """Velocity, m/s, integrated from linear acceleration (g, one axis) low-passed at lp_hz, plus
    extra_mps (`zero_velocity_mps`'s before it is held at zero anywhere)."""
    v = cumtrapz0(zero_phase_lowpass(acc_g, lp_hz, rate_hz) * STANDARD_GRAVITY_MS2, 1.0 / rate_hz)
    return v if extra_mps is None else v + extra_mps


def limit_drift(v_mps: np.ndarray, anchors: np.ndarray, rate_hz: float, max_gap_s: float = 3.0,
                hp_hz: float = 0.1) -> np.ndarray:
    """v_mps (N,) with the stretches longer than max_gap_s between anchors (where it was held at
    zero) high-passed at hp_hz: a tilt error of 2 mg left there drifts by 0.02 m/s per second,
    which the anchors' straight-line correction cannot follow. Stretches between close anchors
    (a band walk's halts between moves) are kept as they are."""
    idx = np.flatnonzero(anchors)
    edges = np.r_[0, idx, len(v_mps) - 1] if len(idx) else np.array([0, len(v_mps) - 1])
    long = [(a, b) for a, b in zip(edges[:-1], edges[1:]) if (b - a) / rate_hz > max_gap_s]
    if not long or len(v_mps) <= 15:
        return v_mps
    hp = highpass(v_mps, hp_hz, rate_hz)
    out = v_mps.copy()
    for a, b in long:
        seg = hp[a : b + 1]
        # The high-passed stretch, shifted to meet the anchored velocity at both ends.
        out[a : b + 1] = seg - np.linspace(seg[0] - v_mps[a], seg[-1] - v_mps[b], b + 1 - a)
    return out


def calm_mask(acc_g: np.ndarray, still: np.ndarray, rate_hz: float, window_s: float = 0.3,
              lp_hz: float = 4.0, min_g: float = 0.006, floor_ratio: float = 2.5) -> np.ndarray:
    """Samples (N,) bool where the pelvis is at rest along one axis: still (the fusion's rest test)
    and the low-passed linear acceleration acc_g (g, one axis), over a centred window_s, changes by
    less than floor_ratio times its quietest change in the set (10th percentile; at least min_g)
    and stays below floor_ratio times its quietest level (at least 2 min_g).

    The rest test looks at the spread of the acceleration within half a second, so the middle of a
    slow lateral step looks still while the pelvis moves at its fastest; its acceleration swings
    from +10-40 mg to -10-40 mg through zero there, and stays at 10-40 mg where it speeds up and
    slows down. A small constant offset (a tilt error of a few tenths of a degree) is allowed. For
    band walks, whose runs of steps travel far: a high-passed velocity (`quiet_mask`) would bend
    around them."""
    a = zero_phase_lowpass(acc_g, lp_hz, rate_hz) if len(acc_g) > 15 else np.asarray(acc_g, float)
    if len(a) == 0:
        return np.asarray(still, bool).copy()
    w = max(1, int(window_s * rate_hz))
    hi, lo = moving_max(a, w), moving_min(a, w)
    swing, level = hi - lo, np.maximum(np.abs(hi), np.abs(lo))
    calm = np.asarray(still, bool).copy()
    for x, least in ((swing, min_g), (level, 2.0 * min_g)):
        calm &= x < max(least, floor_ratio * float(percentile(x, 10.0)))
    return calm


def quiet_mask(acc_g: np.ndarray, still: np.ndarray, rate_hz: float, max_speed_mps: float = 0.03,
               hp_hz: float = 0.3, window_s: float = 0.3, lp_hz: float = 4.0) -> np.ndarray:
    """Samples (N,) bool where `still` and the velocity integrated from acc_g (g, one axis),
    high-passed at hp_hz, stays below max_speed_mps over a centred window_s (sway and balance
    corrections move the pelvis by a few cm/s; a constant tilt error integrates to a ramp that the
    high-pass removes)."""
    if len(acc_g) <= 15:
        return np.asarray(still, bool).copy()
    v = highpass(cumtrapz0(zero_phase_lowpass(acc_g, lp_hz, rate_hz) * STANDARD_GRAVITY_MS2, 1.0 / rate_hz), hp_hz, rate_hz)
    fast = moving_max(np.abs(v), max(1, int(window_s * rate_hz)))
    return np.asarray(still, bool) & (fast < max_speed_mps)


def unmoving_mask(acc_g: np.ndarray, still: np.ndarray, rate_hz: float, min_speed_mps: float = 0.05,
                  hp_hz: float = 0.1, max_move_s: float = 3.5, pad_s: float = 0.3, lp_hz: float = 4.0) -> np.ndarray:
    """Samples (N,) bool where the pelvis is at rest along one axis: still (the fusion's rest test)
    and not inside a move: a hump of at least min_speed_mps, lasting at most max_move_s, of the
    velocity integrated from acc_g (g, one axis) and high-passed at hp_hz, flank to flank and
    pad_s around it.

    The rest test looks at the spread of the acceleration within half a second, so the middle of a
    slow move (a 2 s weight shift) looks still while the pelvis moves at its fastest. The high-pass
    keeps such a move whole; longer humps are the integral drifting through a hold, whose calm
    parts must stay at rest (the fusion's quick accelerometer trust there stops a residual gyro
    bias from tilting it by ~1 deg over a long hold)."""
    rest = np.asarray(still, bool).copy()
    if len(acc_g) <= 15:
        return rest
    v = highpass(cumtrapz0(zero_phase_lowpass(acc_g, lp_hz, rate_hz) * STANDARD_GRAVITY_MS2, 1.0 / rate_hz), hp_hz, rate_hz)
    pad = int(pad_s * rate_hz)
    for h in find_humps(v, rate_hz, min_speed_mps, 0.2):
        if (h.offset - h.onset) / rate_hz <= max_move_s:
            rest[max(0, h.onset - pad) : h.offset + pad + 1] = False
    return rest


def rest_to_rest_path_m(acc_g: np.ndarray, rate_hz: float) -> np.ndarray:
    """Displacement, m, along one axis over a movement that starts and ends at rest (acc in g,
    already low-passed).

    The mean acceleration over the window is removed (rest to rest: no net velocity change), so a
    constant accelerometer bias or tilt error cannot bend the path."""
    a = np.asarray(acc_g, float) * STANDARD_GRAVITY_MS2
    v = cumtrapz0(a - np.mean(a), 1.0 / rate_hz)
    return cumtrapz0(v, 1.0 / rate_hz)


def world_acc_g(m: Motion) -> np.ndarray:
    """Linear acceleration (N,3), g, in the heading frame: z up, x the horizontal direction of the
    aligned forward axis (the body rotated back by its roll and pitch; yaw is not needed)."""
    r, p = np.radians(m.roll_deg), np.radians(m.pitch_deg)
    a = m.acc_lin_g
    y = np.cos(r) * a[:, 1] - np.sin(r) * a[:, 2]
    z1 = np.sin(r) * a[:, 1] + np.cos(r) * a[:, 2]
    return np.column_stack([np.cos(p) * a[:, 0] + np.sin(p) * z1, y, -np.sin(p) * a[:, 0] + np.cos(p) * z1])
