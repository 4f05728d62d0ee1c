"""Matching detected reps to the simulator's ground truth: the one rule the tests and the
benchmark score against."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple


class RepMatch(NamedTuple):
    """pairs: (true rep, detected rep); missing: true reps with no detection; extra: detections
    that match no true rep."""

    pairs: list[tuple[Any, Any]]
    missing: list[Any]
    extra: list[Any]


def match_reps(true_reps: Sequence[Any], reps: Sequence[Any]) -> RepMatch:
    """Pair each true rep with the first unused detected rep whose midpoint (s) lies inside it."""
    used: set[int] = set()
    pairs, missing = [], []
    for t in true_reps:
        hit = next((i for i, r in enumerate(reps)
                    if i not in used and t.start_s <= 0.5 * (r.start_s + r.end_s) <= t.end_s), None)
        if hit is None:
            missing.append(t)
        else:
            used.add(hit)
            pairs.append((t, reps[hit]))
    return RepMatch(pairs, missing, [r for i, r in enumerate(reps) if i not in used])
