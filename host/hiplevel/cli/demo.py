"""`hiplevel demo`: a simulated patient with a weak side does walking, band walks and single-leg
stance on the virtual device over (virtual) BLE; the session is recorded, analysed, stored and
reported exactly as a real one would be."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shlex
import time
from pathlib import Path

from hiplevel.cli.common import EXIT_OK

DEMO_PATIENT = "P-DEMO"


def demo_patient(weak_side: str, seed: int):
    """Walking, two sets of band walks and single-leg stance holds, weak gluteus medius on one side."""
    from hiplevel.sim import ExerciseSpec, SessionSpec

    return SessionSpec(
        [
            ExerciseSpec("walking", reps=24, weak_side=weak_side, drop_deg=8.0),
            ExerciseSpec("band-walk", reps=10, sets=2, weak_side=weak_side, drop_deg=7.0),
            ExerciseSpec("single-leg-stance", reps=2, hold_s=35.0, weak_side=weak_side, drop_deg=6.0),
        ],
        rate_hz=100.0, seed=seed, mount_offset_deg=(1.5, -2.0, 3.0), noise=True, standing_s=4.0, rest_s=6.0,
    )


async def _record(args: argparse.Namespace, store, session_id: str, path: Path) -> dict:
    from hiplevel.capture import PlannedSet, ScriptPacer, capture, calibration_state
    from hiplevel.cli.connect import open_sensor
    from hiplevel.recording import RecordingWriter

    ns = argparse.Namespace(virtual=True, port=None, device=None, timeout=10.0)
    spec = demo_patient(args.weak_side, args.seed)
    async with open_sensor(ns, sim_spec=spec, speed=args.speed, hold_virtual=True) as sensor:
        plan = [PlannedSet(s.exercise, i) for i, s in enumerate(sensor.sim.sets, 1)]
        state, date = calibration_state(sensor.info)
        header = {"device": sensor.info, "firmware": sensor.firmware, "patient_id": DEMO_PATIENT,
                  "session_id": session_id, "calibration": {"state": state, "date": date},
                  "link": "ble (virtual device)"}
        print(f"connected to {sensor.name} (firmware {sensor.firmware}, battery {sensor.battery_pct} %), "
              f"recording {len(plan)} sets...")
        with RecordingWriter(path, header=header) as writer:
            pacer = ScriptPacer(sensor.link, sensor.sim, say=lambda m: print("  " + m), device=sensor.virtual)
            counts = await capture(sensor, writer, plan, pacer, heartbeat=lambda: store.heartbeat(session_id))
        counts["calibration"] = (state, date)
        counts["truth"] = sensor.sim
        return counts


def run_demo(args: argparse.Namespace) -> int:
    """Record, analyse, store and report one simulated session; print where everything is."""
    from hiplevel.capture import analyse_into_store, describe_link, recording_path
    from hiplevel.cli.data_actions import print_rep_table
    from hiplevel.report import write_progress_report, write_session_report
    from hiplevel.cli.store_access import open_store
    from hiplevel.store import SessionMeta

    started = time.monotonic()
    out: Path = args.out
    data_dir = args.data_dir or out / "data"
    print(f"hiplevel demo: simulated patient (seed {args.seed}) with a weak {args.weak_side} gluteus medius, "
          "on the virtual sensor (real firmware on MicroPython, virtual BLE).")
    # The demo's simulated patient stays in the demo's own folder, never in a practice's shared store
    # named by $HIPLEVEL_STORE; an explicit --store is obeyed.
    with open_store(data_dir, url=getattr(args, "store", None) or f"sqlite:///{data_dir}") as store:
        store.ensure_patient(DEMO_PATIENT)
        if args.weeks and not store.list_sessions(DEMO_PATIENT):
            from hiplevel.cli.demo_history import store_history

            print(f"simulating {args.weeks} earlier weeks of training for the progress report...")
            store_history(store, DEMO_PATIENT, args.weak_side, args.weeks, args.seed,
                          today=dt.datetime.now(dt.timezone.utc), say=print)
        session_id = store.start_session(SessionMeta(patient_id=DEMO_PATIENT, device_id="virtual", firmware=None))
        path = recording_path(store.data_dir, session_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        store.set_recording_path(session_id, path)
        counts = asyncio.run(_record(args, store, session_id, path))
        results, link_summary = analyse_into_store(store, session_id, path)
        report = write_session_report(store, out, session_id)
        progress = write_progress_report(store, DEMO_PATIENT, out) if args.weeks else None
    print(f"\nrecording: {path}")
    print(f"link: {describe_link(link_summary)}")
    print(f"session store: {data_dir} (session {session_id}, patient {DEMO_PATIENT})")
    print(f"clinician report: {report}")
    if progress:
        print(f"progress report: {progress}")
    for i, res in enumerate(results, 1):
        print_rep_table(res.to_json(), title=f"set {i}: {res.exercise}", limit=8)
    print(f"\ndone in {time.monotonic() - started:.1f} s. Open the reports in a browser.")
    for line in next_commands(Path(data_dir), session_id):
        print(line)
    return EXIT_OK


def next_commands(data_dir: Path, session_id: str) -> list[str]:
    """The commands that show the demo's sessions: the demo keeps its own store (simulated patients
    stay out of the clinic's), so each names it, by its absolute path."""
    where = shlex.quote(str(data_dir.resolve()))
    return [
        "The demo keeps its own session store. To see it:",
        f"  hiplevel sessions list --data-dir {where}",
        f"  hiplevel report {session_id} --data-dir {where} --pdf",
        f"  export HIPLEVEL_DATA_DIR={where}    # makes it the default for every hiplevel command",
    ]
