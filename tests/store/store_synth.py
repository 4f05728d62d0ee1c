"""Small analysed sets for the store tests."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from hiplevel.analysis.version import ANALYSIS_VERSION
from hiplevel.store import SessionInputs, SessionMeta, SetReport

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


def small_set(set_index: int, n_reps: int = 4, exercise: str = "band-walk", seed: int = 0,
              version: int | None = ANALYSIS_VERSION) -> SetReport:
    rng = np.random.default_rng(seed + set_index)
    t = np.arange(0.0, 2.0 * n_reps + 2.0, 0.02)
    roll = rng.normal(0.0, 1.0, len(t))
    reps = [{"index": i + 1, "start_s": 1.0 + 2 * i, "end_s": 2.5 + 2 * i, "side": ("left", "right")[i % 2],
             "drop_deg": round(float(rng.uniform(2, 9)), 2), "score": 80.0, "flags": ["pelvic_drop"] if i % 3 == 0 else []}
            for i in range(n_reps)]
    doc = {"schema": "hiplevel.analysis/1", "exercise": exercise, "sample_rate_hz": 50.0, "neutral_roll_deg": 0.7,
           "reps": reps, "summary": {"note": "x"}}
    return SetReport(exercise, set_index, 10.0 * set_index, doc, t, roll, analysis_version=version)


def small_session(patient_id: str, *, n_sets: int = 2, started_at: datetime = T0, recording: str | None = None,
                  notes: str | None = None) -> SessionInputs:
    meta = SessionMeta(patient_id=patient_id, started_at=started_at, device_id="hiplevel-1A2B", firmware="0.3.1",
                       calibration_state="stale", calibration_date="2025-02-01", battery_pct=55.0,
                       samples_received=5000, samples_lost=12, gaps=((3.0, 0.5),), thresholds={"drop_flag_deg": 6.0},
                       recording_path=recording, notes=notes)
    return SessionInputs(meta, tuple(small_set(i + 1) for i in range(n_sets)))
