"""Synthetic analysed sessions for the report tests: neutral-relative roll traces with known reps.

Each single-support phase is a smooth bump: on stance leg S the other side drops, so left-side drops
are negative roll (positive roll = left side higher); a band-walk rep has two phases. Seeded; the
analysis JSON states exactly what was drawn.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from hiplevel.constants import other_side
from hiplevel.store import SessionInputs, SessionMeta, SetReport

RATE_HZ = 50.0
FLAG_DEG = 6.0


def _score(drop_deg: float) -> float:
    return round(max(0.0, 100.0 - 10.0 * max(0.0, drop_deg - 3.0)), 1)


def _bump(t: np.ndarray, roll: np.ndarray, a: float, b: float, stance: str, drop_deg: float,
          rng: np.random.Generator) -> float:
    """Add one single-support drop of the side opposite `stance` over [a, b]; returns its peak, deg."""
    drop = drop_deg * rng.uniform(0.85, 1.15)
    seg = (t >= a) & (t <= b)
    shape = np.sin(np.pi * (t[seg] - a) / (b - a))
    sign = -1.0 if other_side(stance) == "left" else 1.0  # the unsupported side drops
    roll[seg] += sign * drop * shape
    return float(np.max(np.abs(roll[seg])))


def _band_step(t, roll, i, a, b, weak_side, weak_drop_deg, normal_drop_deg, rng) -> dict:
    """A band-walk rep with both single-support phases (hiplevel.analysis/1 with phases): lead
    swing on the trailing (left) leg, then trail swing on the lead (right) leg."""
    mid = (a + b) / 2
    phases = []
    for stance, p0, p1 in (("left", a, mid - 0.02), ("right", mid + 0.02, b)):
        d = _bump(t, roll, p0, p1, stance, weak_drop_deg if stance == weak_side else normal_drop_deg, rng)
        phases.append({"stance": stance, "side_dropped": other_side(stance), "start_s": round(p0, 3),
                       "end_s": round(p1, 3), "drop_deg": round(d, 2), "score": _score(d),
                       "flags": ["pelvic_drop"] if d > FLAG_DEG else []})
    worse = min(phases, key=lambda p: (p["score"], -p["drop_deg"]))
    return {"index": i + 1, "start_s": round(a, 3), "end_s": round(b, 3), "side": worse["stance"],
            "drop_deg": worse["drop_deg"], "score": worse["score"], "flags": worse["flags"], "phases": phases}


def make_set(exercise: str, set_index: int, start_s: float, n_reps: int, *, rng: np.random.Generator,
             weak_side: str | None = "right", weak_drop_deg: float = 8.0, normal_drop_deg: float = 3.0,
             rep_s: float = 1.2, stance: str | None = None, lead_s: float = 3.0) -> SetReport:
    """A set whose clock starts at 0 (start_s puts it on the session clock). Band-walk reps carry
    both single-support phases."""
    dur = lead_s * 2 + n_reps * rep_s
    t = np.arange(0.0, dur, 1.0 / RATE_HZ)
    roll = rng.normal(0.0, 0.25, len(t))
    reps = []
    for i in range(n_reps):
        a = lead_s + i * rep_s
        b = a + rep_s * 0.9
        if exercise == "band-walk":
            # one lateral step to the right: lead (right) swing on the left leg, then trail swing on the right
            reps.append(_band_step(t, roll, i, a, b, weak_side, weak_drop_deg, normal_drop_deg, rng))
            continue
        side = stance or ("left" if i % 2 == 0 else "right")
        measured = _bump(t, roll, a, b, side, weak_drop_deg if side == weak_side else normal_drop_deg, rng)
        flags = ["pelvic_drop"] if measured > FLAG_DEG else []
        reps.append({"index": i + 1, "start_s": round(a, 3), "end_s": round(b, 3), "side": side,
                     "drop_deg": round(measured, 2), "score": _score(measured), "flags": flags})
    doc = {"schema": "hiplevel.analysis/1", "exercise": exercise, "sample_rate_hz": RATE_HZ,
           "neutral_roll_deg": 1.3, "reps": reps, "summary": {"thresholds": {"drop_flag_deg": FLAG_DEG}}}
    return SetReport(exercise=exercise, set_index=set_index, start_s=start_s, analysis_json=doc, t_s=t, roll_deg=roll)


def make_session(patient_id: str = "P-7F3A", *, seed: int = 1, weak_drop_deg: float = 8.0,
                 started_at: datetime | None = None, session_id: str | None = "S-TEST-0001",
                 band_level: int = 2) -> SessionInputs:
    """Walking, band walk and single-leg stance holds, with a weak right gluteus medius."""
    rng = np.random.default_rng(seed)
    s1 = make_set("walking", 1, 0.0, 24, rng=rng, weak_drop_deg=weak_drop_deg, normal_drop_deg=3.5, rep_s=0.55)
    s2 = make_set("band-walk", 2, s1.span_s[1] + 45.0, 12, rng=rng, weak_drop_deg=weak_drop_deg, rep_s=1.5)
    s2 = SetReport(**{**s2.__dict__, "level": band_level})
    s3 = make_set("single-leg-stance", 3, s2.span_s[1] + 60.0, 4, rng=rng, weak_drop_deg=weak_drop_deg,
                  rep_s=12.0, stance=None)
    gap0 = s2.start_s + 6.0
    meta = SessionMeta(
        patient_id=patient_id, session_id=session_id,
        started_at=started_at or datetime(2025, 3, 3, 9, 30, tzinfo=timezone.utc),
        device_id="hiplevel-1A2B", firmware="0.3.1", calibration_state="ok", calibration_date="2025-03-01",
        battery_pct=78.0, samples_received=12000, samples_lost=37, gaps=((gap0, 0.74),),
        thresholds={"drop_flag_deg": FLAG_DEG},
    )
    return SessionInputs(meta=meta, sets=(s1, s2, s3))


def weekly_sessions(weeks: int = 6, per_week: int = 3, *, start: datetime | None = None,
                    first_drop_deg: float = 10.0, last_drop_deg: float = 4.0):
    """Sessions of a patient whose weak (right) side improves linearly across `weeks`."""
    start = start or datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
    out = []
    for w in range(weeks):
        drop = first_drop_deg + (last_drop_deg - first_drop_deg) * w / max(1, weeks - 1)
        for k in range(per_week):
            when = start + timedelta(days=7 * w + 2 * k, hours=k)
            out.append(make_session(seed=100 * w + k, weak_drop_deg=drop, started_at=when, session_id=None,
                                    band_level=2 if w < 4 else 3))
    return out
