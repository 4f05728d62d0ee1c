"""Progress over weeks, computed from stored reps: the numbers behind the progress report.

Pure functions over plain rows (no I/O). Weeks count from the day of the first session (week 1 =
its first 7 days), so a patient starting on a Thursday still gets full weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from hiplevel.constants import tested_leg

SIDES = ("left", "right")


@dataclass(frozen=True)
class ProgressSettings:
    """Thresholds of the progress report (domain primer's programming rules).

    smallest_real_change_deg: week-to-week change that exceeds measurement noise, deg
        (clinical Trendelenburg angle SRC about 4 deg, SEM 2 deg; Youdas et al. 2007).
    sessions_per_week_min/max: rehabilitation dose, 3-4 sessions a week.
    min_rest_h: at least 24 h between sessions.
    """

    smallest_real_change_deg: float = 4.0
    sessions_per_week_min: int = 3
    sessions_per_week_max: int = 4
    min_rest_h: float = 24.0


@dataclass(frozen=True)
class SessionPoint:
    """One session's figures; drops are means over reps by stance leg, deg."""

    session_id: str
    started_at: datetime
    week: int
    status: str
    n_reps: int
    n_clean: int
    mean_drop_deg: dict[str, float | None]
    levels: dict[str, int]
    exercises: tuple[str, ...]
    rest_before_h: float | None


@dataclass(frozen=True)
class WeekPoint:
    """One week: adherence, quality and per-side drops (deg) with the change from the week before."""

    week: int
    start: datetime
    n_sessions: int
    short_rests: int
    adherent: bool
    n_reps: int
    clean_ratio: float | None
    mean_drop_deg: dict[str, float | None]
    change_deg: dict[str, float | None]
    real_change: dict[str, bool]
    by_exercise: dict[str, dict[str, float | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgressData:
    """Everything the progress report shows."""

    patient_id: str
    settings: ProgressSettings
    sessions: list[SessionPoint]
    weeks: list[WeekPoint]
    level_changes: list[tuple[datetime, str, int, int]]
    weak_side: str | None
    trend: dict[str, dict[str, Any]]


def _mean(x: list[float]) -> float | None:
    return float(np.mean(x)) if x else None


def _side_means(reps: list[dict[str, Any]]) -> dict[str, float | None]:
    return {s: _mean([float(r["drop_deg"]) for r in reps if tested_leg(r["exercise"], r["side"]) == s]) for s in SIDES}


def compute_progress(
    patient_id: str,
    sessions: list[tuple[str, datetime, str]],
    reps: list[dict[str, Any]],
    settings: ProgressSettings = ProgressSettings(),
) -> ProgressData:
    """Progress from (session_id, started_at, status) rows and rep rows (session_id, exercise,
    level, side = stance leg, drop_deg, flags), as `SessionStore.patient_reps` returns them."""
    sessions = sorted(sessions, key=lambda s: s[1])
    if not sessions:
        return ProgressData(patient_id, settings, [], [], [], None, {})
    day0 = sessions[0][1].replace(hour=0, minute=0, second=0, microsecond=0)
    by_session: dict[str, list[dict[str, Any]]] = {sid: [] for sid, _, _ in sessions}
    for r in reps:
        by_session.setdefault(r["session_id"], []).append(r)
    points: list[SessionPoint] = []
    prev_t: datetime | None = None
    for sid, t, status in sessions:
        rs = by_session[sid]
        levels = {r["exercise"]: int(r["level"]) for r in rs if r.get("level") is not None}
        points.append(SessionPoint(
            session_id=sid, started_at=t, week=(t - day0).days // 7 + 1, status=status, n_reps=len(rs),
            n_clean=sum(1 for r in rs if not r["flags"]), mean_drop_deg=_side_means(rs),
            levels=levels, exercises=tuple(dict.fromkeys(r["exercise"] for r in rs)),
            rest_before_h=None if prev_t is None else (t - prev_t).total_seconds() / 3600.0,
        ))
        prev_t = t
    weeks = _weeks(points, by_session, day0, settings)
    changes: list[tuple[datetime, str, int, int]] = []
    last_level: dict[str, int] = {}
    for p in points:
        for ex, lv in p.levels.items():
            if ex in last_level and last_level[ex] != lv:
                changes.append((p.started_at, ex, last_level[ex], lv))
            last_level[ex] = lv
    with_data = [w for w in weeks if w.n_reps]
    weak = None
    if with_data:
        first = with_data[0].mean_drop_deg
        if first["left"] is not None and first["right"] is not None:
            weak = "right" if first["right"] > first["left"] else "left"
    trend = _trend(weeks, settings)
    return ProgressData(patient_id, settings, points, weeks, changes, weak, trend)


def _weeks(points: list[SessionPoint], by_session: dict[str, list[dict[str, Any]]], day0: datetime,
           st: ProgressSettings) -> list[WeekPoint]:
    out: list[WeekPoint] = []
    prev: dict[str, float | None] = {s: None for s in SIDES}
    for w in range(1, points[-1].week + 1):
        ps = [p for p in points if p.week == w]
        rs = [r for p in ps for r in by_session[p.session_id]]
        means = _side_means(rs)
        change = {s: (means[s] - prev[s]) if means[s] is not None and prev[s] is not None else None for s in SIDES}
        short = sum(1 for p in ps if p.rest_before_h is not None and p.rest_before_h < st.min_rest_h)
        exercises = dict.fromkeys(r["exercise"] for r in rs)
        out.append(WeekPoint(
            week=w, start=day0 + timedelta(days=7 * (w - 1)), n_sessions=len(ps), short_rests=short,
            adherent=st.sessions_per_week_min <= len(ps) <= st.sessions_per_week_max and short == 0,
            n_reps=len(rs), clean_ratio=(sum(1 for r in rs if not r["flags"]) / len(rs)) if rs else None,
            mean_drop_deg=means, change_deg=change,
            real_change={s: change[s] is not None and abs(change[s]) >= st.smallest_real_change_deg for s in SIDES},
            by_exercise={ex: _side_means([r for r in rs if r["exercise"] == ex]) for ex in exercises},
        ))
        prev = {s: means[s] if means[s] is not None else prev[s] for s in SIDES}
    return out


def _trend(weeks: list[WeekPoint], st: ProgressSettings) -> dict[str, dict[str, Any]]:
    """First week with data vs last, per exercise and stance leg: change (deg) and whether it is
    beyond the smallest real change."""
    out: dict[str, dict[str, Any]] = {}
    exercises = dict.fromkeys(ex for w in weeks for ex in w.by_exercise)
    for ex in exercises:
        for side in SIDES:
            series = [(w.week, w.by_exercise[ex][side]) for w in weeks
                      if ex in w.by_exercise and w.by_exercise[ex][side] is not None]
            if len(series) < 2:
                continue
            (w0, d0), (w1, d1) = series[0], series[-1]
            slope = float(np.polyfit([w for w, _ in series], [d for _, d in series], 1)[0])
            out[f"{ex}/{side}"] = {
                "exercise": ex, "side": side, "first_week": w0, "last_week": w1, "first_deg": d0, "last_deg": d1,
                "change_deg": d1 - d0, "slope_deg_per_week": slope,
                "real": abs(d1 - d0) >= st.smallest_real_change_deg,
            }
    return out
