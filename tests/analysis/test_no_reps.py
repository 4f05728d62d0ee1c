"""Periods that are not the exercise (quiet standing, a fidget / weight shift) give no reps, and
the JSON has its documented shape; a hand-written IMU CSV goes through the same path."""

import json

import numpy as np
import pytest

from hiplevel.analysis import SCHEMA, analyze
from hiplevel.imu_csv import read_imu_csv
from hiplevel.sim.session import simulate_session
from hiplevel.sim.spec import ExerciseSpec, SessionSpec
from hiplevel.signal.errors import AnalysisError

from analysis_helpers import crop


@pytest.fixture(scope="module")
def rest_only():
    # The rest after a set is standing with one weight shift (a fidget); cut it out.
    sim = simulate_session(SessionSpec(exercises=[ExerciseSpec("walking", reps=4)], rate_hz=100, seed=41,
                                       rest_s=10.0, mount_offset_deg=(2.0, 1.0, -3.0)))
    end = sim.sets[0].end_s
    return crop(sim.imu, end + 0.5, end + 10.0)


@pytest.mark.parametrize("exercise", ["walking", "band-walk", "single-leg-stance"])
def test_standing_and_fidgeting_give_no_reps(rest_only, exercise):
    res = analyze(rest_only, exercise)
    assert res.reps == []
    assert res.summary["reps"] == 0 and res.summary["advice"]["action"] == "repeat"


def test_json_shape(rest_only):
    doc = analyze(rest_only, "walking").to_json()
    json.dumps(doc)
    assert doc["schema"] == SCHEMA and doc["exercise"] == "walking"
    assert set(doc) == {"schema", "exercise", "sample_rate_hz", "neutral_roll_deg", "reps", "summary", "gaps"}
    assert doc["gaps"] == []
    assert 99.0 < doc["sample_rate_hz"] < 101.0


def test_unknown_exercise_is_a_clear_error(rest_only):
    with pytest.raises(AnalysisError, match="unknown exercise"):
        analyze(rest_only, "jumping")


HAND_WRITTEN = """# standing, left side 3 deg higher (sin 3 deg = 0.0523), 50 Hz with jitter
t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps
{rows}"""


def test_hand_written_csv(tmp_path):
    # Rows typed as a person would: same values, slightly uneven timestamps.
    rows = "\n".join(f"{0.02 * i + (0.001 if i % 3 == 0 else 0.0):.3f},0.000,0.052,0.999,0.4,-0.3,0.1"
                     for i in range(150))
    p = tmp_path / "stand.csv"
    p.write_text(HAND_WRITTEN.format(rows=rows))
    series = read_imu_csv(p)
    res = analyze(series, "walking")
    assert res.reps == []
    assert res.neutral_roll_deg == pytest.approx(np.degrees(np.arctan2(0.052, 0.999)), abs=0.05)
    assert res.sample_rate_hz == pytest.approx(50.0, rel=0.02)
