"""How far the hips sink in a lowering (step-down, single-leg squat), cm, from the 6-axis stream.

The vertical acceleration is integrated twice over each rep (at rest at both ends). A belt
sensor's accelerometer bias, constant in the sensor frame (the MPU6050's zero-g offset is up to
+-50 mg on X/Y before calibration), reaches the vertical in proportion to the sine of the pitch: 8
mg at 25 deg for a 20 mg bias, the shape of the lowering itself, and integrated twice it grows with
the square of the duration. Over a squat lowered in 3 s (a 4.5-5 s pitch bump) a 30-37 mg bias
cancelled 10-20 cm of a 15-25 cm descent; no levelling of one rep removes it.

The bias is shared by every rep of a recording, and its trace differs in shape from the descent:
the descent follows the pitch (the hips sink as the hips and knees bend), the bias's trace is the
double integral of the pitch's sine. One least-squares fit over all the reps at once (each rep its
own depth, one bias for all) separates them (`forward_bias_g`): on simulated squat sets with a
31, 33 and 37 mg forward bias it found 30, 22 and 37 mg, and the descent is the larger of the
measures with and without it taken out (the fit is a model: other biases can mislead it). Only the squat fits it: a step-down's 6-12 deg of pitch leave the bias a trace under 2 cm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.constants import STANDARD_GRAVITY_MS2 as G_MPS2
from hiplevel.exercises.base import Motion, world_acc_g
from hiplevel.exercises.lateral_motion import SENSOR_ABOVE_HIP_M, SENSOR_BEHIND_HIP_M
from hiplevel.signal.filters import zero_phase_lowpass

# Documented mount: the sensor sits over the sacrum, about 12 cm behind and 8 cm above the hip-joint
# centres (pelvis frame x forward, z up); used to take the pitch lever out of the vertical descent.
SENSOR_LEVER_ARM_M = (-SENSOR_BEHIND_HIP_M, 0.0, SENSOR_ABOVE_HIP_M)
# The descent is measured only in reps faster than this (pitch bump, s): slower, the bias's
# temperature drift and the tilt error of the fusion (not one constant) are no longer small.
DESCENT_MAX_REP_S = 5.0
# Low-pass of the vertical acceleration before the double integration (a lowering's energy is below 2 Hz).
DESCENT_LP_HZ = 4.0
# Rest taken in on either side of a rep's pitch bump, s.
DESCENT_MARGIN_S = 0.3
# The fitted bias is kept within the chip's zero-g tolerance with margin (+-50 mg X/Y): a fit
# beyond it is the model failing (a rep whose hips do not follow the pitch), not the sensor.
FORWARD_BIAS_MAX_G = 0.08
# The bias is told from the reps' own depths only across a set: in one rep its trace and a descent
# that does not follow the pitch (a bend: the hips go back, not down) are confounded, and a lone
# 41-44 deg bend fitted -16 to -18 mg and measured 10-11 cm of descent (issue 14).
FORWARD_BIAS_MIN_REPS = 3
# Prior on that bias, g (1 SD: the spread of the chip's zero-g offset, +-50 mg at its limits).
FORWARD_BIAS_SD_G = 0.02
# One independent residual of the fitted heights per this long, s (their energy is below ~0.5 Hz).
RESIDUAL_CORR_S = 1.0


def _levelled_double_integral(a: np.ndarray, rate_hz: float) -> np.ndarray:
    """Position from acceleration over a window at rest at both ends: the mean taken out (zero
    velocity at both ends), integrated twice, levelled between its ends."""
    v = np.cumsum(a - np.mean(a)) / rate_hz
    z = np.cumsum(v) / rate_hz
    return z - np.linspace(z[0], z[-1], len(z))


def _rep_traces(m: Motion, onset: int, offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(measured height of the hips, m; the trace a 1 g forward bias leaves in it, m; the pitch's
    sine, levelled) over one rep and its margins."""
    margin = int(DESCENT_MARGIN_S * m.rate_hz)
    a, c = max(0, onset - margin), min(len(m.t_s), offset + margin + 1)
    sub = Motion(m.t_s[a:c], m.rate_hz, m.roll_deg[a:c], m.pitch_deg[a:c], m.acc_lin_g[a:c], None, m.still[a:c])
    az = zero_phase_lowpass(world_acc_g(sub)[:, 2], DESCENT_LP_HZ, m.rate_hz) * G_MPS2
    p = np.radians(m.pitch_deg[a:c] - m.pitch_deg[a])
    # A forward pitch p lifts a sensor behind the hips: dz = -lx sin p + lz (cos p - 1).
    lx, _, lz = SENSOR_LEVER_ARM_M
    z = _levelled_double_integral(az, m.rate_hz) - (-lx * np.sin(p) + lz * (np.cos(p) - 1.0))
    sin_p = np.sin(p)
    return z, _levelled_double_integral(G_MPS2 * sin_p, m.rate_hz), sin_p - np.linspace(sin_p[0], sin_p[-1], len(p))


def forward_bias_g(traces: list[tuple[np.ndarray, np.ndarray, np.ndarray]], rate_hz: float) -> float:
    """The accelerometer bias along the sensor's forward axis, g, that best explains the reps'
    measured heights as each rep's own multiple of its pitch shape plus the bias's trace (least
    squares over all reps together, with a prior on the bias), clipped to +-FORWARD_BIAS_MAX_G; no
    bias from fewer than FORWARD_BIAS_MIN_REPS reps."""
    n = sum(len(z) for z, _, _ in traces)
    if len(traces) < FORWARD_BIAS_MIN_REPS or n <= len(traces) + 1:
        return 0.0
    a = np.zeros((n, len(traces) + 1))
    y = np.empty(n)
    k = 0
    for i, (z, leak, shape) in enumerate(traces):
        a[k : k + len(z), 0] = leak
        a[k : k + len(z), 1 + i] = shape
        y[k : k + len(z)] = z
        k += len(z)
    # A shallow lowering (a step-down pitches 6-12 deg) leaves the bias too small a trace to be
    # told from the fidgets of the hips: the fit is pulled toward no bias by the prior on it
    # (FORWARD_BIAS_SD_G), weighted against how well the reps fit, with one independent residual
    # per RESIDUAL_CORR_S (the heights are smooth; their samples are not independent).
    coef = np.linalg.lstsq(a, y, rcond=None)[0]
    dof = max(1.0, n / (RESIDUAL_CORR_S * rate_hz) - a.shape[1])
    resid_var = float(np.sum((y - a @ coef) ** 2)) / dof
    ata = a.T @ a
    ata[0, 0] += resid_var / FORWARD_BIAS_SD_G**2
    bias = float(np.linalg.solve(ata, a.T @ y)[0])
    return float(np.clip(bias, -FORWARD_BIAS_MAX_G, FORWARD_BIAS_MAX_G))


def bias_reach_cm(m: Motion, onset: int, offset: int) -> float:
    """How far a forward bias of FORWARD_BIAS_SD_G could move the rep's measured descent, cm (its
    trace, as `_rep_traces` gives it for 1 g, scaled): where it reaches what the rep must show,
    the plain descent can not reject the rep (a lone slow squat, no set to fit the bias over)."""
    if m.acc_lin_g is None:
        return 0.0
    return 100.0 * FORWARD_BIAS_SD_G * float(np.max(np.abs(_rep_traces(m, onset, offset)[1])))


def descents_cm(m: Motion, reps: list[tuple[int, int]], fit_bias: bool = True) -> list[float | None]:
    """How far the hip centres sank in each rep (onset, offset sample indices), cm: the vertical
    acceleration integrated twice over the rep, levelled between its ends, the sensor's pitch lever
    taken out; with fit_bias the larger of that and the same with the forward bias fitted over
    these reps (`forward_bias_g`) taken out. None for a roll
    stream, for a rep slower than DESCENT_MAX_REP_S, or one too short to integrate."""
    out: list[float | None] = [None] * len(reps)
    if m.acc_lin_g is None:
        return out
    measured = [i for i, (on, off) in enumerate(reps)
                if (off - on) / m.rate_hz <= DESCENT_MAX_REP_S and off - on + 2 * int(DESCENT_MARGIN_S * m.rate_hz) >= 10]
    traces = [_rep_traces(m, *reps[i]) for i in measured]
    bias = forward_bias_g(traces, m.rate_hz) if fit_bias else 0.0
    for i, (z, leak, _) in zip(measured, traces):
        # The fit is a model (the hips follow the pitch; one bias along one axis): on slow squats
        # of devices with other biases (z, temperature) it under-measured by 5-8 cm where the
        # plain integral did not (12 seeds at 2.5 s: RMSE 5.7 cm against 4.1), so the larger of
        # the two is the descent: the fit only rescues a descent the bias hid.
        out[i] = round(100.0 * float(max(0.0, -np.min(z), -np.min(z - bias * leak))), 1)
    return out


@dataclass(frozen=True)
class DescentMeasure:
    """How an exercise measures its reps' descent: plain (`PLAIN_DESCENT`, the step-down: its 6-12
    deg of pitch leave a bias too small a trace to fit) or with the forward bias fitted over the set
    (`BIAS_FITTED_DESCENT`, the squat)."""

    fit_forward_bias: bool

    def depths_cm(self, m: Motion, reps: list[tuple[int, int]]) -> list[float | None]:
        """The reps' descents, cm (`descents_cm`); None where it can not be measured."""
        return descents_cm(m, reps, self.fit_forward_bias)

    def could_hide(self, m: Motion, onset: int, offset: int, need_cm: float) -> bool:
        """Whether a plausible forward bias could have hidden need_cm of this rep's descent
        (`bias_reach_cm`), so the measure can not reject it; only where the bias is fitted."""
        return self.fit_forward_bias and bias_reach_cm(m, onset, offset) >= need_cm


PLAIN_DESCENT = DescentMeasure(fit_forward_bias=False)
BIAS_FITTED_DESCENT = DescentMeasure(fit_forward_bias=True)
