"""Short walking bouts (a turn on the spot after a walk): a few steps at one pace, then the feet
settling a second later, are steps; bumps at any intervals (fidgets, standing up) are not."""

import gzip
import json
import shutil

import numpy as np
import pytest

from bench.realdata import shared_data_dir
from hiplevel.analysis import analyze
from hiplevel.exercises.walking import WalkingDetector
from hiplevel.imu_csv import read_imu_csv

RATE = 100.0


def _bouts(times_s, heights=None):
    c = np.round(np.asarray(times_s) * RATE).astype(int)
    return [list(np.round(b / RATE, 2)) for b in WalkingDetector().bouts(c, RATE, heights)]


def test_a_settling_bump_after_a_few_steps_does_not_hide_them():
    # ipol_4-3 after its walk: three steps 0.43-0.66 s apart, then the feet settle 1.2 s later.
    # Main rejected the whole bout (its 1.2 s interval broke the pace of a short bout).
    steps = [23.78, 24.21, 24.87, 25.40]
    assert _bouts([*steps, 26.60]) == [steps]


def test_bumps_at_any_intervals_are_still_no_bout():
    # A broken interval inside the bout (or at its start) is not the feet settling.
    assert _bouts([10.0, 10.5, 11.6, 12.1, 12.6]) == []
    assert _bouts([10.0, 11.2, 11.7, 12.2, 12.7]) == []
    # And a settling bump does not make a bout of too few steps.
    assert _bouts([10.0, 10.5, 11.0, 12.3]) == []


def test_ipol_turn_on_the_spot_after_the_walk_is_found(tmp_path):
    data = shared_data_dir()
    path = None if data is None else data / "ipol-dev" / "ipol_4-3.csv.gz"
    if path is None or not path.is_file():
        pytest.skip("../shared/data/ipol-dev is absent (a fresh clone has no shared data)")
    plain = tmp_path / "ipol_4-3.csv"
    with gzip.open(path, "rb") as fi, open(plain, "wb") as fo:
        shutil.copyfileobj(fi, fo)
    truth = json.loads(path.with_name("ipol_4-3.truth.json").read_text())
    turn = [t for t in truth["reps"] if t["start_s"] > truth["walk_s"][1]]
    assert len(turn) == 4
    reps = analyze(read_imu_csv(plain), "walking").reps
    centres = [0.5 * (r.start_s + r.end_s) for r in reps]
    # Main: none of the four.
    assert all(any(t["start_s"] <= c <= t["end_s"] for c in centres) for t in turn)
