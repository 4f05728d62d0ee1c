"""Judging a physics case: the set's counts by `bench.robustness.judge_reps`, and each true rep's own
outcome by the same matching (`hiplevel.sim.match_reps`, the project's one matching rule) and hold
timing (`bench.metrics.split_hold_times` / `hold_span_right`), so the counts can be binned per rep."""

from __future__ import annotations

from dataclasses import dataclass

FOUND, WRONG_SIDE, WRONG_TIME, MISSED = "found", "wrong side", "wrong time", "missed"


@dataclass
class RepOutcome:
    """What became of one true rep; extra: detections that match no true rep and lie nearest this one."""

    status: str
    extra: int = 0


def judge_case(true_reps: list, reps: list) -> tuple[tuple[int, int, int, int, int], list[RepOutcome]]:
    """(judge_reps' (true, found, right side, extra, wrong time), per true rep outcomes). The per-rep
    outcomes sum to judge_reps' counts (checked)."""
    from bench.metrics import split_hold_times
    from bench.robustness import judge_reps
    from hiplevel.sim import match_reps

    counts = judge_reps(true_reps, reps)
    m = match_reps(true_reps, reps)
    found, wrong = split_hold_times(m.pairs)
    out = {id(t): RepOutcome(MISSED) for t in true_reps}
    for t, r in found:
        right = t.side == r.side and (t.direction is None or t.direction == r.details.get("direction"))
        out[id(t)].status = FOUND if right else WRONG_SIDE
    for t, _ in wrong:
        out[id(t)].status = WRONG_TIME
    for r in m.extra:
        mid = 0.5 * (r.start_s + r.end_s)
        near = min(true_reps, key=lambda t: max(t.start_s - mid, mid - t.end_s, 0.0)) if true_reps else None
        if near is not None:
            out[id(near)].extra += 1
    outcomes = [out[id(t)] for t in true_reps]
    n, f, s, e, w = counts
    assert (f, s, w) == (sum(o.status in (FOUND, WRONG_SIDE) for o in outcomes),
                         sum(o.status == FOUND for o in outcomes), sum(o.status == WRONG_TIME for o in outcomes))
    assert e == len(m.extra)
    return counts, outcomes
