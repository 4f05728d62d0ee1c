"""Write a simulated session to a folder: imu.csv (the analysis input), truth.json (reps, sets,
spec, model) and truth_orientation.csv (true pelvis orientation at the IMU's sample instants)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from hiplevel.imu_csv import write_imu_csv
from hiplevel.sim.spec import SimSession

TRUTH_SCHEMA = "hiplevel.sim-truth/1"


def _jsonable(obj: object) -> object:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def truth_dict(sim: SimSession) -> dict:
    """The ground truth as a JSON-ready dict (schema TRUTH_SCHEMA)."""
    err = sim.params.get("device_errors")
    return {
        "schema": TRUTH_SCHEMA,
        "spec": _jsonable(sim.spec),
        "sample_rate_hz": sim.spec.rate_hz,
        "reps": [_jsonable(r) for r in sim.reps],
        "sets": [_jsonable(s) for s in sim.sets],
        "imu_model": _jsonable(sim.params.get("imu_model")),
        "label_rules": _jsonable(sim.params.get("label_rules")),
        "device_errors": _jsonable(err) if err is not None else None,
        "mount_axes": list(sim.params.get("mount_axes", ())),
    }


def write_session(sim: SimSession, out_dir: str | Path) -> Path:
    """Write imu.csv, truth.json and truth_orientation.csv into out_dir (created); returns out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_imu_csv(sim.imu, out / "imu.csv")
    (out / "truth.json").write_text(json.dumps(truth_dict(sim), indent=1))
    tr = sim.truth
    table = np.column_stack([sim.imu.t_s, tr.t_s, tr.roll_deg, tr.pitch_deg, tr.yaw_deg])
    np.savetxt(out / "truth_orientation.csv", table, delimiter=",", fmt="%.6f",
               header="t_s,t_true_s,roll_deg,pitch_deg,yaw_deg", comments="")
    return out
