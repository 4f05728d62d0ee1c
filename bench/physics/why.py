"""`python -m bench.physics --why`: why a single-leg hold was missed or judged wrong. While a case is
analysed, each decision of the stance detector is recorded (`stance_candidate.decisions_reported`:
its candidates turned down, with the name of the check that did, `hiplevel.exercises.stance_checks`);
each true hold not found right is then listed with the turned-down candidates whose span (shift
in's onset to shift back's end) overlaps it. Opt-in: the default output of the physics check does not change."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

STANCE = "single-leg-stance"
Turned = tuple[str, str, float, float]  # a candidate turned down: (path, check name, start s, end s)


@contextmanager
def recorded_decisions() -> Iterator[list[Turned]]:
    """While open, the stance detector's turned-down candidates (`stance_candidate.decisions_reported`)
    are kept in the list it yields: (path, check name, start s, end s) on the analysed series' clock
    (the shift in's onset to the shift back's offset). The holds found are the same as without it."""
    from hiplevel.exercises.stance_candidate import decisions_reported

    found: list[Turned] = []

    def keep(m, decision) -> None:
        t, last = m.t_s, len(m.t_s) - 1
        found.extend((r.path, r.check, float(t[min(r.shift_in.onset, last)]),
                      float(t[min(r.shift_back.offset, last)])) for r in decision.rejected)

    with decisions_reported(keep):
        yield found


def overlapping(rejected: list[Turned], t0: float, t1: float) -> list[Turned]:
    """The turned-down candidates (`recorded_decisions`) whose span overlaps [t0, t1] s, time order,
    each once."""
    return sorted(set(r for r in rejected if r[2] < t1 and r[3] > t0), key=lambda r: (r[2], r[3], r[1]))


def why_lines(reps: list[tuple], rejected: list[Turned], not_found: tuple[str, ...]) -> list[str]:
    """For each true hold ((params, status, extra, side, start s, end s), as `run.run_case` keeps them)
    whose status is in `not_found`: a line naming it, then one per turned-down candidate overlapping
    it (its path, the check that turned it down, its span)."""
    out = []
    for _, status, _, side, t0, t1 in reps:
        if status not in not_found:
            continue
        near = overlapping(rejected, t0, t1)
        out.append(f"    {status}: {side} stance {t0:.2f}-{t1:.2f} s: {len(near)} candidate(s) turned down")
        out += [f"      {check} ({path}) {a:.2f}-{b:.2f} s" for path, check, a, b in near]
    return out


def why_report(results: list[dict]) -> str:
    """The --why section: per single-leg stance set with a true hold not found right, the holds and
    the candidates turned down over each (`why_lines`)."""
    out = [f"\n{STANCE}: why (true holds not found right, and the candidates turned down over each: "
           f"path, check of hiplevel.exercises.stance_checks, span)"]
    for r in results:
        lines = r.get("why")
        if lines:
            out.append(f"- seed {r['seed']} case {r['index']}")
            out += lines
    return "\n".join(out)
