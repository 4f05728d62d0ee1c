"""From any input (raw 6-axis or the device's roll stream) to one aligned pelvis trace.

Steps (offline): repair the sample times and split them at gaps (`signal.timeline`: short holes are
bridged, longer ones split the series into segments), check the units fit a person (`signal.units`),
resample each segment to a uniform grid and fuse tilt in it (zero-phase, bias from rest: fusion
restarts after every split gap), find the quiet standing at the start, align the mount (level +
forward axis, once for the whole trace: the sensor stays clipped on), and express roll/pitch
relative to that standing pose. The device roll stream skips fusion: its roll and pitch rebuild the
up-vector and go through the same alignment. Memory follows the samples, never the time span.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.samples import ImuSeries, RollSeries
from hiplevel.signal.alignment import alignment_rotation, yaw_rotation
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.filters import resample_uniform, zero_phase_lowpass
from hiplevel.signal.fusion import FusionSettings, fuse_tilt, roll_pitch_to_up, up_to_roll_pitch_deg
from hiplevel.signal.neutral import find_standing, still_from_angles
from hiplevel.signal.timeline import Segmentation, TimeFix, TimelineSettings, repair_times, split_at_gaps
from hiplevel.signal.units import check_imu_units

MIN_RATE_HZ, MAX_RATE_HZ = 40.0, 250.0


@dataclass(frozen=True)
class PelvisTrace:
    """Aligned pelvis orientation on a uniform time grid.

    t_s (N,), s; rate_hz; roll_deg / pitch_deg (N,): pelvis frame, relative to the levelled standing
    pose of the first quiet standing (+ roll = left side higher, + pitch = front down);
    acc_g / gyro_dps (N,3): aligned body frame (gyro bias removed), None for a roll stream;
    still (N,) bool; standing: [start, end) of the first quiet standing;
    standing_roll_deg: roll of that standing in the sensor frame after the yaw fix (the device's tare);
    mount_yaw_deg: forward-axis correction applied; source: "imu" or "roll";
    segments: [start, stop) sample ranges fused apart (split at gaps; one range when the input had
    none); timeline: the input's `Segmentation` (every hole, bridged or split, with its times, and
    the pieces skipped as too short); time_fixes: repairs of the input times (`TimeFix`)."""

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
    segments: tuple[tuple[int, int], ...] = ()
    timeline: Segmentation | None = None
    time_fixes: tuple[TimeFix, ...] = ()


@dataclass(frozen=True)
class _Input:
    """Repaired times of a series, the kept sample indices and its segmentation."""

    t_s: np.ndarray
    keep: np.ndarray
    rate_hz: float
    timeline: Segmentation
    fixes: tuple[TimeFix, ...]


def _prepare(t_s: np.ndarray, meta: dict, timeline: TimelineSettings | None) -> _Input:
    """Repair the times (the readers usually did already: then nothing changes), split at gaps
    (plus the breaks a reader found, `meta["breaks"]`) and check the rate."""
    t_s = np.asarray(t_s, float)
    if len(t_s) < 10:
        raise AnalysisError(f"too few samples to analyse ({len(t_s)})")
    if not np.isfinite(t_s).all():
        raise AnalysisError("sample times must be finite numbers")
    fix = repair_times(t_s, timeline)
    breaks = tuple(fix.breaks)
    if not fix.changed:
        breaks += tuple(int(b) for b in meta.get("breaks", ()))
    seg = split_at_gaps(fix.t_s, timeline, breaks=breaks)
    rate = 1.0 / seg.period_s if seg.period_s > 0 else float("nan")
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise AnalysisError(f"sample rate {rate:.1f} Hz is outside {MIN_RATE_HZ:.0f}-{MAX_RATE_HZ:.0f} Hz")
    if not seg.segments:
        longest = max((s.duration_s for s in seg.skipped), default=0.0)
        raise AnalysisError(f"no stretch of samples without a gap is long enough to analyse (longest {longest:.2f} s; "
                            f"gaps over {seg.settings.max_interpolated_gap_s:g} s split the series)")
    return _Input(fix.t_s, fix.keep, rate, seg, fix.fixes)


def _resampled(inp: _Input, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(uniform times, values) of each segment: holes inside a segment are bridged linearly."""
    out = []
    for s in inp.timeline.segments:
        out.append(resample_uniform(inp.t_s[s.start:s.stop], x[s.start:s.stop], inp.rate_hz))
    return out


def _bounds(lengths: list[int]) -> tuple[tuple[int, int], ...]:
    ends = np.cumsum(lengths)
    return tuple((int(e - n), int(e)) for e, n in zip(ends, lengths))


def _finish(t, rate, up, still, acc, gyro, source, inp: _Input, segments: tuple[tuple[int, int], ...]) -> PelvisTrace:
    still = still.copy()
    for a, _ in segments[1:]:
        still[a] = False  # a still run never spans a gap
    standing = find_standing(still, t)
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
        segments=segments,
        timeline=inp.timeline,
        time_fixes=inp.fixes,
    )


def trace_from_imu(series: ImuSeries, settings: FusionSettings | None = None,
                   timeline: TimelineSettings | None = None) -> PelvisTrace:
    """Offline pelvis trace from raw 6-axis samples (body frame, possibly a few deg off); fused
    segment by segment between the gaps `timeline` does not bridge. UnitsError (an AnalysisError)
    when the values do not fit g and deg/s."""
    inp = _prepare(series.t_s, series.meta, timeline)
    acc_in, gyro_in = np.asarray(series.acc_g, float)[inp.keep], np.asarray(series.gyro_dps, float)[inp.keep]
    check_imu_units(acc_in, gyro_in, inp.rate_hz, series.meta.get("units"))
    parts = []
    for (t_u, acc), (_, gyro) in zip(_resampled(inp, acc_in), _resampled(inp, gyro_in)):
        tilt = fuse_tilt(t_u, acc, gyro, settings)
        parts.append((t_u, tilt.up_, tilt.rest_, acc - tilt.acc_bias_g_, gyro - tilt.bias_dps_))
    t, up, rest, acc, gyro = (np.concatenate(p) for p in zip(*parts))
    return _finish(t, inp.rate_hz, up, rest, acc, gyro, "imu", inp, _bounds([len(p[0]) for p in parts]))


def trace_from_roll(series: RollSeries, timeline: TimelineSettings | None = None) -> PelvisTrace:
    """Offline pelvis trace from the device's fused roll/pitch stream (NaN = lost sample), split
    at gaps like `trace_from_imu`."""
    t = np.asarray(series.t_s, float)
    roll, pitch = np.asarray(series.roll_deg, float), np.asarray(series.pitch_deg, float)
    ok = np.isfinite(roll) & np.isfinite(pitch)
    if ok.sum() < 10:
        raise AnalysisError("the roll stream has fewer than 10 valid samples")
    meta = series.meta if ok.all() else {k: v for k, v in series.meta.items() if k != "breaks"}
    inp = _prepare(t[ok], meta, timeline)
    parts = []
    for t_u, rp in _resampled(inp, np.column_stack([roll[ok], pitch[ok]])[inp.keep]):
        # A very short device fusion lag does not matter offline; smooth the 0.01 deg wire steps only.
        rp = zero_phase_lowpass(rp, 15.0, inp.rate_hz)
        parts.append((t_u, roll_pitch_to_up(rp[:, 0], rp[:, 1]), still_from_angles(rp[:, 0], rp[:, 1], inp.rate_hz)))
    t_u, up, still = (np.concatenate(p) for p in zip(*parts))
    return _finish(t_u, inp.rate_hz, up, still, None, None, "roll", inp, _bounds([len(p[0]) for p in parts]))


def trace_from_series(series: ImuSeries | RollSeries, settings: FusionSettings | None = None,
                      timeline: TimelineSettings | None = None) -> PelvisTrace:
    """Dispatch on the series type."""
    if isinstance(series, ImuSeries):
        return trace_from_imu(series, settings, timeline)
    if isinstance(series, RollSeries):
        return trace_from_roll(series, timeline)
    raise TypeError(f"expected ImuSeries or RollSeries, got {type(series).__name__}")


def trace_pieces(tr: PelvisTrace, a: int, b: int) -> list[tuple[int, int]]:
    """The parts of samples [a, b) that lie in one segment each (no piece spans a split gap)."""
    segs = tr.segments or ((0, len(tr.t_s)),)
    return [(max(a, s0), min(b, s1)) for s0, s1 in segs if min(b, s1) > max(a, s0)]


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
        segments=tuple((max(s0, a) - a, min(s1, b) - a) for s0, s1 in tr.segments if min(s1, b) > max(s0, a)),
        timeline=tr.timeline,
        time_fixes=tr.time_fixes,
    )
