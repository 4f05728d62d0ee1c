"""Measure `hiplevel calibrate` end to end on the virtual device over several simulated devices
(run by hand, about 5 s per device; figures go in docs/calibration.md):
    .venv/bin/python tests/calibration/measure_virtual.py [n_devices]

Each device: its own sensor errors (drawn from the seed), a belt clip off by up to +-10 deg on each
axis, the default script (16 steps at 110 steps/min, 8 s recorded), then still postures: level,
left side 4 deg up, 25 and 30 deg hip hinges, and a 30 deg hinge with the right side 4 deg down.
Reports the device's own roll (DATA_ROLL after the push) against the simulated pelvis."""

from __future__ import annotations

import asyncio
import sys
from contextlib import AsyncExitStack

import numpy as np

from hiplevel.cli.calibrate_action import open_virtual_calibration, still_roll_checks, truth_errors
from hiplevel.cli.calibrate_device import ScriptPacer, calibrate_on
from hiplevel.sim.calibration_script import CalibrationScriptSpec, calibration_truth, simulate_calibration

CHECKS = ((0.0, 0.0, 6.0), (4.0, 0.0, 6.0), (0.0, 25.0, 6.0), (0.0, 30.0, 6.0), (-4.0, 30.0, 6.0))
NAMES = ("level", "left +4", "hinge 25", "hinge 30", "hinge 30, right -4")


def heading_error_deg(align: np.ndarray, true_align: np.ndarray) -> float:
    """Angle of the found forward axis from the true one about the true vertical, deg."""
    f = np.asarray(align)[0]
    return float(np.degrees(np.arctan2(f @ true_align[1], f @ true_align[0])))


async def one_device(seed: int) -> tuple[float, float, list[float]]:
    """(heading error deg, body-axes angle deg, roll error per check posture deg) of one device."""
    rng = np.random.default_rng([seed, 7])
    offset = tuple(float(v) for v in rng.uniform(-10.0, 10.0, 3))
    script = simulate_calibration(CalibrationScriptSpec(seed=seed, mount_offset_deg=offset, checks=CHECKS))
    async with AsyncExitStack() as stack:
        sensor = await open_virtual_calibration(stack, speed=0.0, script=script)
        run = await calibrate_on(sensor, ScriptPacer(script), say=lambda _text: None, push=True)
        checks = await still_roll_checks(run.stream, script)
    cal = run.calibration
    truth = calibration_truth(script)
    heading = heading_error_deg(np.asarray(cal.alignment.matrix), truth.align)
    return heading, truth_errors(cal, script)["body axes"][0], [c["roll_error_deg"] for c in checks]


def main(n: int) -> None:
    rows = []
    for seed in range(1, n + 1):
        heading, axes, rolls = asyncio.run(one_device(seed))
        rows.append([heading, axes, *rolls])
        print(f"device {seed}: heading {heading:+.2f} deg, axes {axes:.2f} deg, roll errors "
              + " ".join(f"{r:+.2f}" for r in rolls), flush=True)
    r = np.abs(np.array(rows))
    print(f"\n{n} virtual devices, |error|: median / max")
    for i, name in enumerate(("heading deg", "body axes deg", *(f"roll {x} deg" for x in NAMES))):
        print(f"  {name:28s} {np.median(r[:, i]):.2f} / {r[:, i].max():.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
