"""Row <-> record conversion and the SQL the store shares (internal to hiplevel.store)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import numpy as np

from hiplevel.store.backend import Backend
from hiplevel.store.records import Patient, SessionMeta, SessionRecord, SetReport

Row = Any  # Row or postgres.PgRow: by column name or position

SESSION_SELECT = (
    "SELECT s.*, COUNT(DISTINCT st.id) AS n_sets, COUNT(r.id) AS n_reps FROM sessions s "
    "LEFT JOIN sets st ON st.session_id = s.id LEFT JOIN reps r ON r.set_id = st.id"
)


def iso(dt: datetime) -> str:
    """UTC ISO-8601 text with milliseconds: sorts in time order as text."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: give the store timezone-aware times")
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def parse_iso(text: str | None) -> datetime | None:
    """Inverse of `iso` (None stays None)."""
    return datetime.fromisoformat(text) if text else None


def patient(row: Row) -> Patient:
    return Patient(id=row["id"], created_at=parse_iso(row["created_at"]), display_name=row["display_name"])


def session(row: Row) -> SessionRecord:
    meta = SessionMeta(
        patient_id=row["patient_id"],
        session_id=row["id"],
        started_at=parse_iso(row["started_at"]),
        device_id=row["device_id"],
        firmware=row["firmware"],
        calibration_state=row["calibration_state"],
        calibration_date=row["calibration_date"],
        battery_pct=row["battery_pct"],
        samples_received=row["samples_received"],
        samples_lost=row["samples_lost"],
        gaps=tuple((float(a), float(b)) for a, b in json.loads(row["gaps_json"])),
        thresholds=json.loads(row["thresholds_json"]),
        recording_path=row["recording_path"],
        status=row["status"],
        notes=row["notes"],
        analysis_version=row["analysis_version"],
    )
    return SessionRecord(
        id=row["id"],
        patient_id=row["patient_id"],
        started_at=meta.started_at,
        status=row["status"],
        meta=meta,
        ended_at=parse_iso(row["ended_at"]),
        heartbeat_at=parse_iso(row["heartbeat_at"]),
        n_sets=row["n_sets"],
        n_reps=row["n_reps"],
    )


def insert_session(c: Backend, session_id: str, meta: SessionMeta, now: str) -> None:
    c.execute(
        "INSERT INTO sessions (id, patient_id, started_at, heartbeat_at, status, device_id, firmware, "
        "recording_path, calibration_state, calibration_date, battery_pct, samples_received, "
        "samples_lost, gaps_json, thresholds_json, ended_at, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            meta.patient_id,
            iso(meta.started_at),
            now,
            meta.status,
            meta.device_id,
            meta.firmware,
            meta.recording_path,
            meta.calibration_state,
            meta.calibration_date,
            meta.battery_pct,
            int(meta.samples_received),
            int(meta.samples_lost),
            json.dumps([list(g) for g in meta.gaps]),
            json.dumps(meta.thresholds),
            None if meta.status == "recording" else now,
            meta.notes,
        ),
    )


def update_session(c: Backend, session_id: str, updates: dict[str, Any]) -> int:
    """Set the session's columns named in `updates` (trusted names, never user text) to their values;
    returns the number of rows changed (0: no such session)."""
    sql = ", ".join(f"{k} = ?" for k in updates)
    return c.execute(f"UPDATE sessions SET {sql} WHERE id = ?", (*updates.values(), session_id)).rowcount


def quality_columns(samples_received: int | None, samples_lost: int | None,
                    gaps: tuple[tuple[float, float], ...] | None) -> dict[str, Any]:
    """The sessions columns of the data-quality figures given (None: left out): counts of samples,
    and the gaps (s, s) as JSON."""
    columns: dict[str, Any] = {}
    if samples_received is not None:
        columns["samples_received"] = int(samples_received)
    if samples_lost is not None:
        columns["samples_lost"] = int(samples_lost)
    if gaps is not None:
        columns["gaps_json"] = json.dumps([list(g) for g in gaps])
    return columns


def side_stats(reps: list[dict[str, Any]], side: str) -> tuple[float | None, float | None]:
    """(mean, max) drop in deg of the reps attributed to `side` (None when there are none)."""
    drops = [float(r["drop_deg"]) for r in reps if r.get("side") == side]
    return (float(np.mean(drops)), float(np.max(drops))) if drops else (None, None)


def insert_set(c: Backend, session_id: str, s: SetReport, now: str) -> int:
    """Insert one set with its reps, summary and trace; the session takes the set's analysis version."""
    doc = s.analysis_json
    reps = s.reps
    set_id = int(c.execute(
        "INSERT INTO sets (session_id, set_index, exercise, level, offset_s, start_s, end_s, "
        "neutral_roll_deg, sample_rate_hz, analysis_json, analysis_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            session_id,
            int(s.set_index),
            s.exercise,
            s.effective_level,
            float(s.start_s),
            *s.span_s,
            _opt_float(doc.get("neutral_roll_deg")),
            _opt_float(doc.get("sample_rate_hz")),
            json.dumps(doc),
            s.analysis_version,
        ),
    ).fetchone()[0])
    if s.analysis_version is not None:
        c.execute("UPDATE sessions SET analysis_version = ?, analysed_at = ? WHERE id = ?",
                  (int(s.analysis_version), now, session_id))
    c.executemany(
        "INSERT INTO reps (set_id, rep_index, start_s, end_s, side, drop_deg, score, flags_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (set_id, int(r["index"]), s.start_s + float(r["start_s"]), s.start_s + float(r["end_s"]), r["side"],
             float(r["drop_deg"]), None if r.get("score") is None else float(r["score"]),
             json.dumps(list(r.get("flags", []))))
            for r in reps
        ],
    )
    mean_l, max_l = side_stats(reps, "left")
    mean_r, max_r = side_stats(reps, "right")
    c.execute(
        "INSERT INTO set_summaries (set_id, n_reps, n_clean, mean_drop_left_deg, mean_drop_right_deg, "
        "max_drop_left_deg, max_drop_right_deg, summary_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (set_id, len(reps), sum(1 for r in reps if not r.get("flags")), mean_l, mean_r, max_l, max_r,
         json.dumps(doc.get("summary", {}))),
    )
    c.execute(
        "INSERT INTO set_traces (set_id, t_s, roll_deg) VALUES (?, ?, ?)",
        (set_id, np.asarray(s.t_s, dtype="<f4").tobytes(), np.asarray(s.roll_deg, dtype="<f4").tobytes()),
    )
    return set_id


def _opt_float(x: Any) -> float | None:
    return None if x is None else float(x)


def load_sets(c: Backend, session_id: str) -> list[SetReport]:
    out = []
    for row in c.execute(
        "SELECT st.*, tr.t_s AS t_blob, tr.roll_deg AS roll_blob FROM sets st "
        "LEFT JOIN set_traces tr ON tr.set_id = st.id WHERE st.session_id = ? ORDER BY st.set_index",
        (session_id,),
    ):
        t_s = np.frombuffer(bytes(row["t_blob"] or b""), dtype="<f4").astype(float)
        roll = np.frombuffer(bytes(row["roll_blob"] or b""), dtype="<f4").astype(float)
        out.append(
            SetReport(
                exercise=row["exercise"],
                set_index=row["set_index"],
                start_s=row["offset_s"],
                analysis_json=json.loads(row["analysis_json"]),
                t_s=t_s,
                roll_deg=roll,
                level=row["level"],
                analysis_version=row["analysis_version"],
            )
        )
    return out


def _patient_rows(c: Backend, sql: str, patient_id: str, json_column: str, key: str) -> list[dict[str, Any]]:
    """Rows of one patient as dicts, `started_at` parsed and `json_column` decoded into `key`."""
    out = []
    for row in c.execute(sql, (patient_id,)):
        d = dict(row)
        d["started_at"] = parse_iso(d["started_at"])
        d[key] = json.loads(d.pop(json_column))
        out.append(d)
    return out


def set_summaries(c: Backend, patient_id: str) -> list[dict[str, Any]]:
    sql = (
        "SELECT s.id AS session_id, s.started_at, s.status, st.set_index, st.exercise, st.level, "
        "st.start_s, st.end_s, ss.* FROM sessions s JOIN sets st ON st.session_id = s.id "
        "JOIN set_summaries ss ON ss.set_id = st.id WHERE s.patient_id = ? "
        "ORDER BY s.started_at, st.set_index"
    )
    return _patient_rows(c, sql, patient_id, "summary_json", "summary")


def patient_reps(c: Backend, patient_id: str) -> list[dict[str, Any]]:
    sql = (
        "SELECT s.id AS session_id, s.started_at, s.status, st.set_index, st.exercise, st.level, "
        "r.rep_index, r.side, r.drop_deg, r.score, r.flags_json FROM sessions s "
        "JOIN sets st ON st.session_id = s.id JOIN reps r ON r.set_id = st.id "
        "WHERE s.patient_id = ? ORDER BY s.started_at, st.set_index, r.rep_index"
    )
    return _patient_rows(c, sql, patient_id, "flags_json", "flags")
