"""An ImuSeries or RollSeries in memory as a `long_trace.SampleSource`: times repaired at once
(`timeline.repair_times`: a reader usually did already, then nothing changes), lost roll samples
(NaN) left out, handed on in blocks."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from hiplevel.samples import ImuSeries, RollSeries
from hiplevel.signal.contiguous import column_stack
from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.long_trace import RawBlock
from hiplevel.signal.timeline import TimeFix, TimelineSettings, repair_times


class SeriesSource:
    """A SampleSource over a series (see the module docstring)."""

    def __init__(self, series: ImuSeries | RollSeries, timeline: TimelineSettings | None = None,
                 block: int = 65_536) -> None:
        if isinstance(series, ImuSeries):
            self.kind = "imu"
            t = np.asarray(series.t_s, float)
            values = None
            meta = series.meta
        elif isinstance(series, RollSeries):
            self.kind = "roll"
            t = np.asarray(series.t_s, float)
            roll, pitch = np.asarray(series.roll_deg, float), np.asarray(series.pitch_deg, float)
            ok = np.isfinite(roll) & np.isfinite(pitch)
            if ok.sum() < 10:
                raise AnalysisError("the roll stream has fewer than 10 valid samples")
            meta = series.meta if ok.all() else {k: v for k, v in series.meta.items() if k != "breaks"}
            t, values = t[ok], np.column_stack([roll[ok], pitch[ok]])
        else:
            raise TypeError(f"expected ImuSeries or RollSeries, got {type(series).__name__}")
        if len(t) < 10:
            raise AnalysisError(f"too few samples to analyse ({len(t)})")
        if not np.isfinite(t).all():
            raise AnalysisError("sample times must be finite numbers")
        fix = repair_times(t, timeline)
        breaks = tuple(fix.breaks)
        if not fix.changed:
            breaks += tuple(int(b) for b in meta.get("breaks", ()))
        self._t = fix.t_s
        self._keep = None if not fix.changed else fix.keep
        self._series, self._values = series, values
        self._breaks = np.asarray(sorted(set(breaks)), dtype=np.int64)
        self._block = int(block)
        self.units: dict | None = meta.get("units")
        self.time_fixes: tuple[TimeFix, ...] = tuple(fix.fixes)

    def blocks(self) -> Iterator[RawBlock]:
        n = len(self._t)
        for a in range(0, n, self._block):
            b = min(n, a + self._block)
            idx = slice(a, b) if self._keep is None else self._keep[a:b]
            if self._values is not None:
                vals = self._values[idx]
            else:
                s = self._series
                vals = column_stack([np.asarray(s.acc_g, float)[idx], np.asarray(s.gyro_dps, float)[idx]])
            brk = self._breaks[(self._breaks >= a) & (self._breaks < b)] - a
            yield RawBlock(self._t[a:b], vals, tuple(int(x) for x in brk))
