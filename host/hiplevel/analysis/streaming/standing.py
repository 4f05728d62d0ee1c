"""The live analyser's neutral (`StandingNeutral`): the set's first standing (still, else quiet:
swaying without steps), refined with the whole standing when it ends and then kept; a `tare`; or,
when nobody stands, the walk's mean tilt until somebody does. With it, the levelling rotation and
the neutral-relative roll the gauge shows (`roll_shown_deg`). Used by `analyzer.OnlineAnalyzer`."""

from __future__ import annotations

import math

import numpy as np

from hiplevel.analysis.streaming.buffer import SampleBuffer
from hiplevel.analysis.streaming.settings import OnlineSettings
from hiplevel.analysis.streaming.turn_fit import LiveTurnFit, unit_rows
from hiplevel.signal.alignment import level_rotation
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.fusion import roll_pitch_to_up, up_to_roll_pitch_deg
from hiplevel.signal.neutral import neutral_roll

__all__ = ["StandingNeutral"]


class StandingNeutral:
    """The neutral of one live set. neutral_roll_deg: the given one (sensor-frame standing roll,
    deg), else None until a standing, a tare or the walk gives one; source: "given", "tare",
    "still", "quiet", "walk" or None; rot: the levelling rotation (sensor -> pelvis, no yaw);
    offset_deg: the standing's median levelled roll (offline `neutral_roll`); after_g: the first
    global sample after the neutral standing (the yaw estimate reads from there). imu: whether the
    samples are raw 6-axis (the standing's accelerometer rows level it) or a roll stream."""

    def __init__(self, settings: OnlineSettings, rate_hz: float, rest_window_s: float, turns: LiveTurnFit,
                 neutral_roll_deg: float | None = None) -> None:
        self.settings = settings
        self._turns = turns
        self._trim = int(round(rest_window_s * rate_hz))  # a standing's end borders on movement
        # Global index where the current still / quiet run began.
        self._starts: dict[str, int | None] = {"still": None, "quiet": None}
        self._auto_pending = neutral_roll_deg is None  # automatic neutral not final yet
        self.source: str | None = None if neutral_roll_deg is None else "given"
        self._run: int | None = None  # start of the standing that gave the neutral
        self.rot = np.eye(3)
        self._stand_acc: np.ndarray | None = None  # the neutral standing's accelerometer rows (raw input)
        self.offset_deg = 0.0
        self.after_g = 0
        self.neutral_roll_deg: float | None = None
        if neutral_roll_deg is not None:
            self._set_up(roll_pitch_to_up([neutral_roll_deg], [0.0])[0], 0.0)

    def track(self, b: SampleBuffer, g: int, t_first: float, still: bool, quiet: bool, imu: bool) -> None:
        """After sample g (global index; t_first: the stream's first time, s): still and quiet runs;
        the automatic neutral from the first standing of neutral_still_s (still first, then quiet: a
        restless person sways but takes no step), refined with the whole run when it ends, then
        kept; the walk's mean tilt when nobody stood."""
        s = self.settings
        for kind, flag in (("still", still), ("quiet", quiet)):
            start = self._starts[kind]
            if flag and start is None:
                self._starts[kind] = g
            elif not flag and start is not None:
                self._starts[kind] = None
                if self._auto_pending and self.source == kind and self._run == start:
                    # Refine with the whole standing (what the offline analysis uses), then lock.
                    self.take(b, start, g, imu)
                    self._auto_pending = False
        if not self._auto_pending or self.source in ("still", "quiet"):
            return
        for kind in ("still", "quiet"):
            start = self._starts[kind]
            if start is not None and b.t[b.n - 1] - b.t[b.first(start)] >= s.neutral_still_s:
                self.take(b, start, g + 1, imu)
                self.source, self._run = kind, start
                return
        if self.source is None and b.t[b.n - 1] - t_first >= s.neutral_fallback_s:
            # Nobody stood still (a recording that starts mid-walk, a treadmill): the mean accelerometer
            # direction over a few strides is the walk's own level (offline's too: `neutral.NO_STANDING_LEVEL_S`),
            # kept until a standing comes; untrimmed, as no standing ends there.
            gaps = np.flatnonzero(b.restart[: b.n])
            a = b.base + (int(gaps[-1]) if len(gaps) else 0)
            self.take(b, a, g + 1, imu, trim=False)
            self.source, self.after_g = "walk", a

    def take(self, b: SampleBuffer, a: int, g_end: int, imu: bool, trim: bool = True) -> None:
        """Neutral from the still samples [a, g_end), less the last rest window if trim (a standing's end borders on
        movement): the accelerometer at rest is gravity, the standing up-vector (the fused one has start-up bias)."""
        i0, i1 = b.first(a), g_end - b.base
        if trim:
            i1 = max(i0 + min(i1 - i0, 3), i1 - self._trim)
        self._stand_acc = b.acc[i0:i1].copy() if imu else None
        self.level(None if imu else roll_pitch_to_up(b.rp[i0:i1, 0], b.rp[i0:i1, 1]))
        self.after_g = g_end

    def level(self, up: np.ndarray | None) -> None:
        """Level and neutral from a standing's up-vectors (N,3); None: its accelerometer rows, as
        corrected by the turn fit (offline levels on the corrected fusion), when it has them."""
        if up is None:
            if self._stand_acc is None:
                return
            up = unit_rows(self._turns.acc(self._stand_acc))
        rot = level_rotation(up.mean(axis=0))
        roll_lev, _ = up_to_roll_pitch_deg(up @ rot.T)
        self._set_up(up.mean(axis=0), neutral_roll(roll_lev, (0, len(roll_lev))))

    def _set_up(self, up_standing: np.ndarray, offset_deg: float) -> None:
        self.rot = level_rotation(up_standing)
        self.offset_deg = float(offset_deg)
        self.neutral_roll_deg = float(up_to_roll_pitch_deg(up_standing)[0][0]) + self.offset_deg

    def tare(self, b: SampleBuffer, g: int, imu: bool) -> None:
        """The neutral now (g: the newest sample's global index) from the last tare_still_s of
        samples; AnalysisError if moving."""
        s = self.settings
        if b.n == 0:
            raise AnalysisError("no samples yet: stand still for 2 s, then tare")
        i0 = int(np.searchsorted(b.t[: b.n], b.t[b.n - 1] - s.tare_still_s))
        enough = b.t[b.n - 1] - b.t[0] >= s.tare_still_s and b.n - i0 >= 3
        if not enough or not bool(np.all(b.still[i0 : b.n])):
            raise AnalysisError("stand still for 2 s, then tare again")
        self.take(b, b.base + i0, g + 1, imu)
        self._auto_pending = False
        self.source = "tare"

    def roll_shown_deg(self, r_f: float, p_f: float) -> float:
        """Neutral-relative roll, deg (+ = left side higher), of the filtered sensor-frame roll and
        pitch r_f, p_f (deg): levelled, less the standing's offset. Needs a neutral."""
        rr, pp = math.radians(r_f), math.radians(p_f)
        u = (-math.sin(pp), math.cos(pp) * math.sin(rr), math.cos(pp) * math.cos(rr))
        m = self.rot
        ly = m[1, 0] * u[0] + m[1, 1] * u[1] + m[1, 2] * u[2]
        lz = m[2, 0] * u[0] + m[2, 1] * u[1] + m[2, 2] * u[2]
        return math.degrees(math.atan2(ly, lz)) - self.offset_deg
