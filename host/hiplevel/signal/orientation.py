"""From any input (raw 6-axis or the device's roll stream) to one aligned pelvis trace.

Steps (offline): resample jittered timestamps to a uniform grid, fuse tilt (zero-phase, bias from
rest), find the quiet standing at the start, align the mount (level + forward axis), and express
roll/pitch relative to that standing pose. The device roll stream skips fusion: its roll and pitch
rebuild the up-vector and go through the same alignment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.samples import ImuSeries, RollSeries
from hiplevel.signal.alignment import alignment_rotation, yaw_rotation
from hiplevel.signal.filters import resample_uniform, zero_phase_lowpass
from hiplevel.signal.fusion import FusionSettings, fuse_tilt, roll_pitch_to_up, up_to_roll_pitch_deg
from hiplevel.signal.neutral import find_standing, still_from_angles

MIN_RATE_HZ, MAX_RATE_HZ = 40.0, 250.0


@dataclass(frozen=True)
class PelvisTrace:
    """Aligned pelvis orientation on a uniform time grid.

    t_s (N,), s; rate_hz; roll_deg / pitch_deg (N,): pelvis frame, relative to the levelled standing
    pose of the first quiet standing (+ roll = left side higher, + pitch = front down);
    acc_g / gyro_dps (N,3): aligned body frame (gyro bias removed), None for a roll stream;
    still (N,) bool; standing: [start, end) of the first quiet standing;
    standing_roll_deg: roll of that standing in the sensor frame after the yaw fix (the device's tare);
    mount_yaw_deg: forward-axis correction applied; source: "imu" or "roll"."""

    t_s: np.ndarray
    rate_hz: float
    roll_deg: np.ndarray
    pitch_deg: np.ndarray
    acc_g: np.ndarray | None
    gyro_dps: np.ndarray | None
    still: np.ndarray
    standing: tuple[int, int]
    standing_roll_deg: float
    mount_yaw_deg: float
    source: str


def _check_rate(t_s: np.ndarray) -> float:
    from hiplevel.signal.errors import AnalysisError

    if len(t_s) < 10:
        raise AnalysisError(f"too few samples to analyse ({len(t_s)})")
    if np.any(np.diff(t_s) <= 0):
        raise AnalysisError("timestamps must increase")
    rate = 1.0 / float(np.median(np.diff(t_s)))
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise AnalysisError(f"sample rate {rate:.1f} Hz is outside {MIN_RATE_HZ:.0f}-{MAX_RATE_HZ:.0f} Hz")
    return rate


def _finish(t, rate, up, still, acc, gyro, source, standing_hint=None) -> PelvisTrace:
    standing = find_standing(still, t) if standing_hint is None else standing_hint
    a, b = standing
    up_stand = up[a:b].mean(axis=0)
    rot, psi = alignment_rotation(up_stand, up[b:] if len(up) - b > 10 else up)
    up_al = up @ rot.T
    roll, pitch = up_to_roll_pitch_deg(up_al)
    tare_roll, _ = up_to_roll_pitch_deg((yaw_rotation(psi) @ (up_stand / np.linalg.norm(up_stand)))[None, :])
    return PelvisTrace(
        t_s=t,
        rate_hz=rate,
        roll_deg=roll,
        pitch_deg=pitch,
        acc_g=None if acc is None else acc @ rot.T,
        gyro_dps=None if gyro is None else gyro @ rot.T,
        still=still,
        standing=standing,
        standing_roll_deg=float(tare_roll[0]),
        mount_yaw_deg=psi,
        source=source,
    )


def trace_from_imu(series: ImuSeries, settings: FusionSettings | None = None) -> PelvisTrace:
    """Offline pelvis trace from raw 6-axis samples (body frame, possibly a few deg off)."""
    t = np.asarray(series.t_s, float)
    rate = _check_rate(t)
    t_u, acc = resample_uniform(t, series.acc_g, rate)
    _, gyro = resample_uniform(t, series.gyro_dps, rate)
    tilt = fuse_tilt(t_u, acc, gyro, settings)
    return _finish(t_u, rate, tilt.up_, tilt.rest_, acc - tilt.acc_bias_g_, gyro - tilt.bias_dps_, "imu")


def trace_from_roll(series: RollSeries) -> PelvisTrace:
    """Offline pelvis trace from the device's fused roll/pitch stream (NaN = lost sample)."""
    from hiplevel.signal.errors import AnalysisError

    t = np.asarray(series.t_s, float)
    roll, pitch = np.asarray(series.roll_deg, float), np.asarray(series.pitch_deg, float)
    ok = np.isfinite(roll) & np.isfinite(pitch)
    if ok.sum() < 10:
        raise AnalysisError("the roll stream has fewer than 10 valid samples")
    rate = _check_rate(t[ok])
    t_u, rp = resample_uniform(t[ok], np.column_stack([roll[ok], pitch[ok]]), rate)
    # A very short device fusion lag does not matter offline; smooth the 0.01 deg wire steps only.
    rp = zero_phase_lowpass(rp, 15.0, rate)
    up = roll_pitch_to_up(rp[:, 0], rp[:, 1])
    still = still_from_angles(rp[:, 0], rp[:, 1], rate)
    return _finish(t_u, rate, up, still, None, None, "roll")


def trace_from_series(series: ImuSeries | RollSeries, settings: FusionSettings | None = None) -> PelvisTrace:
    """Dispatch on the series type."""
    if isinstance(series, ImuSeries):
        return trace_from_imu(series, settings)
    if isinstance(series, RollSeries):
        return trace_from_roll(series)
    raise TypeError(f"expected ImuSeries or RollSeries, got {type(series).__name__}")


def slice_trace(tr: PelvisTrace, a: int, b: int) -> PelvisTrace:
    """The samples [a, b) of a trace (alignment kept; standing re-found inside by the caller)."""
    return PelvisTrace(
        t_s=tr.t_s[a:b],
        rate_hz=tr.rate_hz,
        roll_deg=tr.roll_deg[a:b],
        pitch_deg=tr.pitch_deg[a:b],
        acc_g=None if tr.acc_g is None else tr.acc_g[a:b],
        gyro_dps=None if tr.gyro_dps is None else tr.gyro_dps[a:b],
        still=tr.still[a:b],
        standing=(0, 0),
        standing_roll_deg=tr.standing_roll_deg,
        mount_yaw_deg=tr.mount_yaw_deg,
        source=tr.source,
    )
