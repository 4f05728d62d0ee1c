"""A set's summary, finding and advice count the single-support phases from their columns
(`words.phase_columns`: one pass, no Phase made for a rep without phases): the same statistics,
findings and advice as counted over `set_phases` (the former passes, written out below), flags,
NaN drops and band-walk phases included."""

import random
from collections import Counter

import numpy as np

from hiplevel.constants import LEFT, RIGHT
from hiplevel.scoring import Phase, Rep, Thresholds, summarize_set
from hiplevel.scoring.summary import advise
from hiplevel.scoring.words import LegFinding, leg_findings, phase_columns, set_finding, set_phases

EXERCISES = ["walking", "band-walk", "single-leg-stance", "step-down", "single-leg-squat", "clamshell"]
FLAGS = ["pelvic_drop", "hip_hike", "pelvis_roll_back", "side_uncertain", "short_hold", "excess_sway", "bobbing"]


def _reps(rnd: random.Random, exercise: str, n: int) -> list[Rep]:
    def drop():
        return float("nan") if rnd.random() < 0.02 else rnd.choice([rnd.uniform(-8, 12), 0.0, -0.0, 3.25])

    def flags():
        return tuple(rnd.sample(FLAGS, rnd.choice([0, 0, 0, 0, 1, 2])))

    out = []
    for i in range(n):
        phases = ()
        if (exercise == "band-walk" and rnd.random() < 0.7) or rnd.random() < 0.05:
            phases = tuple(Phase(rnd.choice([LEFT, RIGHT]), i, i + 0.5, drop(), rnd.uniform(0, 100), flags())
                           for _ in range(rnd.choice([1, 2])))
        out.append(Rep(i, i, i + 1.0, rnd.choice([LEFT, RIGHT]), drop(), rnd.choice([100.0, 60.0, 37.5]), flags(), {}, phases))
    return out


def _former_leg_findings(exercise, phases, regress_fraction):
    drop_flag = "pelvis_roll_back" if exercise == "clamshell" else "pelvic_drop"
    out = {}
    for leg in (LEFT, RIGHT):
        mine = [p for p in phases if p.stance == leg]
        if not mine:
            continue
        dropped = [p.drop_deg for p in mine if drop_flag in p.flags]
        hiked = [-p.drop_deg for p in mine if "hip_hike" in p.flags]
        faulted = dropped if len(dropped) >= len(hiked) else hiked
        drops = [p.drop_deg for p in mine]
        out[leg] = LegFinding(exercise, leg, len(mine), len(dropped), len(hiked),
                              (min(faulted), max(faulted)) if faulted else None, max(drops),
                              sum(drops) / len(drops), regress_fraction)
    return out


def test_summary_counts_as_over_the_phases():
    rnd, th = random.Random(41), Thresholds()
    for case in range(600):
        exercise = EXERCISES[case % len(EXERCISES)]
        reps = _reps(rnd, exercise, rnd.choice([1, 2, 5, 12, 40]))
        phases = set_phases(exercise, reps)
        cols = phase_columns(exercise, reps)
        assert repr(cols.drops) == repr([p.drop_deg for p in phases])
        for leg in (LEFT, RIGHT):
            mine = [p for p in phases if p.stance == leg]
            assert repr(cols.leg_drops[leg]) == repr([p.drop_deg for p in mine])
            assert repr(cols.leg_flagged[leg]) == repr([(p.drop_deg, p.flags) for p in mine if p.flags])
        assert phase_columns(exercise, phases=phases) == cols
        want = _former_leg_findings(exercise, phases, 0.3)
        assert repr(leg_findings(exercise, reps, 0.3)) == repr(want)
        assert repr(leg_findings(exercise, reps, 0.3, phases)) == repr(want)
        assert set_finding(exercise, reps, 0.3) == set_finding(exercise, reps, 0.3, phases)
        assert repr(advise(exercise, reps, th)) == repr(advise(exercise, reps, th, phases))
        s = summarize_set(exercise, reps, th)
        assert s["clean_reps"] == sum(1 for r in reps if not [f for f in r.flags if f != "side_uncertain"])
        assert s["flag_counts"] == dict(Counter(f for r in reps for f in r.flags))
        assert repr(s["advice"]) == repr(advise(exercise, reps, th, phases))
        for leg in (LEFT, RIGHT):
            drops = [p.drop_deg for p in phases if p.stance == leg]
            if len(drops) > 1:
                assert repr(s["per_side"][leg]["mean_drop_deg"]) == repr(round(float(np.asarray(drops).mean()), 2))
