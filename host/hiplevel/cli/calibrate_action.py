"""`hiplevel calibrate`: the guided calibration of one sensor (docs/calibration.md), on a real sensor
(BLE or --port) or on the virtual device (--virtual: the real firmware with a simulated person who
follows the procedure on a table, then clips the sensor on and walks).

Writes the versioned per-device file to --out, prints the residuals and a verdict, and with --push
stores it on the sensor (SET_CALIB), reads it back (GET_CALIB) and checks they agree.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, Final

import numpy as np

from hiplevel.calibration import CalibrationError, CalibrationFile
from hiplevel.cli.calibrate_device import CalibrationRun, DeviceStream, PromptPacer, ScriptPacer, calibrate_on
from hiplevel.cli.common import EXIT_ERROR, EXIT_OK, CliError

CALIBRATION_FOLDER: Final[str] = "calibration"  # per-device calibration files, in the data folder
VIRTUAL_SEED: Final[int] = 11
VIRTUAL_MTU: Final[int] = 185  # raw mode needs an ATT MTU of at least 27
# The simulated person's script leaves the host a fixed stretch of device time to push the
# calibration; the device waits while this far ahead of the host, so a loaded machine cannot
# make it too late.
VIRTUAL_LEAD_S: Final[float] = 2.0
MAX_CHECK_ERROR_MG: Final[float] = 15.0  # docs/calibration.md: accept the accelerometer fit
STILL_ROLL_TOL_DEG: Final[float] = 0.5  # docs/calibration.md: roll when still after calibration
CHECK_SETTLE_S: Final[float] = 1.0  # start of each check posture left out (fusion catching up)


def calibrate(args: argparse.Namespace) -> int:
    """`hiplevel calibrate`: run the procedure, write the file, print residuals and a verdict."""
    from bleak.exc import BleakError

    try:
        run, checks = asyncio.run(_calibrate(args))
    except (BleakError, OSError) as exc:
        if args.virtual or args.port or not isinstance(exc, (BleakError, FileNotFoundError, PermissionError)):
            raise
        from hiplevel.cli.device_actions import _ble_unavailable

        # No BlueZ/D-Bus socket shows up as FileNotFoundError from the BLE stack.
        raise _ble_unavailable(exc) from exc
    except CalibrationError as exc:
        raise CliError(f"calibration not completed: {exc}", EXIT_ERROR) from exc
    cal = run.calibration
    path = output_path(args.out, cal, args.data_dir)
    cal.write(path)
    print()
    print_summary(cal)
    verdict_ok, verdict = judge(cal)
    print(verdict)
    if run.device_back is not None:
        print(f"pushed to {run.device_id} and read back: the sensor holds calibration {run.device_back.calib_id}, "
              "identical to the file.")
    else:
        print("not pushed (the sensor keeps its previous calibration); `--push` stores it on the sensor.")
    if checks:
        print_checks(checks)
    print(f"calibration file: {path}")
    return EXIT_OK if verdict_ok else EXIT_ERROR


async def _calibrate(args: argparse.Namespace) -> tuple[CalibrationRun, list[dict[str, float]]]:
    from hiplevel.cli.connect import open_sensor

    async with AsyncExitStack() as stack:
        if args.virtual:
            from hiplevel.cli.connect import virtual_flash_dir

            sensor = await open_virtual_calibration(stack, speed=0.0, firmware_state_dir=virtual_flash_dir(args.data_dir))
            pacer: Any = ScriptPacer(sensor.sim)
            print(f"virtual sensor {sensor.name}: a simulated person follows the prompts (script of "
                  f"{sensor.sim.duration_s:.0f} s, device seed {sensor.sim.spec.seed}).")
        else:
            sensor = await stack.enter_async_context(open_sensor(args))
            pacer = PromptPacer()
            print(f"connected to {sensor.name}. Calibration takes about 3 minutes: a table, then the belt.")
        run = await calibrate_on(sensor, pacer, say=print, push=args.push)
        checks: list[dict[str, float]] = []
        if args.virtual:
            print_truth_comparison(run.calibration, sensor.sim)
            if args.push and run.stream is not None:
                checks = await still_roll_checks(run.stream, sensor.sim)
        return run, checks


async def open_virtual_calibration(stack: AsyncExitStack, speed: float = 0.0, script: Any = None,
                                   firmware_state_dir: Path | None = None) -> Any:
    """Start the virtual device on a simulated calibration (default: seed VIRTUAL_SEED) and
    connect over virtual BLE; returns the connected `Sensor` with `.sim` = the script."""
    from hiplevel.cli.connect import VIRTUAL_TIMEOUT_S, _open_ble
    from hiplevel.sim.calibration_script import CalibrationScriptSpec, simulate_calibration
    from hiplevel.virtual.backend import VirtualClient, VirtualScanner
    from hiplevel.virtual.process import VirtualDevice, VirtualDeviceConfig

    script = script or simulate_calibration(CalibrationScriptSpec(seed=VIRTUAL_SEED))
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hiplevel-calibrate-")))
    chip = script.write_chip_stream(tmp / "calibration.chip")
    device = VirtualDevice(VirtualDeviceConfig(chip_stream=chip, speed=speed, firmware_state_dir=firmware_state_dir,
                                               lead_limit_s=VIRTUAL_LEAD_S))
    await stack.enter_async_context(device)
    sensor = await _open_ble(stack, None, VIRTUAL_TIMEOUT_S, VirtualScanner, VirtualClient, VIRTUAL_MTU)
    sensor.virtual, sensor.sim = device, script
    return sensor


def output_path(out: Path | None, cal: CalibrationFile, data_dir: Path | None = None) -> Path:
    """--out as given when it names a .json file, else <dir>/<device>_<time>.json; without --out
    the data folder's calibration/ (`data_dir`, default the user's)."""
    from hiplevel.paths import default_data_dir

    if out is None:
        out = Path(data_dir if data_dir is not None else default_data_dir()) / CALIBRATION_FOLDER
    out = Path(out)
    return out if out.suffix == ".json" and not out.is_dir() else out / cal.file_name()


def judge(cal: CalibrationFile) -> tuple[bool, str]:
    """(good, sentence): the accelerometer check error against its limit, the gyro noise at rest."""
    check = cal.accel.check_error_mg
    problems = []
    if check is not None and not check <= MAX_CHECK_ERROR_MG:
        problems.append(f"check error {check:.1f} mg RMS is over {MAX_CHECK_ERROR_MG:g} mg")
    noise = max(cal.gyro.noise_dps or (0.0,))
    if noise > 0.5:
        problems.append(f"gyro noise {noise:.2f} deg/s at rest is over 0.5 deg/s")
    if problems:
        return False, "VERDICT: not good enough, " + "; ".join(problems) + ". Calibrate again."
    figure = f"check error {check:.1f} mg RMS (limit {MAX_CHECK_ERROR_MG:g})" if check is not None else "no check poses"
    return True, f"VERDICT: good: {figure}, gyro noise {noise:.3f} deg/s."


def print_summary(cal: CalibrationFile) -> None:
    """The values and residuals, in words and units."""
    g, a, al = cal.gyro, cal.accel, cal.alignment
    print(f"calibration of {cal.device_id} at {cal.calib_id}, IMU at "
          + (f"{cal.temperature_c:.1f} C" if cal.temperature_c is not None else "unknown temperature"))
    print("  gyro bias:     " + "  ".join(f"{v:+.3f}" for v in g.bias_dps) + " deg/s (chip x y z)")
    print("  accel offset:  " + "  ".join(f"{v * 1000:+.1f}" for v in a.offset_g) + " mg")
    print("  accel scale:   " + "  ".join(f"{(v - 1) * 100:+.2f}" for v in a.scale) + " % (sensitivity error)")
    if a.residuals_mg and a.poses:
        pairs = ", ".join(f"{p} {r:+.1f}" for p, r in zip(a.poses, a.residuals_mg))
        print(f"  residuals:     {pairs} mg (|a| - 1 g)")
    if al.method != "none":
        print(f"  alignment:     clip {al.tilt_deg:.1f} deg from upright, turned {al.heading_deg:+.1f} deg, "
              f"walk ratio {al.anisotropy:.1f}")


def print_truth_comparison(cal: CalibrationFile, script: Any) -> None:
    """Virtual device: how close the calibration came to the simulated chip's errors."""
    print("virtual device, against the simulated chip: " + ", ".join(
        f"{k} {v:.3g} {u}" for k, (v, u) in truth_errors(cal, script).items()))


def truth_errors(cal: CalibrationFile, script: Any) -> dict[str, tuple[float, str]]:
    """Largest error of each quantity against the script's truth (chip frame; alignment as the
    angle between the found and the true body frame)."""
    from hiplevel.sim.calibration_script import calibration_truth

    truth = calibration_truth(script)
    rel = np.asarray(cal.alignment.matrix) @ truth.align.T
    angle = float(np.degrees(np.arccos(np.clip((np.trace(rel) - 1.0) / 2.0, -1.0, 1.0))))
    return {
        "gyro bias": (float(np.abs(np.subtract(cal.gyro.bias_dps, truth.gyro_bias_dps)).max()), "deg/s"),
        "accel offset": (float(np.abs(np.subtract(cal.accel.offset_g, truth.accel_offset_g)).max()) * 1000, "mg"),
        "accel scale": (float(np.abs(np.subtract(cal.accel.scale, truth.accel_scale)).max()) * 100, "%"),
        "body axes": (angle, "deg"),
    }


async def still_roll_checks(stream: DeviceStream, script: Any) -> list[dict[str, float]]:
    """Virtual device after the push: the device's roll and pitch over each still check posture
    of the script against the simulated pelvis (relative to the calibration's standing posture)."""
    out = []
    truth = script.truth_1k
    for w in script.checks():
        await stream.wait_until(w.end_s * 1e6)
        t, roll, pitch = stream.roll_between(w.start_s + CHECK_SETTLE_S, w.end_s)
        if not len(t):
            raise CalibrationError(f"no roll samples during {w.key} (the calibration came too late?)")
        true_roll = np.interp(t, truth.t_s, truth.roll_deg) - script.standing_roll_deg
        true_pitch = np.interp(t, truth.t_s, truth.pitch_deg) - script.standing_pitch_deg
        out.append({"start_s": w.start_s, "roll_deg": float(np.mean(roll)), "true_roll_deg": float(np.mean(true_roll)),
                    "roll_error_deg": float(np.mean(roll - true_roll)),
                    "roll_rms_deg": float(np.sqrt(np.mean((roll - true_roll) ** 2))),
                    "pitch_error_deg": float(np.mean(pitch - true_pitch)),
                    "true_pitch_deg": float(np.mean(true_pitch))})
    return out


def print_checks(checks: list[dict[str, float]]) -> None:
    """One line per still posture: device roll against the simulated truth."""
    for i, c in enumerate(checks, 1):
        ok = "ok" if abs(c["roll_error_deg"]) <= STILL_ROLL_TOL_DEG else "OFF"
        print(f"  still posture {i} (pelvis roll {c['true_roll_deg']:+.1f} deg, pitch {c['true_pitch_deg']:+.1f} deg): "
              f"the sensor reads roll {c['roll_deg']:+.2f} deg, {c['roll_error_deg']:+.2f} deg from the truth "
              f"(limit {STILL_ROLL_TOL_DEG:g}): {ok}")
