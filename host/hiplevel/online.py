"""Live analysis: one sample in, the current pelvic roll and each completed rep out.

    oa = OnlineAnalyzer("walking", rate_hz=100.0)
    for t, acc, gyro in stream:                       # or oa.push(t, roll_deg=r, pitch_deg=p)
        for rep in oa.push(t, acc_g=acc, gyro_dps=gyro):
            show(rep)                                 # the same Rep as hiplevel.analysis.analyze
        draw(oa.current_roll_deg)                     # neutral-relative, lags by oa.delay_s

Same code path as offline: the per-sample parts are causal (`TiltFusion` for raw 6-axis samples,
the device's own roll/pitch for a roll stream, a causal Butterworth low-pass for the display),
and reps come from the offline detectors and scoring (`motion_of`, `DETECTORS`, `score_windows`)
run every `run_every_s` over a rolling buffer; a rep is emitted once, when it ended at least
`margin_s` before the newest sample. docs/analysis.md, "Live analysis".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import signal as sps

from hiplevel.analysis import motion_of, score_windows
from hiplevel.exercises import DETECTORS
from hiplevel.scoring import Rep, Thresholds
from hiplevel.signal.alignment import estimate_mount_yaw_deg, level_rotation, yaw_rotation
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.filters import ROLL_CUTOFF_HZ, causal_delay_s, lowpass_sos, zero_phase_lowpass
from hiplevel.signal.fusion import (
    FusionSettings,
    TiltFusion,
    rest_mask,
    roll_pitch_to_up,
    up_to_roll_pitch_deg,
)
from hiplevel.signal.neutral import ROLL_STILL_STD_DEG, ROLL_STILL_WINDOW_S, neutral_roll, still_from_angles
from hiplevel.signal.orientation import PelvisTrace

# trace_from_roll smooths the device's 0.01 deg wire steps with this zero-phase low-pass; the
# detector window gets the same.
DEVICE_ROLL_SMOOTH_HZ = 15.0
# How long after its end a rep is emitted, s, per exercise: the detectors' zero-phase filters (the
# 0.05 Hz velocity high-pass of band-walk and single-leg-stance most) change their output near the
# newest sample; measured on simulated sets (docs/analysis.md, "Live analysis").
MARGIN_S = {"walking": 1.0, "band-walk": 2.5, "single-leg-stance": 3.0}
DEFAULT_MARGIN_S = 2.0
# A rep must be found with the same bounds (within this, s) by two detector runs in a row.
STABLE_BOUNDS_S = 0.1
# A longer gap than this between samples is a link drop-out: the gyro integrates one nominal period.
MAX_GAP_S = 0.25

__all__ = ["OnlineAnalyzer", "OnlineSettings", "rest_bias_dps"]


def rest_bias_dps(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray) -> tuple[float, float, float]:
    """Gyro bias, deg/s, from a still run: the mean gyro minus the rotation rate that the
    accelerometer saw (postural sway tilts the pelvis by a few tenths of a degree over a standing;
    the plain mean would count that as bias and the live fusion would drift by it).

    t_s (N,) s, acc_g (N,3) g, gyro_dps (N,3) deg/s, body frame, N >= 8. With du/dt = u x w, the
    part of w across the up-vector u is (du/dt) x u; the part along u (yaw) is not observable
    and does not move the tilt."""
    n = len(t_s)
    q = max(2, n // 4)
    u0, u1 = acc_g[:q].mean(axis=0), acc_g[n - q :].mean(axis=0)
    u0, u1 = u0 / np.linalg.norm(u0), u1 / np.linalg.norm(u1)
    span_s = float(t_s[n - q :].mean() - t_s[:q].mean())
    rate_dps = np.degrees(np.cross((u1 - u0) / span_s, 0.5 * (u0 + u1)))
    mean = gyro_dps[q // 2 : n - q // 2].mean(axis=0)
    return tuple(float(x) for x in mean - rate_dps)


@dataclass(frozen=True)
class OnlineSettings:
    """Scheduling of the live analysis (units in the names).

    buffer_s: detector window, s; at least the longest rep plus margin (single-leg-stance gets the
        detector's max_hold_s + 10 s). run_every_s: how often the detector runs, s (amortises its
        cost). margin_s: a rep is emitted once it ended this long before the newest sample and
        two runs in a row found it (None: MARGIN_S of the exercise). dedupe_s: a rep must start
        this much after the last emitted one. neutral_still_s: continuous stillness that gives the
        automatic neutral. tare_still_s: stillness `tare()` needs. bias_min_rest_s: a still run
        this long (tilt unchanged) re-estimates the gyro bias. display_cutoff_hz: causal low-pass
        of `current_roll_deg` (its delay is `delay_s`)."""

    buffer_s: float = 30.0
    run_every_s: float = 0.25
    margin_s: float | None = None
    dedupe_s: float = 0.25
    neutral_still_s: float = 2.0
    tare_still_s: float = 1.5
    bias_min_rest_s: float = 1.0
    display_cutoff_hz: float = ROLL_CUTOFF_HZ


class _Display:
    """Causal Butterworth low-pass of (roll, pitch), deg: DF2T biquads, the same state scipy's
    `sosfilt` keeps, so one sample and an array give identical output. Starts settled."""

    def __init__(self, cutoff_hz: float, rate_hz: float) -> None:
        self.sos = lowpass_sos(cutoff_hz, rate_hz)
        self._zi0 = sps.sosfilt_zi(self.sos)
        self.zi: np.ndarray | None = None  # (sections, 2 states, 2 channels)
        self._coef = self.sos.tolist()

    def push(self, r: float, p: float) -> tuple[float, float]:
        if self.zi is None:
            self.zi = self._zi0[:, :, None] * np.array([r, p])[None, None, :]
        z = self.zi
        out = [r, p]
        for c in range(2):
            x = out[c]
            for s, (b0, b1, b2, _a0, a1, a2) in enumerate(self._coef):
                z0, z1 = z[s, 0, c], z[s, 1, c]
                y = b0 * x + z0
                z[s, 0, c] = b1 * x - a1 * y + z1
                z[s, 1, c] = b2 * x - a2 * y
                x = y
            out[c] = x
        return out[0], out[1]

    def push_many(self, rp: np.ndarray) -> np.ndarray:
        if self.zi is None:
            self.zi = self._zi0[:, :, None] * rp[0][None, None, :]
        y, self.zi = sps.sosfilt(self.sos, rp, axis=0, zi=self.zi)
        return y


class _Buffer:
    """Rolling sample store; global sample index g lives at row g - base."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        cap = 2 * keep + 64
        self.t = np.empty(cap)
        self.up = np.empty((cap, 3))  # sensor-frame up-vector (raw) / unused for roll
        self.rp = np.empty((cap, 2))  # sensor-frame roll, pitch, deg
        self.acc = np.empty((cap, 3))
        self.gyro = np.empty((cap, 3))  # raw gyro, deg/s (bias removed at run time)
        self.still = np.zeros(cap, bool)
        self.base = 0
        self.n = 0

    def row(self) -> int:
        """Row for the next sample (drops the oldest rows when full)."""
        if self.n == len(self.t):
            drop = self.n - self.keep
            for a in (self.t, self.up, self.rp, self.acc, self.gyro, self.still):
                a[: self.keep] = a[drop : self.n]
            self.base += drop
            self.n = self.keep
        self.n += 1
        return self.n - 1

    def first(self, g: int) -> int:
        """Row of global index g, clipped to the oldest row kept."""
        return max(0, g - self.base)


class OnlineAnalyzer:
    """Causal live analysis of one set of `exercise` (docs/analysis.md, "Live analysis").

    push raw 6-axis samples (body frame, g and deg/s) or the device's roll/pitch (deg). Neutral:
    `neutral_roll_deg` if given (sensor-frame standing roll, deg), else the first quiet standing of
    >= neutral_still_s, or `tare()`. Attributes: current_roll_deg (neutral-relative, + = left side
    higher, NaN until the neutral is known), neutral_roll_deg, delay_s, reps."""

    def __init__(
        self,
        exercise: str,
        rate_hz: float,
        thresholds: Thresholds | None = None,
        neutral_roll_deg: float | None = None,
        settings: OnlineSettings | None = None,
        fusion: FusionSettings | None = None,
    ) -> None:
        if exercise not in DETECTORS:
            raise AnalysisError(f"unknown exercise {exercise!r}; expected one of {', '.join(sorted(DETECTORS))}")
        if not rate_hz > 0:
            raise AnalysisError(f"rate_hz must be positive, got {rate_hz}")
        self.exercise, self.rate_hz = exercise, float(rate_hz)
        self.thresholds = thresholds or Thresholds()
        self.settings = s = settings or OnlineSettings()
        # The fusion's own bias tracking follows postural sway at rest; the rest-run means below
        # (the offline rule) replace it.
        self._fusion_settings = replace(fusion or FusionSettings(), bias_time_constant_s=0.0)
        self._fusion: TiltFusion | None = None
        self._detector = DETECTORS[exercise]
        hold_s = float(getattr(self._detector, "max_hold_s", 0.0))
        self._buf = _Buffer(int(math.ceil(max(s.buffer_s, hold_s + 10.0) * rate_hz)))
        self._display = _Display(s.display_cutoff_hz, rate_hz)
        self.delay_s: float = causal_delay_s(s.display_cutoff_hz, rate_hz)
        self._still_win = max(3, int(round(ROLL_STILL_WINDOW_S * rate_hz)))
        self._buf_trim = int(round(self._fusion_settings.rest_window_s * rate_hz))
        self._source: str | None = None
        self._g = -1  # global index of the newest sample
        self._t_last = math.nan
        self._run_start: int | None = None  # global index where the current still run began
        self._auto_pending = neutral_roll_deg is None  # automatic neutral not finished yet
        self._auto_taken = False
        self._rot = np.eye(3)  # levelling rotation, sensor -> pelvis (no yaw)
        self._offset_deg = 0.0  # median levelled roll of the standing (offline `neutral_roll`)
        self._after_g = 0  # first sample after the neutral standing (yaw estimate)
        self.neutral_roll_deg: float | None = None
        if neutral_roll_deg is not None:
            self._set_neutral_up(roll_pitch_to_up([neutral_roll_deg], [0.0])[0], 0.0)
        self._next_run_t = -math.inf
        self._last_start_s = -math.inf
        self._margin_s = s.margin_s if s.margin_s is not None else MARGIN_S.get(exercise, DEFAULT_MARGIN_S)
        self._prev: list[Rep] = []  # the previous run's reps (stability check)
        self.current_roll_deg: float = math.nan
        self._last_rp = (math.nan, math.nan)
        self.reps: list[Rep] = []

    # -- input ---------------------------------------------------------------------------------
    def push(self, t_s: float, acc_g=None, gyro_dps=None, roll_deg=None, pitch_deg=None) -> list[Rep]:
        """One sample: raw acc_g (3,) g + gyro_dps (3,) deg/s, or roll_deg + pitch_deg (device
        fusion). Returns the reps this sample completed (usually none)."""
        r, p = self._ingest(float(t_s), acc_g, gyro_dps, roll_deg, pitch_deg)
        self._show(*self._display.push(r, p))
        return self._maybe_run()

    def push_many(self, t_s, acc_g=None, gyro_dps=None, roll_deg=None, pitch_deg=None) -> list[Rep]:
        """Many samples (arrays (N,), (N,3)); the same result as pushing them one by one. The
        fusion is sequential; the display filter runs once over the whole array."""
        t = np.asarray(t_s, float)
        if len(t) == 0:
            return []
        raw = acc_g is not None
        cols = (np.asarray(acc_g, float), np.asarray(gyro_dps, float)) if raw else (
            np.asarray(roll_deg, float), np.asarray(pitch_deg, float))
        rp = np.empty((len(t), 2))
        out: list[Rep] = []
        for k in range(len(t)):
            if raw:
                rp[k] = self._ingest(float(t[k]), cols[0][k], cols[1][k], None, None)
            else:
                rp[k] = self._ingest(float(t[k]), None, None, cols[0][k], cols[1][k])
            out += self._maybe_run()
        y = self._display.push_many(rp)
        self._show(float(y[-1, 0]), float(y[-1, 1]))
        return out

    def _ingest(self, t: float, acc_g, gyro_dps, roll_deg, pitch_deg) -> tuple[float, float]:
        """Store one sample, fuse it, track stillness; returns the sensor-frame roll, pitch, deg."""
        if self._source is None:
            self._source = self._check_source(acc_g, gyro_dps, roll_deg, pitch_deg)
        if not t > self._t_last and not math.isnan(self._t_last):
            raise AnalysisError(f"timestamps must increase ({t} s after {self._t_last} s)")
        b = self._buf
        i = b.row()
        b.t[i] = t
        if self._source == "imu":
            if acc_g is None or gyro_dps is None:
                raise AnalysisError("this analyser was fed raw samples: push acc_g and gyro_dps")
            dt = t - self._t_last if 0.0 < t - self._t_last <= MAX_GAP_S else 1.0 / self.rate_hz
            if self._fusion is None:
                self._fusion = TiltFusion(self._fusion_settings, self.rate_hz)
            f = self._fusion
            ux, uy, uz = f.update(acc_g, gyro_dps, dt)
            b.up[i] = (ux, uy, uz)
            b.acc[i] = acc_g
            b.gyro[i] = gyro_dps
            r = math.degrees(math.atan2(uy, uz))
            p = math.degrees(math.atan2(-ux, math.hypot(uy, uz)))
            still = bool(f.at_rest and not f.initialising)
            b.rp[i] = (r, p)
        else:
            if roll_deg is None or pitch_deg is None:
                raise AnalysisError("this analyser was fed a roll stream: push roll_deg and pitch_deg")
            r, p = float(roll_deg), float(pitch_deg)
            b.rp[i] = (r, p)  # before the stillness window, which includes this sample
            w = b.rp[max(0, i - self._still_win + 1) : i + 1]
            still = len(w) >= self._still_win and bool(np.all(w.std(axis=0) < ROLL_STILL_STD_DEG))
        b.still[i] = still
        self._t_last = t
        self._g += 1
        self._track_stillness(still)
        return r, p

    @staticmethod
    def _check_source(acc_g, gyro_dps, roll_deg, pitch_deg) -> str:
        if acc_g is not None and gyro_dps is not None:
            return "imu"
        if roll_deg is not None and pitch_deg is not None:
            return "roll"
        raise AnalysisError("push needs acc_g and gyro_dps, or roll_deg and pitch_deg")

    # -- neutral and gyro bias -------------------------------------------------------------------
    def _track_stillness(self, still: bool) -> None:
        s, b, g = self.settings, self._buf, self._g
        if still:
            if self._run_start is None:
                self._run_start = g
            run_s = b.t[b.n - 1] - b.t[b.first(self._run_start)]
            if self._auto_pending and not self._auto_taken and run_s >= s.neutral_still_s:
                self._take_neutral(self._run_start, g + 1)
                self._auto_taken = True
            return
        if self._run_start is not None:
            a = self._run_start
            self._run_start = None
            if self._auto_taken and self._auto_pending:
                # Refine with the whole first standing (what the offline analysis uses), then lock.
                self._take_neutral(a, g)
                self._auto_pending = False
            elif b.t[b.n - 2] - b.t[b.first(a)] >= s.bias_min_rest_s:
                self._update_bias(a, g)

    def _update_bias(self, a: int, g_end: int) -> None:
        """Gyro bias from the still run [a, g_end) (raw input only)."""
        if self._source != "imu" or self._fusion is None:
            return
        b = self._buf
        i0, i1 = b.first(a), g_end - b.base
        # The run's end borders on the next movement (it starts below the rest thresholds).
        i1 = max(i0, i1 - self._buf_trim)
        if i1 - i0 >= 8:
            self._fusion.bias_dps = rest_bias_dps(b.t[i0:i1], b.acc[i0:i1], b.gyro[i0:i1])

    def _take_neutral(self, a: int, g_end: int) -> None:
        """Neutral from the still samples [a, g_end): at rest the accelerometer is pure gravity,
        so its direction is the standing up-vector (the fused one would carry start-up bias)."""
        b = self._buf
        self._update_bias(a, g_end)
        i0, i1 = b.first(a), g_end - b.base
        i1 = max(i0 + min(i1 - i0, 3), i1 - self._buf_trim)
        if self._source == "imu":
            up = b.acc[i0:i1] / np.linalg.norm(b.acc[i0:i1], axis=1, keepdims=True)
        else:
            up = roll_pitch_to_up(b.rp[i0:i1, 0], b.rp[i0:i1, 1])
        rot = level_rotation(up.mean(axis=0))
        roll_lev, _ = up_to_roll_pitch_deg(up @ rot.T)
        self._set_neutral_up(up.mean(axis=0), neutral_roll(roll_lev, (0, len(roll_lev))))
        self._after_g = g_end

    def _set_neutral_up(self, up_standing: np.ndarray, offset_deg: float) -> None:
        self._rot = level_rotation(up_standing)
        self._offset_deg = float(offset_deg)
        self.neutral_roll_deg = float(up_to_roll_pitch_deg(up_standing)[0][0]) + self._offset_deg

    def tare(self) -> None:
        """Take the neutral now from the last tare_still_s of samples; AnalysisError if moving."""
        b, s = self._buf, self.settings
        if b.n == 0:
            raise AnalysisError("no samples yet: stand still for 2 s, then tare")
        i0 = int(np.searchsorted(b.t[: b.n], b.t[b.n - 1] - s.tare_still_s))
        enough = b.t[b.n - 1] - b.t[0] >= s.tare_still_s and b.n - i0 >= 3
        if not enough or not bool(np.all(b.still[i0 : b.n])):
            raise AnalysisError("stand still for 2 s, then tare again")
        self._take_neutral(b.base + i0, self._g + 1)
        self._auto_pending = False
        self._auto_taken = True
        self._show(*self._last_rp)

    # -- display -------------------------------------------------------------------------------
    def _show(self, r_f: float, p_f: float) -> None:
        """current_roll_deg from the filtered sensor-frame roll/pitch, deg (levelled, neutral-relative)."""
        self._last_rp = (r_f, p_f)
        if self.neutral_roll_deg is None:
            return
        rr, pp = math.radians(r_f), math.radians(p_f)
        u = (-math.sin(pp), math.cos(pp) * math.sin(rr), math.cos(pp) * math.cos(rr))
        m = self._rot
        ly = m[1, 0] * u[0] + m[1, 1] * u[1] + m[1, 2] * u[2]
        lz = m[2, 0] * u[0] + m[2, 1] * u[1] + m[2, 2] * u[2]
        self.current_roll_deg = math.degrees(math.atan2(ly, lz)) - self._offset_deg

    # -- reps ----------------------------------------------------------------------------------
    def _maybe_run(self) -> list[Rep]:
        if self.neutral_roll_deg is None or self._t_last < self._next_run_t:
            return []
        self._next_run_t = self._t_last + self.settings.run_every_s
        return self._run()

    def _trace(self) -> PelvisTrace:
        """The buffer as an aligned trace (same shape as the offline one)."""
        b = self._buf
        n = b.n
        t = b.t[:n].copy()
        rate = 1.0 / float(np.median(np.diff(t))) if n > 1 else self.rate_hz
        if self._source == "imu":
            up = b.up[:n]
        else:
            rp = zero_phase_lowpass(b.rp[:n], DEVICE_ROLL_SMOOTH_HZ, rate) if n > 15 else b.rp[:n]
            up = roll_pitch_to_up(rp[:, 0], rp[:, 1])
        lev = up @ self._rot.T
        psi = estimate_mount_yaw_deg(lev[b.first(self._after_g) :])
        rot = yaw_rotation(psi) @ self._rot
        roll, pitch = up_to_roll_pitch_deg(up @ rot.T)
        acc = gyro = None
        if self._source == "imu":
            acc = b.acc[:n] @ rot.T
            gyro = (b.gyro[:n] - np.asarray(self._fusion.bias_dps)) @ rot.T
            still = rest_mask(b.acc[:n], b.gyro[:n], rate, self._fusion_settings)
        else:
            still = still_from_angles(roll, pitch, rate)
        return PelvisTrace(t, rate, roll, pitch, acc, gyro, still, (0, 0), float(self.neutral_roll_deg), psi,
                           self._source or "imu")

    def _run(self) -> list[Rep]:
        """Detector + scoring over the buffer; returns the newly completed reps."""
        b, s = self._buf, self.settings
        if b.n < 10:
            return []
        trace = self._trace()
        m = motion_of(trace, 0, b.n, self._offset_deg)
        reps = score_windows(self.exercise, m, self._detector.detect(m), self.thresholds)
        t_new, t_old = b.t[b.n - 1], b.t[0]
        truncated = b.base > 0  # the oldest samples are gone: a rep at the old edge is partial
        new: list[Rep] = []
        prev, self._prev = self._prev, reps
        for r in reps:
            if r.end_s > t_new - self._margin_s or r.start_s <= self._last_start_s + s.dedupe_s:
                continue
            if truncated and r.start_s < t_old + self._margin_s:
                continue
            if not any(abs(q.start_s - r.start_s) <= STABLE_BOUNDS_S and abs(q.end_s - r.end_s) <= STABLE_BOUNDS_S
                       and q.side == r.side for q in prev):
                continue
            rep = replace(r, index=len(self.reps))
            self.reps.append(rep)
            new.append(rep)
            self._last_start_s = r.start_s
        return new
