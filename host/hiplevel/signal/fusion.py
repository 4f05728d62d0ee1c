"""Tilt fusion on the host: the world "up" direction in the body frame, from 6-axis IMU samples.

Only roll and pitch matter for pelvic obliquity, so the state is the unit up-vector `u` in the
body frame (x forward, y left, z up), not a full quaternion: yaw (turns) cannot leak into it. The
gyro turns `u` (du/dt = u x w), the accelerometer pulls it gently toward the measured specific
force, with less trust the further |a| is from 1 g (walking impacts, band-walk jerks).

This is our own filter (not the firmware's): a complementary filter on the up-vector with gyro bias
estimated at rest (`hiplevel.signal.rest_bias`). `TiltFusion` (`hiplevel.signal.live_fusion`) is
the causal per-sample form (live); `fuse_tilt` runs the same step forwards and backwards in time
and averages, so the offline result has no phase lag and a constant residual gyro bias cancels
(forward error +b*tau, backward error -b*tau).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from hiplevel._native import fuse_kernel
from hiplevel.signal.angle_units import DEG_PER_RAD, degrees, radians
from hiplevel.signal.exact_median import median
from hiplevel.signal.rest_masks import quiet_mask, rest_mask

DEG = math.pi / 180.0
# Offline passes: re-solve with the state norms of the previous solution (see `_run`).
SCAN_NORM_ITERATIONS = 1
# A pass that starts moving starts from the accelerometer averaged over this long, s (carried along
# by the gyro): several strides, so walking's sideways swing (0.1-0.2 g at ~1 Hz) averages out.
# A walk's start or stop changes the speed by ~1.2 m/s within a second or so: over one stride that
# reads as 0.1 g (6 deg) of tilt, over 6 s as 0.02 g (simulated walks cut at their last step: the
# tilt error 4.2-5.5 deg with a 1.1 s window, 1.3-2.8 deg at 3 s, 0.8-1.4 deg at 5-8 s).
START_WINDOW_S = 6.0


@dataclass(frozen=True)
class FusionSettings:
    """Parameters of the tilt fusion (units in the names).

    acc_time_constant_s: how slowly the accelerometer corrects the gyro; long, because walking
        swings the pelvis sideways by 0.1-0.2 g at ~1 Hz (a 2 s constant would leave ~0.7 deg).
        0 disables the correction (gyro only).
    rest_acc_time_constant_s: the same while at rest (a hold, quiet standing): the accelerometer
        is then pure gravity, so it may win quickly and a residual gyro bias cannot build up.
    acc_tolerance_g: the accelerometer weight falls linearly from 1 at |a| = 1 g to 0 at
        |a| = 1 g +- this (impacts are ignored rather than trusted).
    rest_gyro_std_dps, rest_acc_std_g: a window is "at rest" when the gyro and accelerometer
        standard deviations stay below these (quiet standing sways well under 1 dps).
    rest_window_s: length of that window.
    rest_bias_max_residual_deg: a rest run only estimates the gyro bias if the gyro-integrated and
        the accelerometer tilt, once the run's bias slope is removed, disagree by less than this
        (RMS, deg; `hiplevel.signal.rest_bias`): sway moves both together, a bias makes them diverge
        linearly, linear accelerations make them disagree. Runs of simulated standing sit at
        0.02-0.4 deg. When no run qualifies the quietest one is used, never zero.
    rest_bias_min_s: shorter rest runs do not estimate the bias (quiet standing lasts seconds;
        brief lulls in a sway or a walk carry real rotation).
    quiet_gyro_std_dps, quiet_acc_std_g: "quiet" (`quiet_mask`): no steps and no fast rotation;
        when no rest run qualifies, the runs whose bias across the vertical the residual test may
        accept (`rest_bias`).
        Standing people sway at gyro SD 0.3-3.3 deg/s over 0.5 s (ipol-dev medians; subject 4
        never stays under rest_gyro_std_dps for 1.5 s), turns and posture changes rotate at >= 20;
        standing accelerometer SD 0.003-0.015 g, a step >= 0.1 g.
    bias_time_constant_s: how fast the live filter's gyro-bias estimate along the vertical follows
        the gyro at rest (across it the tilt error sets the bias: `TiltFusion`); 0 freezes the bias.
    turn_rate_dps: above about this rate (a turn) the accelerometer is trusted less; 0 disables.
    turn_errors: estimate the accelerometer bias and gyro cross-axis leak from turns and fuse again
        (`hiplevel.signal.turns`); False skips it.
    cross_axis_fraction: gyro cross-axis sensitivity assumed when weighting the two offline passes
        (MPU6050: +-2 %): a 180 deg turn can leak ~3.6 deg into roll, so after a turn the pass that
        has not yet gone through it is trusted more (a simple forward-backward smoother).
    gyro_error_floor_deg: error floor of each pass; equal floors make quiet stretches a plain mean.
    stride_window_s, stride_time_constant_s: live only (`TiltFusion`), the tilt's slow error against
        the accelerometer averaged over stride_window_s (whole strides) is removed over
        stride_time_constant_s (`hiplevel.signal.stride_tilt`): long, so slow translations are not
        taken for tilt (simulator live roll RMSE 0.26 deg at 20 s, 0.28 at 10 s, 0.42 at 3 s).
        0 disables.
    """

    acc_time_constant_s: float = 8.0
    rest_acc_time_constant_s: float = 0.5
    acc_tolerance_g: float = 0.25
    rest_gyro_std_dps: float = 1.5
    rest_acc_std_g: float = 0.02
    rest_window_s: float = 0.5
    rest_bias_max_residual_deg: float = 0.6
    rest_bias_min_s: float = 1.5
    quiet_gyro_std_dps: float = 8.0
    quiet_acc_std_g: float = 0.03
    bias_time_constant_s: float = 1.0
    turn_rate_dps: float = 60.0
    turn_errors: bool = True
    cross_axis_fraction: float = 0.02
    gyro_error_floor_deg: float = 0.2
    stride_window_s: float = 2.0
    stride_time_constant_s: float = 20.0


def rotate_unit(u: tuple[float, float, float], k: tuple[float, float, float], cos: float,
                sin: float) -> tuple[float, float, float]:
    """u turned about the unit axis k (right hand) by the angle of that cosine and sine (Rodrigues:
    exact at any angle): the per-sample rotation of `tilt_step` and `stride_tilt.StrideTiltLoop`."""
    ux, uy, uz = u
    kx, ky, kz = k
    dot = (kx * ux + ky * uy + kz * uz) * (1.0 - cos)
    return (ux * cos + (ky * uz - kz * uy) * sin + kx * dot, uy * cos + (kz * ux - kx * uz) * sin + ky * dot,
            uz * cos + (kx * uy - ky * ux) * sin + kz * dot)


def tilt_step(
    u: tuple[float, float, float],
    gyro_rps: tuple[float, float, float],
    acc_g: tuple[float, float, float],
    dt_s: float,
    acc_gain_per_s: float,
    acc_tolerance_g: float,
    turn_rate_dps: float = 0.0,
) -> tuple[tuple[float, float, float], float]:
    """One fusion step. u: unit up-vector, body frame; gyro_rps: bias-free rate, rad/s; acc_g: g.

    dt_s may be negative (backward pass). turn_rate_dps > 0 lowers the accelerometer's weight while
    the body turns fast (centripetal acceleration looks like tilt): weight / (1 + (|w| / it)^2).
    Returns the new up-vector and the fraction k of the accelerometer correction applied (0 when
    the accelerometer was ignored: |a| outside the tolerance)."""
    wx, wy, wz = gyro_rps
    # Exact rotation of u by -w*dt (Rodrigues), so large rates at 50 Hz stay accurate.
    theta = math.sqrt(wx * wx + wy * wy + wz * wz) * dt_s
    if theta != 0.0:
        u = rotate_unit(u, (wx * dt_s / theta, wy * dt_s / theta, wz * dt_s / theta), math.cos(theta), -math.sin(theta))
    ux, uy, uz = u
    ax, ay, az = acc_g
    norm_a = math.sqrt(ax * ax + ay * ay + az * az)
    weight = 1.0 - abs(norm_a - 1.0) / acc_tolerance_g if acc_tolerance_g > 0 else 0.0
    k = 0.0
    if weight > 0.0 and norm_a > 0.0 and acc_gain_per_s > 0:
        if turn_rate_dps > 0 and theta != 0.0:
            rate = abs(theta / dt_s) / DEG / turn_rate_dps
            weight /= 1.0 + rate * rate
        k = min(1.0, acc_gain_per_s * abs(dt_s) * weight)
        ux += k * (ax / norm_a - ux)
        uy += k * (ay / norm_a - uy)
        uz += k * (az / norm_a - uz)
    n = math.sqrt(ux * ux + uy * uy + uz * uz)
    return (ux / n, uy / n, uz / n), k


def up_to_roll_pitch_deg(up: np.ndarray, out: tuple[np.ndarray, np.ndarray] | None = None
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch, deg, from up-vectors (N,3) in the body frame; out: (N,) float64 arrays to
    write them into (the same values, converted in place).

    Roll + = left side higher (rotation about +x); pitch + = front of the pelvis down."""
    up = np.atleast_2d(up)
    if out is not None and up.dtype == np.float64:
        roll, pitch = np.arctan2(up[:, 1], up[:, 2], out=out[0]), out[1]
        np.arctan2(-up[:, 0], np.hypot(up[:, 1], up[:, 2]), out=pitch)
        return np.multiply(roll, DEG_PER_RAD, out=roll), np.multiply(pitch, DEG_PER_RAD, out=pitch)  # `degrees`
    roll = degrees(np.arctan2(up[:, 1], up[:, 2]))
    # Nose down tilts body +x below the horizon, so up gets a negative x component.
    pitch = degrees(np.arctan2(-up[:, 0], np.hypot(up[:, 1], up[:, 2])))
    return roll, pitch


def roll_pitch_to_up(roll_deg: np.ndarray, pitch_deg: np.ndarray,
                     terms: tuple[np.ndarray, np.ndarray] | None = None, out: np.ndarray | None = None) -> np.ndarray:
    """Inverse of `up_to_roll_pitch_deg`: unit up-vectors (N,3) in the body frame. terms: the
    pitch's `pitch_terms` when at hand (two up-vectors of one pitch and two rolls share them);
    out: an (N,3) float64 array to write them into."""
    r = radians(np.atleast_1d(np.asarray(roll_deg, float)))
    cp, minus_sp = pitch_terms(pitch_deg) if terms is None else terms
    out = np.empty((len(r), 3)) if out is None else out
    out[:, 0] = minus_sp
    np.multiply(cp, np.sin(r), out=out[:, 1])
    np.multiply(cp, np.cos(r), out=out[:, 2])
    return out


def turned_about_x(up: np.ndarray, roll_deg: float) -> np.ndarray:
    """Up-vectors (N,3) [-sin p, cos p sin r, cos p cos r] as those of the roll r - roll_deg, deg:
    sin(r - n) = sin r cos n - cos r sin n, cos(r - n) = cos r cos n + sin r sin n."""
    n = np.radians(roll_deg)
    cn, sn = float(np.cos(n)), float(np.sin(n))
    out, y, z = np.empty_like(up), up[:, 1], up[:, 2]
    out[:, 0] = up[:, 0]
    np.multiply(y, cn, out=out[:, 1])
    out[:, 1] -= z * sn
    np.multiply(z, cn, out=out[:, 2])
    out[:, 2] += y * sn
    return out


def pitch_terms(pitch_deg: np.ndarray, out: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """(cos p, -sin p) of the pitch, deg (N,): the part of `roll_pitch_to_up` that the pitch alone
    gives (its x component, and the factor of the other two); out: two (N,) float64 arrays to
    write them into (the same values)."""
    p = radians(np.atleast_1d(np.asarray(pitch_deg, float)))
    if out is None:
        return np.cos(p), np.negative(np.sin(p))
    np.cos(p, out=out[0])
    np.negative(np.sin(p, out=out[1]), out=out[1])
    return out


def _gains(settings: FusionSettings) -> tuple[float, float]:
    move = 1.0 / settings.acc_time_constant_s if settings.acc_time_constant_s > 0 else 0.0
    rest = 1.0 / settings.rest_acc_time_constant_s if settings.rest_acc_time_constant_s > 0 else move
    return move, rest


def accel_fraction(acc_g: np.ndarray, w_rps: np.ndarray, dt_s: np.ndarray, rest: np.ndarray,
                   settings: FusionSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample: the fraction k (N,) of the accelerometer correction `tilt_step` applies (it
    depends on the samples only, not on the state), |a| (N,) g and |w| (N,) rad/s. Each step
    multiplies a difference between two filter states by about (1 - k): how fast the filter
    forgets where it started (`hiplevel.signal.chunk_plan`)."""
    n = len(acc_g)
    move_gain, rest_gain = _gains(settings)
    tol, turn = settings.acc_tolerance_g, settings.turn_rate_dps
    kernel = _fraction_kernel(acc_g, w_rps, dt_s)
    if kernel is not None:
        # The same operations in one compiled loop (`fusekernel.accel_fraction`): the results to the bit.
        k, norm_a, mag = np.empty(n), np.empty(n), np.empty(n)
        kernel.accel_fraction((move_gain, rest_gain, tol, turn), np.ascontiguousarray(acc_g),
                              np.ascontiguousarray(w_rps), np.ascontiguousarray(dt_s),
                              np.ascontiguousarray(rest, dtype=bool), k, norm_a, mag)
        return k, norm_a, mag
    gain = np.where(rest, rest_gain, move_gain)
    norm_a = np.sqrt(np.einsum("ij,ij->i", acc_g, acc_g))
    mag = np.sqrt(np.einsum("ij,ij->i", w_rps, w_rps))
    adt = np.abs(dt_s)
    weight = 1.0 - np.abs(norm_a - 1.0) / tol if tol > 0 else np.zeros(n)
    use = (weight > 0.0) & (norm_a > 0.0) & (gain > 0)
    if turn > 0:
        rate = mag / DEG / turn
        weight = weight / (1.0 + rate * rate)
    k = np.where(use, np.minimum(1.0, gain * adt * weight), 0.0)
    return k, norm_a, mag


def _fraction_kernel(acc_g: np.ndarray, w_rps: np.ndarray, dt_s: np.ndarray):
    """The compiled `accel_fraction` when built and it sums |a| and |w| as this numpy's einsum does
    (`fusion_scan._einsum_rows_ok`), for float64 (N,3), (N,3), (N,) samples; else None (numpy)."""
    kernel = fuse_kernel()
    if kernel is None or not hasattr(kernel, "accel_fraction"):
        return None
    from hiplevel.signal.fusion_scan import _einsum_rows_ok

    arrays = (np.asarray(acc_g), np.asarray(w_rps), np.asarray(dt_s))
    if any(a.dtype != np.float64 for a in arrays) or arrays[0].ndim != 2 or arrays[0].shape[1:] != (3,) \
            or arrays[1].shape != arrays[0].shape or arrays[2].shape != arrays[0].shape[:1]:
        return None
    return kernel if _einsum_rows_ok() else None


def _run(passes: list[tuple], settings: FusionSettings) -> list[tuple[np.ndarray, np.ndarray]]:
    """Passes of `tilt_step` over the samples (`fusion_scan.run_passes`)."""
    from hiplevel.signal.fusion_scan import run_passes

    return run_passes(passes, settings)


def sample_rate_hz(t_s: np.ndarray) -> float:
    """1 / the median step of sample times t_s (N,), Hz (`tied_median.median_step`: the same value
    as numpy's median, by counts when most steps are tied, as on a grid)."""
    from hiplevel.signal.tied_median import median_step

    return 1.0 / median_step(t_s)


def _unit(v: np.ndarray) -> tuple[float, float, float]:
    v = np.asarray(v, float)
    v = v / np.linalg.norm(v)
    return float(v[0]), float(v[1]), float(v[2])


@dataclass(frozen=True)
class TiltResult:
    """Offline fusion output: up_ (N,3) unit up-vector, body frame; bias_dps_ (N,3): subtract from
    the gyro (rest bias, plus the cross-axis leak found across turns); rest_ (N,);
    acc_bias_g_ (3,): accelerometer bias found across turns (zeros without turns)."""

    up_: np.ndarray
    bias_dps_: np.ndarray
    rest_: np.ndarray
    acc_bias_g_: np.ndarray = field(default_factory=lambda: np.zeros(3))


def fuse_tilt(
    t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray, settings: FusionSettings | None = None,
    rest: np.ndarray | None = None, gyro_bias_dps: np.ndarray | None = None,
) -> TiltResult:
    """Zero-phase offline tilt: forward and backward passes of `tilt_step`, combined (each pass
    vectorised by `hiplevel.signal.scan`: same results as the per-sample loop within 0.01 deg).

    t_s (N,) s; acc_g (N,3) g; gyro_dps (N,3) deg/s, body frame. Gyro bias from rest and quiet
    periods, or from the movement when there are none (`hiplevel.signal.rest_bias`).
    rest (N,) bool: where the sensor is at rest, when the caller knows better than `rest_mask`;
    gyro_bias_dps (3,) or (N,3): the gyro's bias when already known (e.g. 0 for a bias-free gyro).
    When the recording has turns, the accelerometer bias and gyro cross-axis leak they reveal are
    estimated (`hiplevel.signal.turns`) and the fusion runs again on corrected signals."""
    from hiplevel.signal.rest_bias import estimate_gyro_bias_dps
    from hiplevel.signal.turns import NO_ERRORS, estimate_turn_errors

    settings = settings or FusionSettings()
    t_s, acc_g, gyro_dps = np.asarray(t_s, float), np.asarray(acc_g, float), np.asarray(gyro_dps, float)
    if len(t_s) < 2:
        raise ValueError("fuse_tilt needs at least 2 samples")
    rate = sample_rate_hz(t_s)
    rest = rest_mask(acc_g, gyro_dps, rate, settings) if rest is None else np.asarray(rest, bool)
    if gyro_bias_dps is not None:
        bias = np.broadcast_to(np.asarray(gyro_bias_dps, float), gyro_dps.shape).copy()
    else:
        bias = estimate_gyro_bias_dps(t_s, gyro_dps, rest, acc_g, settings.rest_bias_max_residual_deg,
                                      max(1, int(round(settings.rest_bias_min_s * rate))),
                                      quiet=quiet_mask(acc_g, gyro_dps, rate, settings))
    up = fuse_passes(t_s, acc_g, gyro_dps - bias, rest, settings, rate)
    errors = estimate_turn_errors(acc_g, gyro_dps - bias, up, rate) if settings.turn_errors else NO_ERRORS
    if errors.n_turns:
        acc_c, gyro_c = errors.correct(acc_g, gyro_dps - bias)
        up = fuse_passes(t_s, acc_c, gyro_c, rest, settings, rate)
        gyro_leak = gyro_c - (gyro_dps - bias)
    else:
        gyro_leak = np.zeros_like(gyro_dps)
    return TiltResult(up_=up, bias_dps_=bias - gyro_leak, rest_=rest, acc_bias_g_=errors.acc_bias_g)


def _start_up(acc_g: np.ndarray, w_rps: np.ndarray, dt_s: np.ndarray, rest: np.ndarray,
              rate_hz: float) -> tuple[float, float, float]:
    """A pass' start state (the up-vector before its first sample), in its sample order: the
    accelerometer (N,3) g at the rest samples within its first second (pure gravity); else, when
    the stretch rests elsewhere (so this end is moving), averaged over its first START_WINDOW_S,
    each sample carried back to the first one by the gyro (w_rps (N,3), dt_s (N,), as the pass
    steps), so walking's sway and steps average out."""
    first = np.flatnonzero(rest[: max(1, int(rate_hz))])
    if len(first):
        return _unit(acc_g[first].mean(axis=0))
    if not rest.any():
        # No rest anywhere: the caller withheld the mask (the re-fusion of `exercises.base`), so
        # this end need not be moving: its first half second, as before.
        return _unit(acc_g[: max(1, int(rate_hz // 2))].mean(axis=0))
    n = max(1, min(len(acc_g), int(round(START_WINDOW_S * rate_hz))))
    acc, w, dt = acc_g[:n].tolist(), w_rps[:n].tolist(), dt_s[:n].tolist()
    m = acc[n - 1]
    for i in range(n - 1, 0, -1):
        # Sample i's step turns the state at i-1 into the one at i: undo it (-dt), no accelerometer.
        norm = math.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2])
        u = tilt_step((m[0] / norm, m[1] / norm, m[2] / norm), w[i], (0.0, 0.0, 1.0), -dt[i], 0.0, 0.0)[0]
        m = [u[0] * norm + acc[i - 1][0], u[1] * norm + acc[i - 1][1], u[2] * norm + acc[i - 1][2]]
    return _unit(m)


def fuse_passes(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray, rest: np.ndarray,
                settings: FusionSettings, rate_hz: float | None = None) -> np.ndarray:
    """Up-vectors (N,3): forward and backward passes of `tilt_step` over bias-free gyro (deg/s),
    weighted by each pass' error estimate; each pass starts from the accelerometer at its own first
    samples (`_start_up`), never at a rest run further on: after minutes of moving the body may be
    in another posture, and with the accelerometer mostly ignored (brisk walking, stairs) a pass
    started there stayed tens of degrees off for a minute while the blend trusted it (hapt-dev).
    rest: (N,) bool, `rest_mask`; rate_hz: `sample_rate_hz(t_s)` when the caller has it already (a
    median of the steps: a chunk fused twice takes it once)."""
    rate = sample_rate_hz(t_s) if rate_hz is None else rate_hz
    w = radians(gyro_dps)
    # Sample i's rate acts over the interval that ends at it (forward) / starts at it (backward).
    # Backward: u_{i-1} = u_i rotated by +w_i*dt, i.e. the same step with -dt, in reverse order.
    # The steps of np.diff(t, prepend=t[0] - 1 / rate) and -np.diff(t, append=t[-1] + 1 / rate)
    # without their concatenated copies; the backward steps but the last are the forward ones negated.
    t = np.asarray(t_s, dtype=np.float64)
    dt_fwd, dt_bwd = np.empty(len(t)), np.empty(len(t))
    np.subtract(t[1:], t[:-1], out=dt_fwd[1:])
    np.negative(dt_fwd[1:], out=dt_bwd[:-1])
    first, last = float(t[0]), float(t[-1])
    dt_fwd[0] = first - (first - 1.0 / rate)
    dt_bwd[-1] = -((last + 1.0 / rate) - last)
    forward, backward = (acc_g, w, dt_fwd, rest), (acc_g[::-1], w[::-1], dt_bwd[::-1], rest[::-1])
    (fwd, e_f), (bwd, e_b) = _run([(*p, _start_up(*p, rate)) for p in (forward, backward)], settings)
    floor2 = settings.gyro_error_floor_deg**2
    kernel = fuse_kernel()
    if kernel is not None and fwd.flags.c_contiguous and bwd.flags.c_contiguous:
        # The weighted mean below in one compiled pass (the same operations in the same order).
        kernel.blend(fwd, e_f, bwd, e_b, float(floor2))
        return fwd
    bwd, e_b = bwd[::-1], e_b[::-1]
    w_f, w_b = 1.0 / (e_f**2 + floor2), 1.0 / (e_b**2 + floor2)
    # In place (a long chunk holds several of these arrays): up = fwd w_f + bwd w_b, normalised.
    fwd *= w_f[:, None]
    bwd *= w_b[:, None]
    fwd += bwd
    del bwd
    fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
    return fwd
