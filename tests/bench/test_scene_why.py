"""`python -m bench.scene_why`: a section 7 scene rebuilt alone (same spec and seed as the sweep), each
single-leg hold found there listed with the candidate it came from, its readings and its chain's
checks; recording changes no hold."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the package
    sys.path.insert(0, str(ROOT))

from bench.robustness import _spec  # noqa: E402
from bench.scene_why import STANCE, main, scene_holds  # noqa: E402
from hiplevel.analysis import analyze  # noqa: E402
from hiplevel.exercises.stance_checks import EDGE_GATES, VELOCITY_DROPS, VELOCITY_GATES  # noqa: E402
from hiplevel.sim import simulate_session  # noqa: E402

CHECKS = {k.name for k in EDGE_GATES + VELOCITY_GATES + VELOCITY_DROPS}
# Section 7's weight-shift scene, seed 67204 (bench seed 20261202): a hold found there on main
# 7095891 (stop 37b, (1)); whatever the detector finds there, the tool must explain it.
SCENE, SEED = "weight-shift", 67204


def test_each_hold_found_in_a_scene_is_explained_by_the_chain_it_passed():
    n, holds, _ = scene_holds(SCENE, SEED)
    plain = analyze(simulate_session(_spec(STANCE, None, None, SEED, SCENE, None)).imu, STANCE).reps
    assert n == len(plain)  # recording changes nothing
    assert len(holds) <= n
    for w in holds:
        assert set(w.checks) <= CHECKS and w.checks
        assert not any(w.checks.values())  # a hold kept passed every check of its chain
        assert w.shift_in[0] < w.shift_back[0] and w.start_s < w.end_s
        assert set(w.votes) == {"sway", "foot_down", "foot_off"}
        assert w.roll_rate_ratio > 0 and w.sideways_ratio > 0 and w.corrections_ratio > 0


def test_the_command_prints_each_scene_and_a_total(capsys):
    assert main(["--scene", SCENE, "--seed", str(SEED), "--rejected"]) == 0
    out = capsys.readouterr().out
    assert f"{SCENE} seed {SEED}:" in out and out.rstrip().splitlines()[-1].startswith("total: ")
