"""Stored sessions with real recordings, fast: a simulated patient's IMU encoded as the DATA_RAW
packets the belt sends, written with `RecordingWriter` (set boundaries as events, as `record` writes
them), then registered and analysed into a store as `hiplevel record` does. For the store's tests
(re-analysis, backup, doctor) and the store benchmarks; no virtual device needed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

SAMPLES_PER_PACKET = 5
RATE_HZ = 100


def write_sim_recording(path: Path, *, seed: int = 1, reps: int = 8, patient_id: str = "P-SIM",
                        session_id: str = "S-SIM") -> Path:
    """A recording of one simulated walking set (`reps` steps, left side weak) at 100 Hz."""
    from hiplevel.link.base import Received
    from hiplevel.protocol import Channel, PacketType, encode_data_packet
    from hiplevel.protocol.payloads import ACC_COUNTS_PER_G, GYRO_COUNTS_PER_DPS
    from hiplevel.recording import RecordingWriter
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=reps, weak_side="left", drop_deg=8.0)],
                                       rate_hz=RATE_HZ, seed=seed))
    counts = np.hstack([np.round(sim.imu.acc_g * ACC_COUNTS_PER_G), np.round(sim.imu.gyro_dps * GYRO_COUNTS_PER_DPS)])
    counts = np.clip(counts, -32768, 32767).astype(np.int16)
    t_us = np.round(np.arange(len(counts)) * 1e6 / RATE_HZ).astype(np.int64)
    clock = [1000.0]
    events = [(s.start_s, "set_start", s) for s in sim.sets] + [(s.end_s, "set_end", s) for s in sim.sets]
    events.sort(key=lambda e: e[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with RecordingWriter(path, {"patient_id": patient_id, "session_id": session_id,
                                "device": {"id": "hiplevel-sim"}}, clock=lambda: clock[0], fsync=False) as w:
        for first in range(0, len(counts), SAMPLES_PER_PACKET):
            t_s = first / RATE_HZ
            while events and events[0][0] <= t_s:
                _, kind, s = events.pop(0)
                w.write_event(kind, host_time_s=1000.0 + t_s, exercise=s.exercise, set=s.set_index + 1,
                              side=None, device_t_us=int(t_us[first]))
            clock[0] = 1000.0 + (first + SAMPLES_PER_PACKET) / RATE_HZ + 0.003
            packet = encode_data_packet(PacketType.DATA_RAW, 0, RATE_HZ, first, int(t_us[first]),
                                        counts[first:first + SAMPLES_PER_PACKET])
            w.write_received(Received(Channel.DATA, packet, clock[0]))
        for _, kind, s in events:
            w.write_event(kind, exercise=s.exercise, set=s.set_index + 1, side=None, device_t_us=int(t_us[-1]))
    return path


def add_recorded_session(store, patient_id: str, template: Path, started_at: datetime) -> str:
    """Register a session as `hiplevel record` does (start, recording in the data folder, analyse,
    finish) with a copy of the recording `template`; returns the session id."""
    import shutil

    from hiplevel.capture import analyse_into_store, recording_path
    from hiplevel.store import SessionMeta

    store.ensure_patient(patient_id)
    sid = store.start_session(SessionMeta(patient_id=patient_id, started_at=started_at, device_id="hiplevel-sim"))
    path = recording_path(store.data_dir, sid)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    store.set_recording_path(sid, path)
    analyse_into_store(store, sid, path)
    return sid


T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def seed_store(store, templates: list[Path], n_sessions: int, n_patients: int = 3) -> list[str]:
    """`n_sessions` recorded sessions, one a day, spread over `n_patients` patients."""
    return [add_recorded_session(store, f"P-{i % n_patients + 1:03d}", templates[i % len(templates)],
                                 T0 + timedelta(days=i)) for i in range(n_sessions)]
