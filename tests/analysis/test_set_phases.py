"""A set's summary goes through its reps' single-support phases once (`set_phases`) for the
statistics, the finding and the advice: each says what it says going through the reps itself."""

import numpy as np
import pytest

from hiplevel.scoring import Phase, Rep, Thresholds, advise, score_rep, summarize_set
from hiplevel.scoring.words import leg_findings, set_finding, set_phases

EXERCISES = ["walking", "band-walk", "single-leg-stance", "step-down", "single-leg-squat", "clamshell"]


def _reps(exercise: str, drops_deg: np.ndarray, sides: list[str], th: Thresholds, phased: bool) -> list[Rep]:
    """Scored reps of the given drops (band walk, phased: two phases a rep, the second the
    other leg's at half the drop; the rep its worse phase's)."""
    out = []
    for i, (d, side) in enumerate(zip(drops_deg.tolist(), sides)):
        other = "right" if side == "left" else "left"
        if phased:
            ph = tuple(Phase(s, i + k / 2, i + (k + 1) / 2, x, sc.score, sc.flags) for k, (s, x) in enumerate(
                ((side, d), (other, d / 2))) for sc in [score_rep(exercise, s, x, {}, th)])
            w = min(ph, key=lambda p: (p.score, -abs(p.drop_deg)))
            out.append(Rep(i, i, i + 1, w.stance, w.drop_deg, w.score, w.flags, {}, ph))
        else:
            sc = score_rep(exercise, side, d, {"side_confidence": 0.95 if i % 7 else 0.6}, th)
            out.append(Rep(i, i, i + 1, side, d, sc.score, sc.flags))
    return out


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("seed", range(4))
def test_summary_with_the_phases_once_says_what_each_says_alone(exercise, seed):
    rng = np.random.default_rng(seed)
    th = Thresholds()
    n = int(rng.integers(1, 40))
    # Seed 0 clean (progress), 1 some drops and hikes (stay), 2-3 one weak leg (regress).
    spread = (0.5, 4.0, 6.0, 8.0)[seed]
    drops = rng.normal(0.0 if seed < 2 else 3.0, spread, n)
    if seed == 0:
        drops = np.abs(drops)  # no hike either
    sides = [("left", "right")[k % 2] if seed < 2 else ("left" if rng.random() < 0.7 else "right") for k in range(n)]
    for phased in ((False, True) if exercise == "band-walk" else (False,)):
        reps = _reps(exercise, drops, sides, th, phased)
        phases = set_phases(exercise, reps)
        assert len(phases) == n * (2 if phased else 1)
        alone_finding = set_finding(exercise, reps, th.regress_fraction)
        alone_advice = advise(exercise, reps, th)
        assert set_finding(exercise, reps, th.regress_fraction, phases) == alone_finding
        assert advise(exercise, reps, th, phases) == alone_advice
        assert leg_findings(exercise, reps, th.regress_fraction, phases) == leg_findings(exercise, reps, th.regress_fraction)
        summary = summarize_set(exercise, reps, th)
        assert (summary["finding"], summary["advice"]) == (alone_finding, alone_advice)
    if seed == 0:
        assert alone_advice["action"] == "progress"
