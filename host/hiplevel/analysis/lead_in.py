"""A set's lead-in: how much of the stream before a set its detector reads, and which reps are the set's.

One rule for the offline analysis (`chunked.detect_span`, a set of `analyze_sets`) and the live one
(`streaming.OnlineAnalyzer.start_set`), so both report the same reps for the same set. A set may
start as the person begins (a start pressed as they shift, a set marker 0-1.3 s late over BLE);
a detector that judges a rep by what came before it (single-leg stance: the standing before the
shift in; step-down and squat: the shift onto the stance foot; band walk: the calm standing its
lateral velocity is held at zero on) declares `lead_in_s` and reads up to that long before the
set's first sample, never before `earliest` (the previous set's end, a gap); only the reps that
start in the set are kept. A live window that began at the set's start read a wrong-leg rep where
the offline one over the whole set did not (docs/analysis.md, "Live analysis", set start).
"""

from __future__ import annotations

from collections.abc import Sequence

from hiplevel.exercises import RepWindow

__all__ = ["kept_windows", "lead_in_first"]


def lead_in_first(detector, rate_hz: float, start: int, earliest: int | None) -> int:
    """The first sample the detector reads for a set whose first sample is `start`: up to its
    `lead_in_s` (s, at rate_hz Hz) before it, never before `earliest`; `start` itself when earliest
    is None (nothing before the set may be read) or the detector declares no lead-in."""
    lead = int(getattr(detector, "lead_in_s", 0.0) * rate_hz)
    if earliest is None or lead <= 0:
        return start
    return max(earliest, start - lead)


def kept_windows(windows: Sequence[RepWindow], first: int, stop: int) -> list[RepWindow]:
    """The rep windows that start in samples [first, stop) of the detector's motion: the set's
    (a hold whose foot-off came before the set's start is not, though its detector saw it)."""
    return [w for w in windows if first <= w.start < stop]
