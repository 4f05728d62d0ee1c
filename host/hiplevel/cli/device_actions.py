"""What the sensor commands do: scan, info, record (live is in hiplevel.live_screen, calibrate in
hiplevel.cli.calibrate_action). Argument parsing lives in commands_device."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from hiplevel.cli.common import EXIT_ERROR, EXIT_NO_DEVICE, EXIT_OK, EXIT_USAGE, CliError
from hiplevel.cli.connect import (NOT_FOUND_HINT, bluetooth_unavailable, default_virtual_patient, open_sensor,
                                  virtual_flash_dir)
from hiplevel.cli.store_access import store_place

DEFAULT_SET_S = 60.0  # a set on a real sensor without --set-seconds, s
def _ble_unavailable(exc: Exception) -> CliError:
    return bluetooth_unavailable(exc)


def scan(args: argparse.Namespace) -> int:
    """`hiplevel scan`: sensors nearby, strongest first, with battery and signal."""
    from bleak.exc import BleakError

    from hiplevel.link.ble_scan import scan as ble_scan

    async def run() -> list:
        if args.virtual:
            from hiplevel.sim import simulate_session, write_chip_stream  # noqa: F401 - via open_sensor
            from hiplevel.virtual.backend import VirtualScanner
            from hiplevel.virtual.process import VirtualDevice, VirtualDeviceConfig
            import tempfile
            from pathlib import Path

            from hiplevel.sim import simulate_session as sim_session

            with tempfile.TemporaryDirectory() as tmp:
                chip = write_chip_stream(sim_session(default_virtual_patient(["walking"])), Path(tmp) / "p.chip")
                async with VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=1.0)):
                    return await ble_scan(min(args.timeout, 3.0), backend=VirtualScanner)
        return await ble_scan(args.timeout)

    try:
        found = asyncio.run(run())
    except (BleakError, OSError) as exc:
        raise _ble_unavailable(exc) from exc
    if not found:
        raise CliError(f"no hiplevel sensor found over Bluetooth within {args.timeout:g} s: {NOT_FOUND_HINT}",
                       EXIT_NO_DEVICE)
    print(f"{'name':<16} {'address':<18} {'signal':>8} {'battery':>8}")
    for s in found:
        battery = f"{s.battery_pct} %" if s.battery_pct is not None else "?"
        print(f"{s.name or '?':<16} {s.address:<18} {s.rssi_dbm:>4} dBm {battery:>8}")
    return EXIT_OK


def info(args: argparse.Namespace) -> int:
    """`hiplevel info`: firmware, calibration, battery and stream settings of one sensor."""
    from bleak.exc import BleakError

    from hiplevel.capture import calibration_state

    async def run() -> dict:
        flash = virtual_flash_dir(args.data_dir) if args.virtual else None
        async with open_sensor(args, speed=1.0, virtual_flash=flash) as sensor:
            state, date = calibration_state(sensor.info)
            return {"name": sensor.name, "firmware": sensor.firmware, "battery_pct": sensor.battery_pct,
                    "calibration": state + (f" ({date})" if date else ""), "device": sensor.info}

    try:
        got = asyncio.run(run())
    except BleakError as exc:
        raise _ble_unavailable(exc) from exc
    dev = got["device"]
    print(f"sensor:       {got['name']}")
    print(f"firmware:     {got['firmware'] or dev.get('fw', '?')} (protocol {dev.get('protocol', '?')})")
    print(f"battery:      {got['battery_pct'] if got['battery_pct'] is not None else '?'} %")
    print(f"calibration:  {got['calibration']}")
    print(f"stream:       {dev.get('rate_hz', '?')} Hz, mode {dev.get('mode', '?')}, MTU {dev.get('mtu', '?')}, mount {dev.get('mount', '?')}")
    haptic = dev.get("haptic") or {}
    if haptic:
        print(f"haptic cue:   {'on' if haptic.get('enabled') else 'off'}, {haptic.get('threshold_cdeg', 0) / 100:.1f} deg, "
              f"debounce {haptic.get('debounce_ms', '?')} ms")
    if args.verbose:
        print(json.dumps(dev, indent=1))
    return EXIT_OK


def _patient_for_recording(store, patient_id: str | None) -> str:
    """The patient a recording is for: --patient (added to the store when new), else a new
    pseudonymous id; says which, so the id can be given next time."""
    if patient_id is None:
        patient_id = store.add_patient()
        print(f"no --patient given: created new patient {patient_id} "
              f"(record again with --patient {patient_id} to add to their sessions)")
    elif store.get_patient(patient_id) is None:
        store.add_patient(patient_id)
        print(f"new patient {patient_id} added to {store_place(store)}")
    return patient_id


def record(args: argparse.Namespace) -> int:
    """`hiplevel record`: stream a planned session into a recording, analyse and store it."""
    from bleak.exc import BleakError

    from hiplevel.capture import (PlannedSet, PromptPacer, ScriptPacer, analyse_into_store, calibration_state, capture,
                                  describe_link, recording_path)
    from hiplevel.cli.data_actions import print_rep_table
    from hiplevel.recording import RecordingWriter
    from hiplevel.cli.store_access import open_store
    from hiplevel.store import SessionMeta

    exercises = args.exercise or ["walking"]
    if args.set_seconds is not None and not args.set_seconds > 0:
        raise CliError(f"--set-seconds must be positive, got {args.set_seconds:g}", EXIT_USAGE)
    if args.sets < 1:
        raise CliError(f"--sets must be at least 1, got {args.sets}", EXIT_USAGE)
    plan = [PlannedSet(ex, 0) for ex in exercises for _ in range(args.sets)]
    plan = [PlannedSet(p.exercise, i) for i, p in enumerate(plan, 1)]
    started = time.monotonic()
    with open_store(args.data_dir, url=getattr(args, "store", None)) as store:
        patient = _patient_for_recording(store, args.patient)
        spec = default_virtual_patient(exercises, sets=args.sets, set_seconds=args.set_seconds) if args.virtual else None

        async def run() -> tuple[str, dict]:
            # The virtual patient runs as fast as MicroPython allows unless HIPLEVEL_VIRTUAL_SPEED paces it.
            speed = float(os.environ.get("HIPLEVEL_VIRTUAL_SPEED", "0")) if args.virtual else 1.0
            async with open_sensor(args, sim_spec=spec, speed=speed, hold_virtual=args.virtual) as sensor:
                state, date = calibration_state(sensor.info)
                meta = SessionMeta(patient_id=patient, device_id=sensor.name, firmware=sensor.firmware,
                                   calibration_state=state, calibration_date=date, battery_pct=sensor.battery_pct)
                session_id = store.start_session(meta)
                path = recording_path(store.data_dir, session_id)
                path.parent.mkdir(parents=True, exist_ok=True)
                store.set_recording_path(session_id, path)
                header = {"device": sensor.info, "firmware": sensor.firmware, "patient_id": patient,
                          "session_id": session_id, "calibration": {"state": state, "date": date}}
                pacer = (ScriptPacer(sensor.link, sensor.sim, say=print, device=sensor.virtual) if args.virtual
                         else PromptPacer(args.set_seconds or DEFAULT_SET_S))
                print(f"recording session {session_id} for patient {patient} on {sensor.name} -> {path}")
                with RecordingWriter(path, header=header) as writer:
                    counts = await capture(sensor, writer, plan, pacer, heartbeat=lambda: store.heartbeat(session_id),
                                           raw=args.raw or args.virtual)
                counts["path"] = path
                return session_id, counts

        try:
            session_id, counts = asyncio.run(run())
        except BleakError as exc:
            raise _ble_unavailable(exc) from exc
        status = "interrupted" if counts["interrupted"] else "complete"
        results, link_summary = analyse_into_store(store, session_id, counts["path"], status=status)
    print(f"link: {describe_link(link_summary)}")
    for i, res in enumerate(results, 1):
        print_rep_table(res.to_json(), title=f"set {i}: {res.exercise}", limit=10)
    print(f"\nstored session {session_id} ({len(results)} sets) in {store_place(store)} "
          f"in {time.monotonic() - started:.1f} s; `hiplevel report {session_id}` writes the clinician report.")
    if counts["interrupted"]:
        print(f"hiplevel record: the sensor was lost after {counts['sets_done']} of {len(plan)} sets; "
              "what arrived is saved and analysed, and the session is marked interrupted.")
        return EXIT_ERROR
    return EXIT_OK
