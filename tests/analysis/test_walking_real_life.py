"""Walking that holds on people it has not seen (issue 14): stance side from several cues over a
step chain, hip hike measured in walking, no steps in daily life without walking, and the dev
split of real recordings (skips when ../shared/data is absent)."""

import gzip
import json
import shutil

import numpy as np
import pytest

from bench.realdata import shared_data_dir
from hiplevel.analysis import analyze
from hiplevel.exercises import DETECTORS
from hiplevel.exercises.walking_side import StanceSideDecider
from hiplevel.imu_csv import read_imu_csv
from hiplevel.sim import match_reps
from hiplevel.sim.daily_life import simulate_daily_life
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec


def test_a_turn_can_shift_the_parity_and_one_weak_step_cannot():
    dec = StanceSideDecider()
    alt = np.where(np.arange(12) % 2 == 0, 1.0, -1.0)
    # After a U-turn with an extra contact (step 6 is irregular) the evidence says the parity shifted.
    ev = np.r_[alt[:6], -alt[6:]]
    rep = np.full(11, dec.regular_repeat_prob)
    rep[5] = dec.irregular_repeat_prob
    out = dec.decide(ev, rep)
    assert out.sides == ["left" if e > 0 else "right" for e in ev]
    # One step whose evidence points the wrong way in a regular run is outvoted, with less confidence.
    ev2 = alt.copy()
    ev2[4] = -0.8
    out2 = dec.decide(ev2, np.full(11, dec.regular_repeat_prob))
    assert out2.sides == ["left" if e > 0 else "right" for e in alt]
    assert out2.confidence[4] < np.median(out2.confidence)


def test_a_reversed_cue_gets_no_weight():
    # After a stroke the pelvis may rotate away from the stance side: rotation disagrees with the
    # sway and loading cues, which agree with each other.
    rng = np.random.default_rng(3)
    truth = np.where(np.arange(200) % 2 == 0, 1.0, -1.0)
    cues = [{"sway": truth + rng.normal(0, 0.3, 200), "loading": truth + rng.normal(0, 0.5, 200),
             "rotation": -truth + rng.normal(0, 0.5, 200)}]
    _, w = StanceSideDecider().cue_weights(cues)
    assert w["rotation"] == 0.0 and w["sway"] > 0.8 and w["loading"] > 0.8


def test_hip_hike_in_walking_is_a_negative_drop_and_flagged():
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=16, weak_side="left", drop_deg=-2.5)],
                                       seed=7, rest_s=5.0))
    res = analyze(sim.imu, "walking")
    pairs, missing, extra = match_reps(sim.reps, res.reps)
    assert not missing and not extra
    hiked = [(t, r) for t, r in pairs if t.side == "left"]
    assert hiked and all(r.drop_deg < -1.0 for _, r in hiked)
    assert all(abs(r.drop_deg - t.drop_deg) <= 1.0 for t, r in hiked)
    assert all("hip_hike" in r.flags for _, r in hiked)
    assert not any("hip_hike" in r.flags for t, r in pairs if t.side == "right")


def test_walking_edges_are_reps_with_the_right_side():
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=12)], seed=9, rest_s=5.0))
    res = analyze(sim.imu, "walking")
    pairs, missing, extra = match_reps(sim.reps, res.reps)
    assert not missing and not extra
    assert all(t.side == r.side for t, r in pairs)
    assert [r.details.get("edge") for r in res.reps][:: len(res.reps) - 1] == ["initiation", "termination"]
    assert all(r.details["side_confidence"] >= 0.9 and "side_uncertain" not in r.flags for r in res.reps)


@pytest.mark.parametrize("exercise", ["walking", "step-down", "single-leg-squat", "clamshell"])
def test_no_reps_in_daily_life_without_exercise(exercise):
    # Seed 0 holds a rhythmic fidget seated; every seed sits down, stands up, bends, lies down,
    # fidgets lying on its back and side and gets up. Main found steps on seed 0, step-downs and
    # squats on the sit-to-stand and stand-to-sit (the forward lean carries the pitch through the
    # standing value) and clamshells on fidgets while side-lying; seed 28 stands up and fidgets
    # standing: four bumps at 1.35, 1.1 and 0.3 s, no rhythm of steps.
    found = {}
    for seed in [*range(13), 28]:
        life = simulate_daily_life(seed)
        reps = analyze(life.imu, exercise).reps
        if reps:
            found[seed] = [(round(r.start_s, 1), [n for n, a, b in life.scenes if a <= 0.5 * (r.start_s + r.end_s) <= b])
                           for r in reps]
    assert found == {}


def test_daily_life_scenes_join_without_spikes():
    # Each scene draws its own sway and fidgets: without the blend the step between scenes (and a
    # lean that started at full pitch rate) was a 2-8 g spike, an impact no pelvis makes sitting down.
    life = simulate_daily_life(0)
    acc = np.linalg.norm(life.imu.acc_g, axis=1)
    assert np.max(np.abs(acc - 1.0)) < 0.6


@pytest.mark.parametrize("exercise", ["step-down", "single-leg-squat"])
def test_bending_is_no_lowering(exercise):
    for seed in range(1, 7):
        life = simulate_daily_life(seed)
        bends = [(a, b) for name, a, b in life.scenes if name == "bend"]
        reps = analyze(life.imu, exercise).reps
        assert not [r for r in reps if any(a <= 0.5 * (r.start_s + r.end_s) <= b for a, b in bends)], seed


DATA = shared_data_dir()


def _cases(name):
    root = None if DATA is None else DATA / name
    if root is None or not root.is_dir():
        pytest.skip(f"../shared/data/{name} is absent (a fresh clone has no shared data)")
    return sorted(root.glob("*.csv.gz"))


def _load(path, tmp_path):
    plain = tmp_path / path.name.removesuffix(".gz")
    with gzip.open(path, "rb") as fi, open(plain, "wb") as fo:
        shutil.copyfileobj(fi, fo)
    truth = json.loads(path.with_name(path.name.removesuffix(".csv.gz") + ".truth.json").read_text())
    return read_imu_csv(plain), truth


def test_hapt_dev_static_postures_give_almost_no_steps(tmp_path):
    fp, static_s = 0, 0.0
    for path in _cases("hapt-dev"):
        series, truth = _load(path, tmp_path)
        centres = [0.5 * (r.start_s + r.end_s) for r in analyze(series, "walking").reps]
        fp += sum(any(a + 1.0 <= c <= b - 1.0 for a, b in truth["static"]) for c in centres)
        static_s += sum(b - a for a, b in truth["static"])
    # Measured 1 rep in 30 min (2/h; 2 before short bouts had to keep a rhythm, 12 at the start of
    # issue 14): a person stepping after getting up inside an interval labelled static.
    assert fp / (static_s / 3600) <= 3.0


def test_ipol_dev_side_is_decided_per_step_not_per_bout(tmp_path):
    tot = ok = 0
    for path in _cases("ipol-dev"):
        series, truth = _load(path, tmp_path)
        reps = analyze(series, "walking").reps
        for t in truth["reps"]:
            hit = [r for r in reps if t["start_s"] <= 0.5 * (r.start_s + r.end_s) <= t["end_s"]]
            if hit:
                tot += 1
                ok += hit[0].side == t["side"]
    # Measured 0.99 (main: 0.855, whole bouts flipped after a U-turn).
    assert tot > 1000 and ok / tot >= 0.97


def _matched(truth_reps, reps):
    """Indices truth -> found by the score_reps rule (centre inside the span, nearest first)."""
    used: dict[int, int] = {}
    for i, t in enumerate(truth_reps):
        c, half = 0.5 * (t["start_s"] + t["end_s"]), 0.5 * (t["end_s"] - t["start_s"])
        best = min((j for j, r in enumerate(reps) if j not in used.values()
                    and abs(0.5 * (r.start_s + r.end_s) - c) <= half),
                   key=lambda j: abs(0.5 * (reps[j].start_s + reps[j].end_s) - c), default=None)
        if best is not None:
            used[i] = best
    return used


def test_ipol_dev_walks_end_in_their_closing_step(tmp_path):
    # A walk brakes into its stop: the last heel strike is soft (often under the edge fraction of
    # the bout's contacts) and the trailing foot closes up after the double support. Main trimmed
    # that contact and measured the closing swing from the contact before: 19 of 32 closing steps
    # found. After the closing foot's own contact no termination swing may be added.
    closing = unmatched_terminations = n = 0
    for path in _cases("ipol-dev"):
        series, truth = _load(path, tmp_path)
        reps = analyze(series, "walking").reps
        used = _matched(truth["reps"], reps)
        last = max(i for i, t in enumerate(truth["reps"]) if t["end_s"] <= truth["walk_s"][1] + 0.01)
        n += 1
        closing += last in used
        unmatched_terminations += sum(r.details.get("edge") == "termination" and j not in used.values()
                                      for j, r in enumerate(reps))
    # Measured 28 of 32 and 3 unmatched terminations (main: 8; the settling after a closing
    # contact no longer rolls the pelvis like a closing swing, `termination_roll_ratio`).
    assert n == 32 and closing >= 26
    assert unmatched_terminations <= 5
