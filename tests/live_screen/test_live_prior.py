"""`hiplevel live` seeds the live turn fit with the device's stored sensor errors
(`store.device_priors`, docs/analysis.md Stop 40h) and says so in its closing lines."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from hiplevel.analysis.streaming.prior import SENSOR_ERRORS_KEY, DevicePrior, errors_to_json
from hiplevel.live_screen.reps import RepTracker
from hiplevel.live_screen.summary import LiveSummary
from hiplevel.live_screen.timing import LatencySummary
from hiplevel.store import SessionMeta, SessionStore
from hiplevel.store.backend import DB_FILENAME
from hiplevel.store.device_priors import stored_device_prior
from hiplevel.store.records import SetReport
from hiplevel.signal.turns import TurnErrors

ERRORS = TurnErrors(np.array([-0.02, 0.003, 0.0]), np.array([0.02, -0.003]), 1)


class _Result:
    """The least an analysis result needs to be stored (`SetReport.from_analysis`)."""

    t_s = roll_deg = np.zeros(0)
    sensor_errors = ERRORS

    def to_json(self) -> dict:
        return {"schema": "hiplevel.analysis/1", "exercise": "walking", "reps": [], "summary": {}}


def test_live_reads_the_same_devices_errors_from_the_users_store(tmp_path, monkeypatch):
    monkeypatch.setenv("HIPLEVEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HIPLEVEL_STORE", raising=False)
    assert stored_device_prior("hiplevel-a1b2") is None
    assert not (tmp_path / "data" / DB_FILENAME).exists()  # looking creates no store
    with SessionStore(tmp_path / "data") as store:
        meta = SessionMeta(patient_id=store.ensure_patient("p1"), device_id="hiplevel-a1b2",
                           started_at=datetime(2026, 12, 1, tzinfo=timezone.utc))
        sid = store.start_session(meta)
        report = SetReport.from_analysis(_Result(), 1, 0.0)
        assert report.analysis_json[SENSOR_ERRORS_KEY] == errors_to_json(ERRORS)
        store.add_set(sid, report)
    got = stored_device_prior("hiplevel-a1b2")
    assert got is not None and got.session_id == sid
    np.testing.assert_allclose(got.errors.acc_bias_g, ERRORS.acc_bias_g)
    assert stored_device_prior("hiplevel-c3d4") is None  # another sensor starts without one


def test_the_tracker_starts_from_the_prior_and_the_summary_says_so():
    tracker = RepTracker.create("walking", 100.0, prior=ERRORS)
    assert tracker.analyzer._turns.errors is ERRORS
    assert RepTracker.create("walking", 100.0).analyzer._turns.errors.n_turns == 0
    prior = DevicePrior(ERRORS, "hiplevel-a1b2", "s-1", "2026-12-01T00:00:00.000Z")
    latency = LatencySummary(0, float("nan"), float("nan"), float("nan"))
    per_leg = {"left": (0, 0.0, 0.0), "right": (0, 0.0, 0.0)}
    summary = LiveSummary("walking", 10.0, 0, per_leg, 0, 0, 0.0, latency, "time up", "raw", "", prior.words())
    assert summary.lines()[-1].startswith("live analysis seeded with the sensor errors of device hiplevel-a1b2")
    assert len(LiveSummary("walking", 10.0, 0, per_leg, 0, 0, 0.0, latency, "time up", "raw").lines()) == 1
