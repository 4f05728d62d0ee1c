"""The demo patient's earlier weeks: sessions simulated and analysed with the same analysis code
(no virtual device: the history only feeds the progress report), three a week with rest days, the
weak side's drop shrinking as the patient trains (domain primer: 8-12 weeks for meaningful change)."""

from __future__ import annotations

import datetime as dt

from hiplevel.store import SessionMeta, SetReport

SESSIONS_PER_WEEK_DAYS = (0, 2, 4)  # Mon, Wed, Fri: 3 a week, >= 24 h apart
# From a clear Trendelenburg pattern down to today's session of the demo (8 deg on the weak side):
# a change well beyond the 4 deg smallest real change (Youdas et al. 2007), still work to do.
START_DROP_DEG = 13.0
END_DROP_DEG = 8.5


def weak_side_drop_deg(week: int, weeks: int) -> float:
    """Simulated drop on the weak side's reps in `week` (0-based) of `weeks`, deg."""
    frac = week / max(weeks - 1, 1)
    return START_DROP_DEG + (END_DROP_DEG - START_DROP_DEG) * frac


def store_history(store, patient_id: str, weak_side: str, weeks: int, seed: int, today: dt.datetime,
                  say=print) -> list[str]:
    """Simulate, analyse and store `weeks` weeks of sessions ending before `today`; returns ids."""
    from hiplevel.analysis import analyze_sets
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    ids = []
    first_monday = (today - dt.timedelta(days=today.weekday() + 7 * weeks)).replace(hour=10, minute=0, second=0, microsecond=0)
    for week in range(weeks):
        drop = weak_side_drop_deg(week, weeks)
        band_level = 2
        for k, day in enumerate(SESSIONS_PER_WEEK_DAYS):
            started = first_monday + dt.timedelta(days=7 * week + day)
            spec = SessionSpec(
                [ExerciseSpec("walking", reps=16, weak_side=weak_side, drop_deg=drop),
                 ExerciseSpec("band-walk", reps=8, weak_side=weak_side, drop_deg=drop - 1.0)],
                rate_hz=100.0, seed=seed * 1000 + week * 10 + k, mount_offset_deg=(1.5, -2.0, 3.0), noise=True,
                standing_s=4.0, rest_s=5.0)
            sim = simulate_session(spec)
            results = analyze_sets(sim.imu, sets=[(s.exercise, s.start_s, s.end_s) for s in sim.sets])
            meta = SessionMeta(patient_id=patient_id, started_at=started, device_id="simulated history",
                               firmware=None, calibration_state="ok", calibration_date=first_monday.date().isoformat(),
                               samples_received=len(sim.imu), notes="simulated history (no device)")
            session_id = store.start_session(meta)
            for i, res in enumerate(results, 1):
                level = band_level if res.exercise == "band-walk" else None  # level 2: band walks
                store.add_set(session_id, SetReport.from_analysis(res, i, 0.0, level=level))
            store.finish_session(session_id, samples_received=len(sim.imu), samples_lost=0, gaps=(), status="complete")
            ids.append(session_id)
        say(f"  week {week + 1}: 3 sessions, weak-side drop about {drop:.1f} deg")
    return ids
