"""Opening the sensor for a live session through the CLI's shared `open_sensor`: BLE (default), USB
serial, or the virtual device with a simulated patient made for the chosen exercise (a weak left
side whose drops pass the cue threshold), at the speed $HIPLEVEL_VIRTUAL_SPEED says."""

from __future__ import annotations

import argparse
import math
import os
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from hiplevel.errors import HiplevelError
from hiplevel.link.base import Link

if TYPE_CHECKING:
    from hiplevel.sim import SessionSpec

# Session seconds per wall second of the virtual device; tests set it higher to keep runs short.
VIRTUAL_SPEED_ENV: Final[str] = "HIPLEVEL_VIRTUAL_SPEED"
VIRTUAL_SEED_ENV: Final[str] = "HIPLEVEL_VIRTUAL_SEED"
VIRTUAL_SPEED_MAX: Final[float] = 50.0  # docs/virtual-device.md: keep <= 50 when reconnecting
# Without --seconds the simulated patient exercises this long, s (simulating takes ~1/20 of it).
VIRTUAL_DEFAULT_S: Final[float] = 120.0
# Quiet standing at the start of the simulated session, s; the patient waits at its end for the
# screen's "Go!" (however long connecting and the tare take), then starts the exercise.
VIRTUAL_STANDING_S: Final[float] = 4.0
VIRTUAL_WAITS_AT_S: Final[float] = VIRTUAL_STANDING_S - 0.5
VIRTUAL_MARGIN_S: Final[float] = 5.0
# Exercises the simulated patient of `live --virtual` does (a side-lying clamshell has no standing to tare on).
LIVE_SIM_EXERCISES: Final[tuple[str, ...]] = ("walking", "band-walk", "single-leg-stance", "step-down",
                                               "single-leg-squat")
SIM_HOLD_S: Final[float] = 10.0
# The simulated patient's fault on weak-side reps: clearly beyond the cue threshold.
SIM_DROP_OVER_THRESHOLD_DEG: Final[float] = 3.0
SIM_WEAK_SIDE: Final = "left"


@dataclass
class OpenSensor:
    """An open link and what the live view shows about it. speed: session seconds per wall second
    (1 for a real sensor). rssi_dbm: signal when the link is BLE (from the advertisement)."""

    link: Link
    label: str
    speed: float = 1.0
    rssi_dbm: int | None = None
    virtual: Any = None  # the VirtualDevice, when --virtual
    battery_pct: int | None = None


def virtual_speed() -> float:
    """Speed of the virtual device from $HIPLEVEL_VIRTUAL_SPEED (default 1.0: real time)."""
    text = os.environ.get(VIRTUAL_SPEED_ENV, "1.0")
    try:
        speed = float(text)
    except ValueError:
        raise HiplevelError(f"{VIRTUAL_SPEED_ENV}={text!r} is not a number") from None
    if not 0.1 <= speed <= VIRTUAL_SPEED_MAX:
        raise HiplevelError(f"{VIRTUAL_SPEED_ENV} must be within 0.1..{VIRTUAL_SPEED_MAX}, got {speed}")
    return speed


def virtual_patient(exercise: str, seconds: float | None, threshold_deg: float, seed: int = 1) -> SessionSpec:
    """The simulated patient: quiet standing, then `exercise` with a weak left side whose drops
    pass `threshold_deg` (deg), for about `seconds` s (VIRTUAL_DEFAULT_S when None)."""
    from hiplevel.sim import ExerciseSpec, SessionSpec

    from hiplevel.cli.connect import SIM_HOLD_EXTRA_S, SIM_SECONDS_PER_REP

    if exercise not in LIVE_SIM_EXERCISES:
        raise HiplevelError(f"the simulated patient cannot do {exercise} yet; "
                            f"try one of {', '.join(LIVE_SIM_EXERCISES)}")
    per_rep = SIM_HOLD_S + SIM_HOLD_EXTRA_S if exercise == "single-leg-stance" else SIM_SECONDS_PER_REP[exercise]
    duration = (seconds if seconds is not None else VIRTUAL_DEFAULT_S) + VIRTUAL_MARGIN_S
    reps = max(2, math.ceil(duration / per_rep))
    extra = {"hold_s": SIM_HOLD_S} if exercise == "single-leg-stance" else {}
    ex = ExerciseSpec(exercise, reps=reps, weak_side=SIM_WEAK_SIDE,
                      drop_deg=max(8.0, threshold_deg + SIM_DROP_OVER_THRESHOLD_DEG), **extra)
    return SessionSpec([ex], seed=seed, standing_s=VIRTUAL_STANDING_S, rest_s=2.0)


async def open_live_sensor(stack: AsyncExitStack, args: argparse.Namespace, exercise: str,
                           seconds: float | None, threshold_deg: float) -> OpenSensor:
    """Open the sensor the CLI options name through the CLI's shared `open_sensor` (same search,
    names and error messages as every other command); --virtual gets a simulated patient doing
    `exercise` with drops beyond `threshold_deg`, at $HIPLEVEL_VIRTUAL_SPEED."""
    from hiplevel.cli.connect import open_sensor

    speed = virtual_speed() if args.virtual else 1.0
    spec = None
    if args.virtual:
        text = os.environ.get(VIRTUAL_SEED_ENV, "1")
        if not text.isdigit():
            raise HiplevelError(f"{VIRTUAL_SEED_ENV}={text!r} is not a whole number")
        seed = int(text)
        spec = virtual_patient(exercise, seconds, threshold_deg, seed)
    sensor = await stack.enter_async_context(
        open_sensor(args, sim_spec=spec, speed=speed, patient_waits_at_s=VIRTUAL_WAITS_AT_S if args.virtual else None,
                    hold_virtual=bool(args.virtual)))
    kind = "virtual" if args.virtual else ("USB" if args.port else "BLE")
    return OpenSensor(sensor.link, f"{kind} {sensor.name}", speed, getattr(sensor, "rssi_dbm", None),
                      sensor.virtual, sensor.battery_pct)
