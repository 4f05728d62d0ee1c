"""Progress over weeks, computed from stored reps: the numbers behind the progress report.

Pure functions over plain rows (no I/O). Weeks count from the day of the first session (week 1 =
its first 7 days), so a patient starting on a Thursday still gets full weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from hiplevel.scoring.reps import Phase, Rep
from hiplevel.scoring.words import fault_flags, leg_findings, session_finding, weaker_leg


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


DropTable = dict[str, dict[str, float | None]]  # exercise -> stance leg -> mean drop, deg


@dataclass(frozen=True)
class SessionPoint:
    """One session's figures; drops are mean drops per exercise and stance leg, deg (exercises are
    never pooled: their normal drops differ)."""

    session_id: str
    started_at: datetime
    week: int
    status: str
    n_reps: int
    n_clean: int
    by_exercise: DropTable
    levels: dict[str, int]
    exercises: tuple[str, ...]
    rest_before_h: float | None


@dataclass(frozen=True)
class WeekPoint:
    """One week: adherence, quality and per exercise and stance leg drops (deg) with the change
    from the week before. complete: the week is over (an unfinished week is not judged for
    adherence: `adherent` is None)."""

    week: int
    start: datetime
    complete: bool
    n_sessions: int
    short_rests: int
    adherent: bool | None
    n_reps: int
    clean_ratio: float | None
    by_exercise: DropTable
    change_deg: DropTable
    real_change: dict[str, dict[str, bool]]


@dataclass(frozen=True)
class ProgressData:
    """Everything the progress report shows. latest_finding: the latest session's finding in the
    clinician's words (hiplevel.scoring.words); limits_deg: each exercise's drop limit, deg."""

    patient_id: str
    settings: ProgressSettings
    sessions: list[SessionPoint]
    weeks: list[WeekPoint]
    level_changes: list[tuple[datetime, str, int, int]]
    weak_side: str | None
    trend: dict[str, dict[str, Any]]
    latest_finding: str = ""
    limits_deg: dict[str, float] = field(default_factory=dict)


def _mean(x: list[float]) -> float | None:
    return float(np.mean(x)) if x else None


def rep_phases(r: dict[str, Any]) -> list[dict[str, Any]]:
    """A rep row's single-support phases ({"side": stance leg, "drop_deg", "flags"}): its
    `phases` when it has them, else the rep itself."""
    return list(r.get("phases") or [{"side": r["side"], "drop_deg": r["drop_deg"], "flags": r["flags"]}])


def _by_exercise(reps: list[dict[str, Any]]) -> DropTable:
    out: DropTable = {}
    for ex in dict.fromkeys(r["exercise"] for r in reps):
        ph = [p for r in reps if r["exercise"] == ex for p in rep_phases(r)]
        out[ex] = {s: _mean([float(p["drop_deg"]) for p in ph if p["side"] == s]) for s in SIDES}
    return out


def compute_progress(
    patient_id: str,
    sessions: list[tuple[str, datetime, str]],
    reps: list[dict[str, Any]],
    settings: ProgressSettings = ProgressSettings(),
    now: datetime | None = None,
) -> ProgressData:
    """Progress from (session_id, started_at, status) rows and rep rows (session_id, exercise,
    level, side = stance leg, drop_deg, flags, optional phases as `rep_phases` reads them).
    now: when the report is made (UTC; default the clock): the week it falls in is unfinished."""
    sessions = sorted(sessions, key=lambda s: s[1])
    if not sessions:
        return ProgressData(patient_id, settings, [], [], [], None, {})
    now = now or datetime.now(timezone.utc)
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
            n_clean=sum(1 for r in rs if not fault_flags(r["flags"])), by_exercise=_by_exercise(rs),
            levels=levels, exercises=tuple(dict.fromkeys(r["exercise"] for r in rs)),
            rest_before_h=None if prev_t is None else (t - prev_t).total_seconds() / 3600.0,
        ))
        prev_t = t
    weeks = _weeks(points, by_session, day0, settings, now)
    changes: list[tuple[datetime, str, int, int]] = []
    last_level: dict[str, int] = {}
    for p in points:
        for ex, lv in p.levels.items():
            if ex in last_level and last_level[ex] != lv:
                changes.append((p.started_at, ex, last_level[ex], lv))
            last_level[ex] = lv
    first = next((w for w in weeks if w.n_reps), None)
    weak = None
    if first is not None:
        first_reps = [r for p in points if p.week == first.week for r in by_session[p.session_id]]
        weak = weaker_leg(f for ex in dict.fromkeys(r["exercise"] for r in first_reps)
                          for f in leg_findings(ex, [_as_rep(r) for r in first_reps if r["exercise"] == ex]).values())
    latest = by_session[points[-1].session_id]
    per_ex: dict[str, list] = {}
    for r in latest:
        per_ex.setdefault(r["exercise"], []).append(_as_rep(r))
    finding = session_finding(list(per_ex.items())) if latest else ""
    return ProgressData(patient_id, settings, points, weeks, changes, weak, _trend(weeks, settings), finding)


def _as_rep(r: dict[str, Any]) -> Rep:
    """A rep row as a scored rep carrying its phases (the words module reads these)."""
    phases = tuple(Phase(p["side"], 0.0, 0.0, float(p["drop_deg"]), float(p.get("score") or 0.0), tuple(p["flags"]))
                   for p in rep_phases(r))
    return Rep(int(r.get("rep_index", 0)), 0.0, 0.0, r["side"], float(r["drop_deg"]),
               float(r.get("score") or 0.0), tuple(r["flags"]), {}, phases)


def _weeks(points: list[SessionPoint], by_session: dict[str, list[dict[str, Any]]], day0: datetime,
           st: ProgressSettings, now: datetime) -> list[WeekPoint]:
    out: list[WeekPoint] = []
    prev: DropTable = {}
    for w in range(1, points[-1].week + 1):
        ps = [p for p in points if p.week == w]
        rs = [r for p in ps for r in by_session[p.session_id]]
        means = _by_exercise(rs)
        change: DropTable = {}
        real: dict[str, dict[str, bool]] = {}
        for ex, m in means.items():
            before = prev.get(ex, {})
            change[ex] = {s: (m[s] - before[s]) if m[s] is not None and before.get(s) is not None else None
                          for s in SIDES}
            real[ex] = {s: change[ex][s] is not None and abs(change[ex][s]) >= st.smallest_real_change_deg
                        for s in SIDES}
        short = sum(1 for p in ps if p.rest_before_h is not None and p.rest_before_h < st.min_rest_h)
        start = day0 + timedelta(days=7 * (w - 1))
        complete = start + timedelta(days=7) <= now
        out.append(WeekPoint(
            week=w, start=start, complete=complete, n_sessions=len(ps), short_rests=short,
            adherent=(st.sessions_per_week_min <= len(ps) <= st.sessions_per_week_max and short == 0) if complete else None,
            n_reps=len(rs), clean_ratio=(sum(1 for r in rs if not fault_flags(r["flags"])) / len(rs)) if rs else None,
            by_exercise=means, change_deg=change, real_change=real,
        ))
        for ex, m in means.items():
            keep = prev.setdefault(ex, {s: None for s in SIDES})
            for s in SIDES:
                if m[s] is not None:
                    keep[s] = m[s]
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
