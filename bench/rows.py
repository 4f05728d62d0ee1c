"""One result line of the benchmark table, and the PASS/MISS check beside a target."""

from __future__ import annotations

import math
from dataclasses import dataclass

PASS, MISS, INFO, NA = "PASS", "MISS", "", "n/a"


@dataclass(frozen=True)
class Row:
    """section: table it belongs to; metric: what is measured; data: on which data/condition;
    hiplevel: our figure, formatted; peer: the peer's figure on the same data ("" = no peer);
    target: the target in words ("" = none); status: PASS, MISS, "" (no target) or n/a;
    note: why, or the next step."""

    section: str
    metric: str
    data: str
    hiplevel: str
    peer: str = ""
    target: str = ""
    status: str = INFO
    note: str = ""


def judge(ok: bool | None) -> str:
    """PASS/MISS from a comparison; None (not measurable) gives n/a."""
    if ok is None:
        return NA
    return PASS if ok else MISS


def at_least(value: float, limit: float) -> str:
    """PASS when value >= limit (NaN: n/a)."""
    return judge(None if not math.isfinite(value) else value >= limit)


def at_most(value: float, limit: float) -> str:
    """PASS when value <= limit (NaN: n/a)."""
    return judge(None if not math.isfinite(value) else value <= limit)


def both(*statuses: str) -> str:
    """Combined status: MISS if any missed, n/a if any could not be judged, else PASS."""
    if MISS in statuses:
        return MISS
    if NA in statuses:
        return NA
    return PASS


def unavailable(section: str, what: str, reason: str) -> Row:
    """The row a section prints when a dependency is not there yet."""
    return Row(section, what, "-", "not available", status=NA, note=f"not available: {reason}")


def pct(x: float, digits: int = 1) -> str:
    """A fraction as a percentage string ("nan" stays visible)."""
    return "nan" if not math.isfinite(x) else f"{100 * x:.{digits}f} %"


def num(x: float, unit: str = "", digits: int = 2) -> str:
    """A number with its unit."""
    if x is None or not math.isfinite(x):
        return "nan"
    return f"{x:.{digits}f}{(' ' + unit) if unit else ''}"
