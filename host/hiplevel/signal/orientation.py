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

from dataclasses import dataclass, replace

import numpy as np

from hiplevel.samples import ImuSeries, RollSeries
from hiplevel.signal.fusion import FusionSettings, up_to_roll_pitch_deg
from hiplevel.signal.long_trace import LongTrace, build_long_trace, series_source
from hiplevel.signal.timeline import Segmentation, TimeFix, TimelineSettings


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


def trace_piece(lt: LongTrace, a: int, b: int, into: dict | None = None) -> PelvisTrace:
    """Trace samples [a, b) of a LongTrace (within one segment) as a PelvisTrace: aligned
    roll/pitch, acc/gyro (corrected, pelvis frame), still; standing, segments and timeline are
    the whole trace's, re-based on a (a standing outside the piece comes out as (0, 0)).
    into: arrays (b - a rows) of every one of ROW_FIELDS that is not None, to write them into
    (the piece's arrays are then those)."""
    rot = lt.rotation
    # The rotated up-vectors as rot @ up.T, (3, N): the same BLAS products as up @ rot.T (each
    # element one row times one column; OpenBLAS' kernel sums the three terms in the same order
    # whichever operand it reads as A), written as three rows, not N rows of three (the (N,3)
    # product's output is zeroed and stored three values at a time). Only its columns are read:
    # the transposed view gives up_to_roll_pitch_deg contiguous axes.
    o = into or {}
    up = (rot @ lt.up(a, b).T).T
    roll, pitch = up_to_roll_pitch_deg(up, (o["roll_deg"], o["pitch_deg"])) if o else up_to_roll_pitch_deg(up)
    acc = gyro = None
    if lt.source == "imu":
        acc, gyro = lt.sensor(a, b)
        acc, gyro = turned_rows(acc, rot, o.get("acc_g")), turned_rows(gyro, rot, o.get("gyro_dps"))
    rows = {"t_s": lt.times(a, b), "roll_deg": roll, "pitch_deg": pitch, "acc_g": acc, "gyro_dps": gyro,
            "still": lt.still(a, b)}
    for f in ("t_s", "still") if o else ():
        o[f][:] = rows[f]
        rows[f] = o[f]
    return piece_of_rows(lt, a, b, rows)


# The per-sample arrays of a PelvisTrace: each row of `trace_piece` depends on its own sample alone
# (the store's rows, the sensor correction row by row, BLAS' sums of three products per row, the
# elementwise angles), so pieces of a range joined end to end are the range's piece.
ROW_FIELDS = ("t_s", "roll_deg", "pitch_deg", "acc_g", "gyro_dps", "still")


def piece_of_rows(lt: LongTrace, a: int, b: int, rows: dict) -> PelvisTrace:
    """The PelvisTrace of trace samples [a, b) (within one segment) from its per-sample arrays
    `rows` (ROW_FIELDS; acc_g and gyro_dps None for a roll stream), the rest as `trace_piece`."""
    s0, s1 = lt.standing
    standing = (s0 - a, s1 - a) if a <= s0 and s1 <= b else (0, 0)
    return PelvisTrace(
        rate_hz=lt.rate_hz,
        standing=standing,
        standing_roll_deg=lt.standing_roll_deg,
        mount_yaw_deg=lt.mount_yaw_deg,
        source=lt.source,
        segments=tuple((max(x, a) - a, min(y, b) - a) for x, y in lt.bounds if min(y, b) > max(x, a)),
        timeline=lt.timeline,
        time_fixes=lt.time_fixes,
        **rows,
    )


def turned_rows(x: np.ndarray, rot: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """x @ rot.T for rows x (N,3) and a rotation rot (3,3), the same values: numpy hands both to
    BLAS' gemm, which sums each row's three products in the same order either way; with rot.T
    C-contiguous (a copy of nine values) OpenBLAS takes them 7-17x faster (42,000 rows: 0.43-1.0 ->
    0.06 ms), with its F-ordered view it zeroes and writes the output three values at a time. A
    single row goes to gemv, whose sums differ with the operand's order: as before. out: an (N,3)
    array to write them into."""
    return np.matmul(x, np.ascontiguousarray(rot.T) if len(x) > 1 else rot.T, out=out)


def materialize(lt: LongTrace) -> PelvisTrace:
    """The whole LongTrace as one PelvisTrace (memory: all its samples)."""
    pieces = [trace_piece(lt, x, y) for x, y in lt.bounds]
    first = pieces[0]
    cat = (lambda f: None if getattr(first, f) is None else np.concatenate([getattr(p, f) for p in pieces]))
    return replace(first, t_s=cat("t_s"), roll_deg=cat("roll_deg"), pitch_deg=cat("pitch_deg"), acc_g=cat("acc_g"),
                   gyro_dps=cat("gyro_dps"), still=cat("still"), standing=lt.standing, segments=lt.bounds)


def trace_from_imu(series: ImuSeries, settings: FusionSettings | None = None,
                   timeline: TimelineSettings | None = None) -> PelvisTrace:
    """Offline pelvis trace from raw 6-axis samples (body frame, possibly a few deg off); fused
    segment by segment between the gaps `timeline` does not bridge. UnitsError (an AnalysisError)
    when the values do not fit g and deg/s."""
    if not isinstance(series, ImuSeries):
        raise TypeError(f"expected ImuSeries, got {type(series).__name__}")
    return trace_from_series(series, settings, timeline)


def trace_from_roll(series: RollSeries, timeline: TimelineSettings | None = None) -> PelvisTrace:
    """Offline pelvis trace from the device's fused roll/pitch stream (NaN = lost sample), split
    at gaps like `trace_from_imu`."""
    if not isinstance(series, RollSeries):
        raise TypeError(f"expected RollSeries, got {type(series).__name__}")
    return trace_from_series(series, None, timeline)


def trace_from_series(series: ImuSeries | RollSeries, settings: FusionSettings | None = None,
                      timeline: TimelineSettings | None = None) -> PelvisTrace:
    """The whole trace of a series in memory (`long_trace.build_long_trace`, then all of it)."""
    with build_long_trace(series_source(series, timeline), settings, timeline) as lt:
        return materialize(lt)


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
