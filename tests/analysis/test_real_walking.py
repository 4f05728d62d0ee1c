"""Walking on real people's recordings (../shared/data/mobgap-lowback, INDIP foot-sensor
reference): straight walks perfect, simulated daily life (Test11: sitting, standing, turns, short
bouts) above floors that the previous detector (one walking set after quiet standing) did not
reach, and no steps while the person sits still. Skips when the shared data is absent."""

import numpy as np
import pytest

from hiplevel.analysis import analyze
from bench.real_walking import contacts_of
from bench.realdata import LOWBACK_DIR, load_lowback, shared_data_dir

DATA = shared_data_dir()
pytestmark = pytest.mark.skipif(DATA is None or not (DATA / LOWBACK_DIR).is_dir(),
                                reason="../shared/data/mobgap-lowback is absent (a fresh clone has no shared data)")
TOL_S = 0.25  # the benchmark's matching tolerance


def _steps(series):
    """Initial contacts (s) and feet: each step's contact (its stance foot) and each step's closing
    contact (the other foot, unless a later rep starts there), as the benchmark counts them."""
    return contacts_of(analyze(series, "walking").reps)


def _tally(det_s, det_side, ref):
    """(matched, reference, judged detections, side correct) inside the reference bouts,
    closest pairs first (as bench/real_walking.py)."""
    inside = np.array([any(a - TOL_S <= t <= b + TOL_S for a, b in ref.walking_bouts_s) for t in det_s], bool)
    d = det_s[inside] if len(det_s) else det_s
    sides = [s for s, k in zip(det_side, inside) if k]
    pairs = sorted(((abs(x - y), i, j) for i, x in enumerate(d) for j, y in enumerate(ref.ic_s) if abs(x - y) <= TOL_S))
    used_d, used_r, ok = set(), set(), 0
    for _, i, j in pairs:
        if i not in used_d and j not in used_r:
            used_d.add(i)
            used_r.add(j)
            ok += sides[i] == ref.ic_side[j]
    return len(used_d), len(ref.ic_s), len(d), ok


@pytest.fixture(scope="module")
def trials():
    return [t for t in load_lowback(DATA / LOWBACK_DIR) if "INDIP" in t.references]


def test_straight_walks_every_step_and_side(trials):
    for t in [t for t in trials if t.test == "Test5"]:
        tp, n_ref, n_det, side_ok = _tally(*_steps(t.series), t.references["INDIP"])
        assert tp == n_ref and n_det == tp and side_ok == tp, t.name


def test_daily_life_steps_found_with_their_side(trials):
    tp = n_ref = n_det = side_ok = 0
    for t in [t for t in trials if t.test == "Test11"]:
        a, b, c, d = _tally(*_steps(t.series), t.references["INDIP"])
        tp, n_ref, n_det, side_ok = tp + a, n_ref + b, n_det + c, side_ok + d
    assert n_ref > 150
    # Floors a little under the measured 0.77 / 0.83 / 0.91 (Test11 only, the INDIP's duplicated
    # contacts counted once; contacts above the accelerometer's baseline trade 8 points of
    # precision for 9 of sensitivity against the 0.70 / 0.90 before; the side was 0.88 while the
    # two gyro cues could outweigh sway); the detector that expected one walking set after quiet
    # standing found 0.51 of these steps.
    assert tp / n_ref >= 0.75
    assert tp / n_det >= 0.78
    assert side_ok / tp >= 0.89


def test_no_steps_while_sitting(trials):
    ha2 = next(t for t in trials if t.name == "HA_002/Test11/Trial1")
    starts, _ = _steps(ha2.series)
    # 40-56 s: seated between walks (pelvis pitched back, small fidgets); no reference bout there.
    assert not np.any((starts > 40.0) & (starts < 56.0))
    assert len(starts) > 15
