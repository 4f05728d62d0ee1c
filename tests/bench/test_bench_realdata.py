"""Loaders of the shared real recordings: frames and signs checked on the data itself."""

from __future__ import annotations

import numpy as np
import pytest

from bench.realdata import (
    LOWBACK_DIR,
    PELVIS_VICON_DIR,
    load_lowback,
    load_pelvis_vicon,
    quat_to_matrix,
    shared_data_dir,
)

DATA = shared_data_dir()
pytestmark = pytest.mark.skipif(DATA is None, reason="../shared/data is absent (not part of a fresh clone)")


@pytest.fixture(scope="module")
def test5():
    return load_lowback(DATA / LOWBACK_DIR, tests=("Test5",))


def test_all_participants_and_references(test5):
    assert {t.participant for t in test5} == {"HA_001", "HA_002", "MS_001"}
    with_ref = [t for t in test5 if "INDIP" in t.references]
    assert len(with_ref) >= 4
    for t in with_ref:
        ref = t.references["INDIP"]
        assert len(ref.ic_s) == len(ref.ic_side) >= 5
        assert np.all(np.diff(ref.ic_s) > 0)
        assert set(ref.ic_side) <= {"left", "right"}
        assert ref.ic_s[-1] < t.series.t_s[-1]


def test_gravity_is_body_up_at_rest(test5):
    for t in test5:
        still = t.series.acc_g[:50].mean(axis=0)
        assert still[2] > 0.9, t.name  # body z up: +1 g at rest
        assert abs(still[0]) < 0.35 and abs(still[1]) < 0.2


def test_left_stance_lifts_the_left_side(test5):
    """Early in a left-stance step the right (swing) side drops: roll rate about +x is positive."""
    signs = []
    for t in test5:
        ref = t.references.get("INDIP") or t.references.get("Stereophoto")
        if ref is None:
            continue
        fs = t.series.sample_rate_hz
        for k in range(len(ref.ic_s) - 1):
            a, b = int(ref.ic_s[k] * fs), int(ref.ic_s[k + 1] * fs)
            rate = t.series.gyro_dps[a : a + (b - a) // 3, 0].mean()
            signs.append(np.sign(rate) * (1 if ref.ic_side[k] == "left" else -1))
    assert len(signs) > 30
    assert np.mean(np.asarray(signs) > 0) > 0.7  # 0.81 on these trials; a flipped axis gives ~0.2


def test_body_frame_is_right_handed(test5):
    # The loader's map is a proper rotation (det +1): a reflection would swap left and right.
    from bench.realdata import MM_SENSOR_TO_BODY

    assert np.linalg.det(MM_SENSOR_TO_BODY) == pytest.approx(1.0)


def test_pelvis_vicon_loader():
    tr = load_pelvis_vicon(DATA / PELVIS_VICON_DIR)
    n = len(tr.sensor)
    assert n == len(tr.obliquity_deg) == len(tr.pelvis_quat_wxyz) == 955
    assert np.all(np.isfinite(tr.obliquity_deg))
    assert 5.0 < np.ptp(tr.obliquity_deg) < 30.0  # a walk: obliquity swings by several degrees
    assert np.allclose(np.linalg.norm(tr.sensor.acc_g[:20], axis=1), 1.0, atol=0.3)
    # the walk is a slice of the raw export, found by value
    assert tr.raw_start is not None
    assert np.allclose(tr.raw_sensor.acc_g[tr.raw_start : tr.raw_start + n], tr.sensor.acc_g)
    assert tr.contact_left.any() and tr.contact_right.any()


def test_quat_to_matrix_known_rotation():
    # 90 deg about z: x -> y
    q = np.array([[np.cos(np.pi / 4), 0.0, 0.0, np.sin(np.pi / 4)]])
    r = quat_to_matrix(q)[0]
    assert r @ np.array([1.0, 0.0, 0.0]) == pytest.approx([0.0, 1.0, 0.0], abs=1e-12)
