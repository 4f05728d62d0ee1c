"""One detector run over the live buffer, and the rule that emits each rep once."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hiplevel.analysis.lead_in import kept_windows, lead_in_first
from hiplevel.analysis.offline import motion_of, score_windows
from hiplevel.analysis.streaming.buffer import SampleBuffer
from hiplevel.analysis.streaming.session_yaw import SessionYaw
from hiplevel.analysis.streaming.settings import DEVICE_ROLL_SMOOTH_HZ, STABLE_BOUNDS_S
from hiplevel.exercises.base import UndoesShortRuns
from hiplevel.scoring import Rep, Thresholds
from hiplevel.signal.alignment import estimate_mount_yaw_deg, yaw_rotation
from hiplevel.signal.filters import zero_phase_lowpass
from hiplevel.signal.fusion import roll_pitch_to_up, up_to_roll_pitch_deg
from hiplevel.signal.neutral import still_from_angles
from hiplevel.signal.orientation import PelvisTrace

__all__ = ["RepEmitter", "ShortRunHold", "buffer_trace", "detect_reps", "set_rows", "short_run_hold"]


def buffer_trace(b: SampleBuffer, a: int, n: int, source: str, level_rot: np.ndarray, after_g: int,
                 bias_dps, neutral_deg: float, rate_hz: float, turns=None, yaw: SessionYaw | None = None) -> PelvisTrace:
    """Rows [a, n) of the buffer as an aligned trace (same shape as the offline one): the smoothed
    up-vector (raw input) or the device roll/pitch (roll stream), levelled by `level_rot`, forward
    axis from `estimate_mount_yaw_deg` of the rows from global sample `after_g` (after the standing),
    or, once the buffer has dropped some of those (raw input), `yaw`'s over all of them
    (`session_yaw`, the offline rule over the session so far); acc and gyro corrected by the turn fit `turns` (`turn_fit.LiveTurnFit`), as offline's detectors read them."""
    t = b.t[a:n].copy()
    rate = 1.0 / float(np.median(np.diff(t))) if n - a > 1 else rate_hz
    if source == "imu":
        up = b.smooth[a:n]
    else:
        rp = zero_phase_lowpass(b.rp[a:n], DEVICE_ROLL_SMOOTH_HZ, rate) if n - a > 15 else b.rp[a:n]
        up = roll_pitch_to_up(rp[:, 0], rp[:, 1])
    lev = up @ level_rot.T
    if yaw is not None and source == "imu" and yaw.has_past(after_g):
        psi = yaw.psi(b, n, level_rot, after_g)
    else:
        psi = estimate_mount_yaw_deg(lev[max(0, b.first(after_g) - a) :])
    rot = yaw_rotation(psi) @ level_rot
    roll, pitch = up_to_roll_pitch_deg(up @ rot.T)
    acc = gyro = None
    if source == "imu":
        acc, gyro = b.acc[a:n], b.gyro[a:n]
        if turns is not None:
            acc, gyro = turns.rows(acc, gyro, bias_dps)
        acc = acc @ rot.T
        gyro = (gyro - np.asarray(bias_dps)) @ rot.T
        still = b.rest[a:n].copy()
    else:
        still = still_from_angles(roll, pitch, rate)
    return PelvisTrace(t, rate, roll, pitch, acc, gyro, still, (0, 0), neutral_deg, psi, source)


def set_rows(b: SampleBuffer, cut: int, n: int, set_t_s: float | None, detector, rate_hz: float) -> tuple[int, int]:
    """(first row the detector reads, first row whose reps are the set's) of a run over buffer rows
    [cut, n) (cut: the oldest row it may read, after a gap) for a set that starts at set_t_s (s;
    None: no set start, every rep is kept): the offline rule (`analysis.lead_in`), the set's first
    row the first at or after set_t_s (as `LongTrace.index_at`)."""
    if set_t_s is None:
        return cut, cut
    start = max(cut, int(np.searchsorted(b.t[:n], set_t_s)))
    return lead_in_first(detector, rate_hz, start, cut), start


def detect_reps(exercise: str, detector, trace: PelvisTrace, offset_deg: float, th: Thresholds,
                first: int = 0, neutral_of=None) -> list[Rep]:
    """The offline detector and scoring over a whole trace (roll relative to offset_deg), keeping
    the reps that start at its sample `first` or later (`lead_in.kept_windows`: the set's);
    neutral_of: walking's bout neutrals (`bout_neutrals.BoutNeutrals.rule`), None: the offline rule."""
    m = motion_of(trace, 0, len(trace.t_s), offset_deg)
    windows = detector.detect(m) if neutral_of is None else detector.detect(m, neutral_of=neutral_of)
    if first > 0:
        windows = kept_windows(windows, first, len(trace.t_s))
    return score_windows(exercise, m, windows, th)


def _identity(r: Rep) -> tuple:
    """What must not change between two runs for a rep to be the same: its side, or for a rep with
    phases their stance legs (its side is its worse phase's, which two nearly equal phases may
    swap from one run to the next)."""
    return tuple(p.stance for p in r.phases) if r.phases else (r.side,)


@dataclass(frozen=True)
class ShortRunHold:
    """Reps of a short run (`exercises.base.ShortRun`, as the detector declares it) are held until
    what follows it is seen: a run is reps each starting within gap_s of the one before ends;
    while it has at most max_reps, its reps wait until hold_s after its last one ends."""

    max_reps: int
    gap_s: float
    hold_s: float

    def waiting(self, found: list[Rep], t_new: float) -> set[int]:
        """Indices into `found` (sorted by start) of the reps still held at t_new, s."""
        held: set[int] = set()
        a = 0
        for b in range(1, len(found) + 1):
            if b == len(found) or found[b].start_s - found[b - 1].end_s > self.gap_s:
                if b - a <= self.max_reps and found[b - 1].end_s > t_new - self.hold_s:
                    held.update(range(a, b))
                a = b
        return held


def short_run_hold(detector) -> ShortRunHold | None:
    """The hold for a detector that declares a short run what follows can undo (its `short_run`:
    walking), else None."""
    run = detector.short_run if isinstance(detector, UndoesShortRuns) else None
    return None if run is None else ShortRunHold(run.max_reps, run.gap_s, run.settle_s)


class RepEmitter:
    """Emits each rep once: when it ended at least margin_s before the newest sample, two runs in a
    row found it with the same bounds (STABLE_BOUNDS_S) and side (its phases' legs: `_identity`),
    it is not held (`ShortRunHold`, when given), and it starts more than dedupe_s after the last
    emitted rep. `reps`: everything emitted, index = order of emission."""

    def __init__(self, margin_s: float, dedupe_s: float, hold: ShortRunHold | None = None) -> None:
        self.margin_s, self.dedupe_s, self.hold = margin_s, dedupe_s, hold
        self.reps: list[Rep] = []
        self._prev: list[Rep] = []
        self._last_start_s = -np.inf

    def offer(self, found: list[Rep], t_new: float, t_old: float, truncated: bool, last: bool = False,
              hold_from_s: float = np.inf) -> list[Rep]:
        """One run's reps over a window [t_old, t_new], s (truncated: older samples were dropped,
        so a rep at the old edge may be partial). last: the stream has ended, nothing will change
        them: no margin, hold or second run is waited for. hold_from_s: reps ending after it wait
        (a turn not yet fitted, `turn_fit`). Returns the newly emitted reps."""
        prev, self._prev = self._prev, found
        new: list[Rep] = []
        found = sorted(found, key=lambda r: r.start_s)
        held = self.hold.waiting(found, t_new) if self.hold is not None and not last else set()
        margin_s = 0.0 if last else self.margin_s
        for i, r in enumerate(found):
            if i in held or (r.end_s > hold_from_s and not last):
                break  # a later rep emitted first could never be emitted after it (dedupe)
            if r.end_s > t_new - margin_s or r.start_s <= self._last_start_s + self.dedupe_s:
                continue
            if truncated and r.start_s < t_old + self.margin_s:
                continue
            if not last and not any(abs(q.start_s - r.start_s) <= STABLE_BOUNDS_S and abs(q.end_s - r.end_s) <= STABLE_BOUNDS_S
                       and _identity(q) == _identity(r) for q in prev):
                continue
            rep = replace(r, index=len(self.reps))
            self.reps.append(rep)
            new.append(rep)
            self._last_start_s = r.start_s
        return new
