"""Sample times repaired in windows (bounded memory) with the result of `timeline.repair_times` on
the whole series: a reader pushes raw rows (times as given) and takes repaired blocks.

A window ends only where the times run cleanly in order for `CARRY_S` on both sides, so no repair
(an out-of-order sample, a repeated or corrupted timestamp: all within
`timeline.OUT_OF_ORDER_MAX_S`) reaches across it and each window is repaired as the whole series
would be; a clock jump back shifts everything after it, which carries over to the next windows,
and the series' nominal period is the one of its first samples (`timeline.nominal_period_s`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.signal.contiguous import concat_rows
from hiplevel.signal.timeline import MAX_CLOCK_JUMPS, TimeFix, TimelineError, TimelineSettings, repair_times

EMIT_ROWS = 16_384  # samples repaired and handed on at a time
CARRY_S = 2.0  # clean, in-order time on both sides of a window's end


@dataclass(frozen=True)
class Fix:
    """A repair found in one window: the TimeFix (first = row of the series) and the row's line in
    its file (or the row itself for a source without lines)."""

    fix: TimeFix
    line: int


class WindowRepair:
    """Sample times repaired in windows (see the module docstring). push() raw rows (times as
    given, values, lines); take(final) returns (times, values, breaks) ready to hand on."""

    def __init__(self, period_s: float, settings: TimelineSettings | None = None) -> None:
        self.period = period_s
        self.settings = settings or TimelineSettings()
        self.carry = max(2, int(round(CARRY_S / period_s)))
        self._given: list[np.ndarray] = []
        self._v: list[np.ndarray] = []
        self._lines: list[np.ndarray] = []
        self._n = 0
        self.row0 = 0  # file data row of the first buffered row
        self.shift = 0.0  # clock jumps so far: added to the times of later rows
        self.jumps = 0
        self.first_jump: tuple[int, float] | None = None
        self.fixes: list[Fix] = []

    def __len__(self) -> int:
        return self._n

    def push(self, t: np.ndarray, v: np.ndarray, lines: np.ndarray) -> None:
        self._given.append(t)
        self._v.append(v)
        self._lines.append(lines)
        self._n += len(t)

    def take(self, final: bool) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]] | None:
        if not self._n:
            return None
        given = np.concatenate(self._given)
        t = given + self.shift
        j = self._clean_end(t[: EMIT_ROWS + self.carry])
        if j is None and len(t) > EMIT_ROWS + self.carry:
            j = self._clean_end(t)  # a messy stretch: the window grows past it
        if final and (j is None or len(t) <= EMIT_ROWS + self.carry):
            j = len(t)
        if j is None:
            return None
        v, lines = concat_rows(self._v), np.concatenate(self._lines)
        self._count_jumps(t[:j], given)
        fix = repair_times(t[:j], self.settings, period_s=self.period)
        for f in fix.fixes:
            self.fixes.append(Fix(TimeFix(f.kind, f.count, f.first + self.row0, float(given[f.first]), f.shift_s),
                                  int(lines[f.first])))
            if f.kind == "clock_back":
                self.shift += f.shift_s
        # Copies: a view would keep the whole window's array alive as long as the block.
        out = (fix.t_s, v[:j][fix.keep] if fix.changed else v[:j].copy(), tuple(fix.breaks))
        self._given, self._v, self._lines = [given[j:].copy()], [v[j:].copy()], [lines[j:].copy()]
        self._n -= j
        self.row0 += j
        return out

    def _clean_end(self, t: np.ndarray) -> int | None:
        """The last row j (<= len - carry) with clean steps (forward) for `carry` rows on both
        sides; None when there is none."""
        c = self.carry
        if len(t) < 2 * c + 2:
            return None
        bad = np.diff(t) <= 0
        if not bad.any():
            return len(t) - c
        cum = np.concatenate([[0], np.cumsum(bad)])
        j = np.arange(c, len(t) - c + 1)
        ok = cum[np.minimum(j + c - 1, len(bad))] - cum[j - c] == 0
        return int(j[ok][-1]) if ok.any() else None

    def _count_jumps(self, t: np.ndarray, given: np.ndarray) -> None:
        """TimelineError once the jumps back of all windows pass MAX_CLOCK_JUMPS (`repair_times`
        counts those of one window)."""
        back = np.flatnonzero(np.diff(t) < -self.settings.out_of_order_max_s)
        if len(back) and self.first_jump is None:
            self.first_jump = (self.row0 + int(back[0]) + 1, float(given[int(back[0]) + 1]))
        self.jumps += len(back)
        if self.jumps > MAX_CLOCK_JUMPS and self.first_jump is not None:
            row, t0 = self.first_jump
            raise TimelineError(f"the sample times jump back {self.jumps} times (first at sample {row + 1}, t = {t0:g} s): "
                                "they are not one clock")


def merged_fixes(fixes: list[Fix], rows: int) -> list[Fix]:
    """One fix per kind over all windows (counts added, the first place kept), clock jumps each
    on their own and counting the samples after them to the end of the file (`rows` in all), in
    file order (as `repair_times` of the whole file reports them)."""
    out: dict = {}
    for f in fixes:
        if f.fix.kind == "clock_back":
            f = Fix(TimeFix(f.fix.kind, rows - f.fix.first, f.fix.first, f.fix.first_t_s, f.fix.shift_s), f.line)
        key = f.fix.kind if f.fix.kind != "clock_back" else ("clock_back", f.fix.first)
        old = out.get(key)
        if old is None:
            out[key] = f
        else:
            first = old if old.fix.first <= f.fix.first else f
            out[key] = Fix(TimeFix(f.fix.kind, old.fix.count + f.fix.count, first.fix.first, first.fix.first_t_s,
                                   first.fix.shift_s), first.line)
    return sorted(out.values(), key=lambda f: f.fix.first)
