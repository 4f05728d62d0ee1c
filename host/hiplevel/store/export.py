"""Export of a patient's sessions for sharing (research, second opinion): JSON with sessions, sets
and reps, and a CSV with one row per rep.

By default the export is stripped of what a recipient does not need: the display name, free-text
notes, and local file paths (a recording path can contain a user or patient name). The
pseudonymous patient id stays: it is what links the export back in the clinic.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiplevel.scoring.reps import Rep
from hiplevel.scoring.words import clinician_sentence, dropped_side, stance_leg, support_phases
from hiplevel.store.records import SessionRecord
from hiplevel.store.schema import StoreError

if TYPE_CHECKING:
    from hiplevel.store.db import SessionStore

EXPORT_SCHEMA = "hiplevel.export/2"
# `side` is the tested (stance) leg for every exercise (clamshell: the working leg), `side_dropped`
# the unsupported side (empty for the clamshell's roll-back), `drop_deg` its drop below neutral
# (negative = it rose); a band-walk step's two single-support phases follow (docs/sides.md).
MAX_PHASES = 2
PHASE_CSV_COLUMNS = tuple(f"phase{k}_{c}" for k in range(1, MAX_PHASES + 1)
                          for c in ("stance", "side_dropped", "drop_deg", "flags"))
REP_CSV_COLUMNS = (
    "patient_id", "session_id", "started_at", "status", "set_index", "exercise", "level",
    "rep_index", "start_s", "end_s", "side", "side_dropped", "drop_deg", "score", "flags", "description",
    *PHASE_CSV_COLUMNS,
)


def export_patient(
    store: "SessionStore", patient_id: str, out_dir: Path, *, include_identifying: bool = False
) -> list[Path]:
    """Write `<patient>-sessions.json` and `<patient>-reps.csv` into `out_dir`; returns both paths.

    include_identifying=True adds the display name and recording paths (for the clinic's own backup).
    """
    patient = store.get_patient(patient_id)
    if patient is None:
        raise StoreError(f"no patient {patient_id}")
    out_dir.mkdir(parents=True, exist_ok=True)
    sessions = [_session_doc(store, rec, include_identifying) for rec in store.list_sessions(patient_id)]
    doc: dict[str, Any] = {"schema": EXPORT_SCHEMA, "patient_id": patient_id, "sessions": sessions}
    if include_identifying:
        doc["display_name"] = patient.display_name
    json_path = out_dir / f"{patient_id}-sessions.json"
    json_path.write_text(json.dumps(doc, indent=1))
    csv_path = out_dir / f"{patient_id}-reps.csv"
    with csv_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=REP_CSV_COLUMNS)
        writer.writeheader()
        for s in sessions:
            for st in s["sets"]:
                for r in st["reps"]:
                    row = {
                        "patient_id": patient_id, "session_id": s["id"], "started_at": s["started_at"],
                        "status": s["status"], "set_index": st["set_index"], "exercise": st["exercise"],
                        "level": st["level"], "rep_index": r["index"], "start_s": r["start_s"],
                        "end_s": r["end_s"], "side": r["side"], "side_dropped": r["side_dropped"] or "",
                        "drop_deg": r["drop_deg"], "score": r["score"], "flags": ";".join(r["flags"]),
                        "description": r["description"],
                    }
                    for k, p in enumerate(r.get("phases", [])[:MAX_PHASES], start=1):
                        row.update({f"phase{k}_stance": p["stance"], f"phase{k}_side_dropped": p["side_dropped"] or "",
                                    f"phase{k}_drop_deg": p["drop_deg"], f"phase{k}_flags": ";".join(p["flags"])})
                    writer.writerow(row)
    return [json_path, csv_path]


def _session_doc(store: "SessionStore", rec: SessionRecord, include_identifying: bool) -> dict[str, Any]:
    m = rec.meta
    doc: dict[str, Any] = {
        "id": rec.id,
        "started_at": rec.started_at.isoformat(),
        "ended_at": rec.ended_at.isoformat() if rec.ended_at else None,
        "status": rec.status,
        "device_id": m.device_id,
        "firmware": m.firmware,
        "calibration_state": m.calibration_state,
        "calibration_date": m.calibration_date,
        "battery_pct": m.battery_pct,
        "samples_received": m.samples_received,
        "samples_lost": m.samples_lost,
        "gaps": [list(g) for g in m.gaps],
        "thresholds": m.thresholds,
        "sets": [],
    }
    if include_identifying:
        doc["recording_path"] = m.recording_path
    for row in store.raw_rows(
        "SELECT id, set_index, exercise, level, offset_s, start_s, end_s, analysis_json FROM sets "
        "WHERE session_id = ? ORDER BY set_index",
        (rec.id,),
    ):
        analysis = json.loads(row["analysis_json"])
        reps = [_rep_doc(row["exercise"], Rep.from_json(r), float(row["offset_s"])) for r in analysis.get("reps", [])]
        doc["sets"].append({
            "set_index": row["set_index"], "exercise": row["exercise"], "level": row["level"],
            "start_s": row["start_s"], "end_s": row["end_s"], "reps": reps,
        })
    return doc


def _rep_doc(exercise: str, rep: Rep, offset_s: float) -> dict[str, Any]:
    """A rep as exported: times on the session clock, the stance leg and the side that dropped from
    the analysed rep (hiplevel.scoring.words), its phases when it has several."""
    doc: dict[str, Any] = {
        "index": rep.index, "start_s": round(offset_s + rep.start_s, 3), "end_s": round(offset_s + rep.end_s, 3),
        "side": stance_leg(exercise, rep), "side_dropped": dropped_side(exercise, rep), "drop_deg": rep.drop_deg,
        "score": None if rep.score != rep.score else rep.score, "flags": list(rep.flags),
        "description": clinician_sentence(exercise, rep),
    }
    phases = support_phases(exercise, rep)
    if len(phases) > 1:
        doc["phases"] = [{"stance": p.stance, "side_dropped": dropped_side(exercise, p), "start_s": round(offset_s + p.start_s, 3),
                          "end_s": round(offset_s + p.end_s, 3), "drop_deg": p.drop_deg, "flags": list(p.flags)}
                         for p in phases]
    return doc
