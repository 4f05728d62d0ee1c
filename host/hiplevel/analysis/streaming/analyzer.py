"""`OnlineAnalyzer`: samples in one at a time, the current pelvic roll and each completed rep out."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from hiplevel.exercises import DETECTORS
from hiplevel.exercises.walking import WalkingDetector
from hiplevel.analysis.streaming.bias import SEED, LiveGyroBias, anchor_tilt
from hiplevel.analysis.streaming.bout_neutrals import BoutNeutrals
from hiplevel.analysis.streaming.buffer import DisplayFilter, SampleBuffer
from hiplevel.analysis.streaming.reps import RepEmitter, buffer_trace, detect_reps, set_rows, short_run_hold
from hiplevel.analysis.streaming.session_yaw import SessionYaw
from hiplevel.analysis.streaming.settings import (ANCHOR_TIME_CONSTANT_S, BIAS_RESEED_DPS, DEFAULT_MARGIN_S, MARGIN_S,
                                                  MAX_GAP_S, OnlineSettings)
from hiplevel.analysis.streaming.smoother import BackwardPass
from hiplevel.analysis.streaming.standing import StandingNeutral
from hiplevel.analysis.streaming.turn_fit import LiveTurnFit
from hiplevel.scoring import Rep, Thresholds
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.filters import causal_delay_s
from hiplevel.signal.fusion import FusionSettings
from hiplevel.signal.live_fusion import RESTART_WINDOW_S, TiltFusion
from hiplevel.signal.neutral import ROLL_STILL_STD_DEG, ROLL_STILL_WINDOW_S
from hiplevel.signal.timeline import GAP_PERIODS
from hiplevel.signal.turns import TurnErrors

__all__ = ["OnlineAnalyzer"]


class OnlineAnalyzer:
    """Causal live analysis of one set of `exercise` (docs/analysis.md, "Live analysis").

    push raw 6-axis samples (body frame, g and deg/s) or the device's roll/pitch (deg). Neutral:
    `neutral_roll_deg` if given (sensor-frame standing roll, deg), else the first standing of
    >= neutral_still_s (still, or quiet: swaying without steps), or `tare()`; with no standing in
    the first neutral_fallback_s, the walk's mean tilt until one comes. Attributes:
    current_roll_deg (neutral-relative, + = left side higher, NaN until the neutral is known),
    neutral_roll_deg, neutral_source ("given", "tare", "still", "quiet", "walk" or None), delay_s,
    reps, bias_source (what the gyro bias came from: "seed", "moving", "quiet", "still").
    sensor_prior: this device's sensor errors from an earlier session (`streaming.prior`; acc
    bias g, gyro leak deg/s per deg/s), used until this session's first turn fit; None: none."""

    def __init__(
        self,
        exercise: str,
        rate_hz: float,
        thresholds: Thresholds | None = None,
        neutral_roll_deg: float | None = None,
        settings: OnlineSettings | None = None,
        fusion: FusionSettings | None = None,
        sensor_prior: TurnErrors | None = None,
    ) -> None:
        if exercise not in DETECTORS:
            raise AnalysisError(f"unknown exercise {exercise!r}; expected one of {', '.join(sorted(DETECTORS))}")
        if not rate_hz > 0:
            raise AnalysisError(f"rate_hz must be positive, got {rate_hz}")
        self.exercise, self.rate_hz = exercise, float(rate_hz)
        self.thresholds = thresholds or Thresholds()
        self.settings = s = settings or OnlineSettings()
        # The fusion's own bias tracking follows postural sway at rest; the offline rule over the
        # buffer (`bias.LiveGyroBias`) replaces it.
        self._fusion_settings = replace(fusion or FusionSettings(), bias_time_constant_s=0.0)
        self._fusion: TiltFusion | None = None
        self._bias = LiveGyroBias(self._fusion_settings, self.rate_hz)
        self._turns = LiveTurnFit(self._fusion_settings, self.rate_hz, sensor_prior)  # `turn_fit`
        self._next_bias_t = -math.inf
        self._detector = DETECTORS[exercise]
        hold_s = float(getattr(self._detector, "max_hold_s", 0.0))
        self._buf = SampleBuffer(int(math.ceil(max(s.buffer_s, hold_s + 10.0) * rate_hz)))
        self._yaw = SessionYaw(self._buf)  # the forward axis over the whole session (`session_yaw`)
        self._display = DisplayFilter(s.display_cutoff_hz, rate_hz)
        self.delay_s: float = causal_delay_s(s.display_cutoff_hz, rate_hz)
        self._still_win = max(3, int(round(ROLL_STILL_WINDOW_S * rate_hz)))
        self._restart_rows = int(math.ceil(RESTART_WINDOW_S * rate_hz))
        self._lag = max(2, int(round(s.smooth_lag_s * rate_hz)))
        self._source: str | None = None
        self._g = -1  # global index of the newest sample
        self._t_last = math.nan
        self._t_first = math.nan
        self._neutral = StandingNeutral(s, self.rate_hz, self._fusion_settings.rest_window_s, self._turns,
                                        neutral_roll_deg)
        self._next_run_t = -math.inf
        self._job: BackwardPass | None = None  # the backward pass of the run under way
        self._ready_g: int | None = None  # a run whose pass is done: detect over samples < this
        margin = s.margin_s if s.margin_s is not None else MARGIN_S.get(exercise, DEFAULT_MARGIN_S)
        self._emitter = RepEmitter(margin, s.dedupe_s, short_run_hold(self._detector))
        self._bouts = BoutNeutrals() if isinstance(self._detector, WalkingDetector) else None
        self.current_roll_deg: float = math.nan
        self._last_rp = (math.nan, math.nan)
        self._set_t_s: float | None = None  # `start_set`

    @property
    def reps(self) -> list[Rep]:
        """Every rep emitted so far (index = order of emission)."""
        return self._emitter.reps

    @property
    def neutral_roll_deg(self) -> float | None:
        """The neutral: sensor-frame standing roll, deg (None until known; `standing.StandingNeutral`)."""
        return self._neutral.neutral_roll_deg

    @property
    def neutral_source(self) -> str | None:
        """Where the neutral came from: "given", "tare", "still", "quiet", "walk" or None."""
        return self._neutral.source

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
        """Check and store one sample; returns its sensor-frame roll, pitch, deg. A hole of lost
        samples up to MAX_GAP_S is first bridged with samples interpolated linearly onto the
        rate's grid (as offline: `timeline.MAX_INTERPOLATED_GAP_S`): the fusion then integrates the
        gyro across it as offline does (one sample's rate held over a 50 ms lost packet walks the
        walking tilt by 1-2 deg in 10 s at 5 % loss), and the detectors, which count samples, see a
        uniform grid."""
        if self._source is None:
            self._source = self._check_source(acc_g, gyro_dps, roll_deg, pitch_deg)
            if self._source != "imu":
                self._buf.on_drop = None  # the device's roll stream: no up-vectors for `session_yaw`
        if not t > self._t_last and not math.isnan(self._t_last):
            raise AnalysisError(f"timestamps must increase ({t} s after {self._t_last} s)")
        imu = self._source == "imu"
        if imu and (acc_g is None or gyro_dps is None):
            raise AnalysisError("this analyser was fed raw samples: push acc_g and gyro_dps")
        if not imu and (roll_deg is None or pitch_deg is None):
            raise AnalysisError("this analyser was fed a roll stream: push roll_deg and pitch_deg")
        x = np.array([*acc_g, *gyro_dps] if imu else [roll_deg, pitch_deg], float)
        dt = t - self._t_last
        steps = int(round(dt * self.rate_hz)) if GAP_PERIODS / self.rate_hz < dt <= MAX_GAP_S else 1
        if steps > 1:
            b = self._buf
            i = b.n - 1
            x0 = np.concatenate([b.acc[i], b.gyro[i]]) if imu else b.rp[i].copy()
            t0 = self._t_last
            for j in range(1, steps):
                self._store(t0 + dt * j / steps, x0 + (x - x0) * (j / steps))
        return self._store(t, x)

    def _store(self, t: float, x: np.ndarray) -> tuple[float, float]:
        """Store one sample x (acc g + gyro deg/s, or roll + pitch deg), fuse it, track stillness."""
        b = self._buf
        i = b.row()
        b.t[i] = t
        gap = t - self._t_last > MAX_GAP_S  # False for the first sample (NaN)
        b.restart[i] = gap
        if self._source == "imu":
            if self._fusion is None:
                self._fusion = TiltFusion(self._fusion_settings, self.rate_hz)
            f = self._fusion
            if gap:
                f.restart()  # the pelvis moved unseen: a stale tilt would bias every later drop
            dt = t - self._t_last if 0.0 < t - self._t_last <= MAX_GAP_S else 1.0 / self.rate_hz
            ux, uy, uz = f.update(*self._turns.sample(x[:3], x[3:], f.bias_dps), dt)
            b.up[i] = b.smooth[i] = (ux, uy, uz)
            b.acc[i] = x[:3]
            b.gyro[i] = x[3:]
            r = math.degrees(math.atan2(uy, uz))
            p = math.degrees(math.atan2(-ux, math.hypot(uy, uz)))
            still = bool(f.at_rest and not f.initialising)
            fs = self._fusion_settings
            quiet = still or bool(not f.initialising and f.gyro_spread_dps < fs.quiet_gyro_std_dps
                                  and f.acc_spread_g < fs.quiet_acc_std_g)
            b.rp[i] = (r, p)
        else:
            r, p = float(x[0]), float(x[1])
            b.rp[i] = (r, p)  # before the stillness window, which includes this sample
            w = b.rp[max(0, i - self._still_win + 1) : i + 1]
            still = len(w) >= self._still_win and bool(np.all(w.std(axis=0) < ROLL_STILL_STD_DEG))
            quiet = still
        b.still[i] = b.rest[i] = still
        self._t_last = t
        self._g += 1
        if math.isnan(self._t_first):
            self._t_first = t
        self._neutral.track(self._buf, self._g, self._t_first, still, quiet, self._source == "imu")
        return r, p

    @staticmethod
    def _check_source(acc_g, gyro_dps, roll_deg, pitch_deg) -> str:
        if acc_g is not None and gyro_dps is not None:
            return "imu"
        if roll_deg is not None and pitch_deg is not None:
            return "roll"
        raise AnalysisError("push needs acc_g and gyro_dps, or roll_deg and pitch_deg")

    # -- gyro bias and neutral --------------------------------------------------------------------
    def _update_bias(self) -> None:
        """The offline gyro-bias rule over the buffer since the last gap (`bias.LiveGyroBias`),
        then the tilt's anchor (`bias.anchor_tilt`): in full (a re-seed) when the new bias moved by
        more than BIAS_RESEED_DPS or no bias is known yet (a walk from the start with a raw gyro:
        1.5 deg/s left 10 deg at a 10 s anchor until the walk's bias fit came, 5 deg re-seeded),
        else with the time constant ANCHOR_TIME_CONSTANT_S."""
        b, f = self._buf, self._fusion
        gaps = np.flatnonzero(b.restart[: b.n])
        a = int(gaps[-1]) if len(gaps) else 0
        new = self._bias.update(b.t[a : b.n], b.acc[a : b.n], b.gyro[a : b.n], f.bias_dps, b.base + a)
        moved = 0.0
        if new is not None:
            moved = float(np.linalg.norm(np.subtract(new, f.bias_dps)))
            f.bias_dps = new
        full = moved > BIAS_RESEED_DPS or self._bias.tier == SEED
        anchor_tilt(b, f, self._turns, a, 1.0 if full else self.settings.bias_every_s / ANCHOR_TIME_CONSTANT_S,
                    self.rate_hz)
        u = self._turns.update(b, a, b.still, f.bias_dps)  # a turn's errors, as offline
        if u is not None:
            f.up = u
            self._neutral.level(None)  # the standing re-levelled on the corrected accelerometer

    @property
    def bias_source(self) -> str:
        """What the gyro bias in use came from: "seed" (the start-up window at rest, or zero),
        "moving" (the walk), "quiet" (swaying standing), "still" (still standing)."""
        return self._bias.tier_name

    def tare(self) -> None:
        """Take the neutral now from the last tare_still_s of samples; AnalysisError if moving."""
        self._neutral.tare(self._buf, self._g, self._source == "imu")
        self._show(*self._last_rp)

    # -- display -------------------------------------------------------------------------------
    def _show(self, r_f: float, p_f: float) -> None:
        """current_roll_deg from the filtered sensor-frame roll/pitch, deg (levelled, neutral-relative)."""
        self._last_rp = (r_f, p_f)
        if self.neutral_roll_deg is not None:
            self.current_roll_deg = self._neutral.roll_shown_deg(r_f, p_f)

    # -- reps ----------------------------------------------------------------------------------
    def start_set(self, t_s: float | None = None) -> None:
        """The set starts at t_s (s, the samples' clock; None: after the newest sample): from now
        on only reps starting then or later are emitted, and a detector with a `lead_in_s` reads up
        to that long of what was pushed before (not across a gap): the offline rule for a set of
        `analyze_sets` (`analysis.lead_in`), so both find the same reps. Push from where the
        previous set ended (or the stream's start)."""
        after = math.nextafter(self._t_last, math.inf) if not math.isnan(self._t_last) else -math.inf
        self._set_t_s = float(t_s) if t_s is not None else after

    def finish(self) -> list[Rep]:
        """The stream has ended: one last run over what the buffer holds (its backward pass done at
        once), emitting the reps that were still waiting for later samples (the margin, a short
        run's hold). Returns them; pushing after this is not supported."""
        self._job = self._ready_g = None
        if self.neutral_roll_deg is None or self._g < 0 or (self._source == "imu" and self._fusion is None):
            return []
        if self._source == "imu":
            job = BackwardPass(self._buf, self._g + 1, self._lag, self._fusion.bias_dps, self._fusion_settings,
                               self.rate_hz, self._turns)
            while not job.step(self.settings.work_per_push):
                pass
        return self._detect(self._g + 1, last=True)

    def _maybe_run(self) -> list[Rep]:
        """At most one slice of rep work per pushed sample: start a run, advance its backward
        pass, or (the push after the pass ends) run the detector; so no push pays for a whole run."""
        if self._ready_g is not None:
            g_end, self._ready_g = self._ready_g, None
            return self._detect(g_end)
        if self._job is not None:
            if self._job.step(self.settings.work_per_push):
                self._ready_g, self._job = self._job.g_end, None
            return []
        f = self._fusion
        if f is not None and not f.initialising and self._t_last >= self._next_bias_t:
            # Its own slice, before the run it serves (the backward pass uses the bias).
            self._next_bias_t = self._t_last + self.settings.bias_every_s
            self._update_bias()
            return []
        if self.neutral_roll_deg is None or self._t_last < self._next_run_t:
            return []
        self._next_run_t = self._t_last + self.settings.run_every_s
        if self._source != "imu":
            return self._detect(self._g + 1)
        self._job = BackwardPass(self._buf, self._g + 1, self._lag, self._fusion.bias_dps, self._fusion_settings,
                                 self.rate_hz, self._turns)
        return []

    def _detect(self, g_end: int, last: bool = False) -> list[Rep]:
        """Detector + scoring over the buffer up to global sample g_end; the newly completed reps
        (last: the stream has ended, `RepEmitter.offer`)."""
        b = self._buf
        n = g_end - b.base
        # A link gap ends the window: the detectors index samples, and a bout seen across the gap
        # would carry its stance parity over steps that were never seen. Raw input also waits out
        # the fusion's restart.
        gaps = np.flatnonzero(b.restart[:n])
        cut = int(gaps[-1]) + (self._restart_rows if self._source == "imu" else 0) if len(gaps) else 0
        # A set's start (`start_set`) is no cut: the detector reads its lead-in as offline.
        a, first = set_rows(b, cut, n, self._set_t_s, self._detector, self.rate_hz)
        if n - first < 10:
            return []
        bias = self._fusion.bias_dps if self._fusion is not None else (0.0, 0.0, 0.0)
        trace = buffer_trace(b, a, n, self._source or "imu", self._neutral.rot, self._neutral.after_g, bias,
                             float(self.neutral_roll_deg), self.rate_hz, self._turns, self._yaw)
        truncated = a == cut and (b.base > 0 or cut > 0)
        found = detect_reps(self.exercise, self._detector, trace, self._neutral.offset_deg, self.thresholds, first - a,
                            None if self._bouts is None else self._bouts.rule(not truncated))
        return self._emitter.offer(found, float(b.t[n - 1]), float(b.t[a]), truncated, last, self._turns.hold_from_s)
