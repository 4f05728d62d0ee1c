"""The guided calibration against an open sensor (docs/calibration.md, "Firmware calibration JSON"):
push the identity calibration, stream DATA_RAW, feed each step's samples (mapped back to the chip
frame) to `CalibrationProcedure`, then optionally SET_CALIB / GET_CALIB and switch to roll.

Pacing is a separate object: `PromptPacer` waits for Enter from the person at the table and counts
down while recording; `ScriptPacer` follows the virtual device's simulated person, whose script
gives every try's device time, so an unattended run takes seconds.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Final, Protocol

import numpy as np

from hiplevel.calibration import (
    CalibrationError,
    CalibrationFile,
    CalibrationProcedure,
    ProcedureSettings,
    SampleBlock,
    Step,
    StepOutcome,
    chip_from_mounted,
    from_firmware_json,
    identity_firmware_json,
    to_firmware_json,
)
from hiplevel.calibration.mounting import MOUNT_PRESETS
from hiplevel.protocol import (
    Cmd,
    DataPacket,
    Flags,
    PacketType,
    StatusPacket,
    StreamMode,
    acc_counts_to_g,
    cdeg_to_deg,
    gyro_counts_to_dps,
    set_mode_payload,
)
from hiplevel.link.stream import StreamAssembler
from hiplevel.link.stream import SampleBlock as WireBlock

MAX_ATTEMPTS: Final[int] = 3  # tries per step before giving up
MAX_TABLE_RESTARTS: Final[int] = 2  # the procedure restarts the table poses when the checks disagree
COMMAND_TIMEOUT_S: Final[float] = 10.0  # SET_CALIB writes flash; a JSON reply comes in chunks
READBACK_TOL: Final[float] = 2e-6  # the firmware JSON carries 6 decimals
POLL_S: Final[float] = 0.01
US_PER_S: Final[float] = 1e6

Say = Callable[[str], None]


class DeviceStream:
    """Consumes the link's packets in a task: raw samples (mounted frame), roll samples and STATUS
    temperatures, each on the device clock (unwrapped microseconds)."""

    def __init__(self, link: Any) -> None:
        self.link = link
        self._asm = StreamAssembler(max_hold_slots=0)  # no resends wait: a gap is just fewer samples
        self._raw: list[tuple[np.ndarray, np.ndarray]] = []  # (t_us, (n, 6) acc g + gyro deg/s)
        self._roll: list[tuple[np.ndarray, np.ndarray]] = []  # (t_us, (n, 2) roll, pitch deg)
        self._temps: list[tuple[int, float]] = []  # (newest sample t_us at arrival, deg C)
        #: (device time of a block's first sample, us; its kind; CALIBRATED flag), in order
        self.flags: list[tuple[int, PacketType, bool]] = []
        self.newest_us: int = -1
        self.ended = False
        self._task: asyncio.Task[None] | None = None  # held so the consumer task is not collected

    def start(self) -> DeviceStream:
        self._task = asyncio.create_task(self._consume())
        return self

    async def _consume(self) -> None:
        from hiplevel.link.base import data_packets

        try:
            async for _rx, pkt in data_packets(self.link):
                if isinstance(pkt, StatusPacket):
                    self._temps.append((self.newest_us, pkt.temp_c))
                elif isinstance(pkt, DataPacket):
                    for item in self._asm.push(pkt):
                        if isinstance(item, WireBlock):
                            self._add(item)
        finally:
            self.ended = True

    def _add(self, b: WireBlock) -> None:
        t = b.times_us()
        self.flags.append((int(t[0]), b.kind, bool(b.flags & Flags.CALIBRATED)))
        if b.kind == PacketType.DATA_RAW:
            s = b.samples.astype(np.float64)
            self._raw.append((t, np.hstack([acc_counts_to_g(s[:, 0:3]), gyro_counts_to_dps(s[:, 3:6])])))
        elif b.kind == PacketType.DATA_ROLL:
            self._roll.append((t, cdeg_to_deg(b.samples)))
        self.newest_us = int(t[-1])

    async def wait_until(self, t_us: float, tick: Callable[[float], None] | None = None) -> None:
        """Until a sample at or after device time t_us has arrived; tick(seconds left) once per
        device second. CalibrationError if the stream ends first."""
        shown = math.inf
        while self.newest_us < t_us:
            if self.ended:
                raise CalibrationError("the sensor stopped streaming (disconnected?); start the calibration again")
            left = math.ceil((t_us - max(self.newest_us, 0)) / US_PER_S)
            if tick is not None and left < shown:
                shown = left
                tick(left)
            await asyncio.sleep(POLL_S)

    @staticmethod
    def _between(parts: list[tuple[np.ndarray, np.ndarray]], t0_us: float,
                 t1_us: float) -> tuple[np.ndarray, np.ndarray]:
        t = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        v = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, 1))
        keep = (t >= t0_us) & (t < t1_us)
        return t[keep], v[keep]

    def raw_block(self, t0_us: float, t1_us: float, mount: str, rate_hz: float) -> SampleBlock:
        """Raw samples received for device times [t0_us, t1_us), back in the chip frame, with the
        mean STATUS temperature of that time (None when no STATUS came)."""
        _, v = self._between(self._raw, t0_us, t1_us)
        v = v.reshape(-1, 6)
        temps = [c for t, c in self._temps if t0_us <= t < t1_us + US_PER_S]
        temp = float(np.mean(temps)) if temps else None
        return SampleBlock(chip_from_mounted(v[:, 0:3], mount), chip_from_mounted(v[:, 3:6], mount), rate_hz, temp)

    def roll_between(self, t0_s: float, t1_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(t_s, roll_deg, pitch_deg) of the roll-mode samples received for [t0_s, t1_s)."""
        t, v = self._between(self._roll, t0_s * US_PER_S, t1_s * US_PER_S)
        v = v.reshape(-1, 2)
        return t / US_PER_S, v[:, 0], v[:, 1]

    @property
    def first_roll_s(self) -> float | None:
        """Device time of the first roll-mode sample, s."""
        return float(self._roll[0][0][0]) / US_PER_S if self._roll else None


class Pacer(Protocol):
    """Decides when a step's recording happens: returns its device-time window, us."""

    async def window(self, step: Step, stream: DeviceStream, say: Say) -> tuple[float, float]: ...


class PromptPacer:
    """A person at the table: Enter when ready, then a countdown while the step records.

    ready: awaited before each recording; default: the Enter key on stdin (EOF counts as Enter). It
    returns None (ready now: the recording starts at the newest sample) or the device time, us, at
    which the person was ready (a scripted person on a virtual device that runs ahead of the host)."""

    def __init__(self, ready: Callable[[Step, DeviceStream], Awaitable[float | None]] | None = None) -> None:
        self.ready = ready or _enter_pressed

    async def window(self, step: Step, stream: DeviceStream, say: Say) -> tuple[float, float]:
        say("Press Enter when ready.")
        ready_us = await self.ready(step, stream)
        t0 = float(stream.newest_us if ready_us is None else ready_us)
        t1 = t0 + step.duration_s * US_PER_S
        await stream.wait_until(t1, _countdown(step))
        _write(" done.\n")
        return t0, t1


async def _enter_pressed(step: Step, stream: DeviceStream) -> None:
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return None


class ScriptPacer:
    """The virtual device's simulated person (hiplevel.sim.calibration_script): each prompt takes
    the script's next try of that step; its device time sets the window."""

    def __init__(self, script: Any) -> None:
        self.tries = list(script.tries())

    async def window(self, step: Step, stream: DeviceStream, say: Say) -> tuple[float, float]:
        if not self.tries:
            raise CalibrationError(f"the simulated person has no more tries left for step '{step.key}'")
        w = self.tries.pop(0)
        if w.key != step.key:
            raise CalibrationError(f"the simulated person does '{w.key}' while the procedure asks for '{step.key}'")
        say("(simulated person: ready" + (", but bumps the sensor while it records)" if w.moving else ")"))
        t0 = w.start_s * US_PER_S
        t1 = t0 + step.duration_s * US_PER_S
        if t1 > w.end_s * US_PER_S + 1:
            raise CalibrationError(f"the script holds '{w.key}' for less than the {step.duration_s:g} s asked")
        await stream.wait_until(t0)  # the person getting the pose ready
        await stream.wait_until(t1, _countdown(step))
        _write(" done.\n")
        return t0, t1


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _countdown(step: Step) -> Callable[[float], None]:
    """One line while recording: "Recording, keep still: 4 3 2 1" (then " done.")."""
    first = [True]
    what = "Walk now" if step.kind == "walking" else "Recording, keep still"

    def tick(left: float) -> None:
        _write(f"{what}: {left:.0f}" if first[0] else f" {left:.0f}")
        first[0] = False

    return tick


@dataclass
class CalibrationRun:
    """What `calibrate_on` produced: the calibration, every step outcome (rejections too), the
    device's read-back when pushed, and the stream, still running, for a check afterwards."""

    calibration: CalibrationFile
    outcomes: list[StepOutcome] = field(default_factory=list)
    device_back: CalibrationFile | None = None
    stream: DeviceStream | None = None
    device_id: str = ""


def step_message(outcome: StepOutcome, block: SampleBlock) -> str:
    """"OK: still, 1.000 g. <details>" or "Not accepted: <reason>" for the person."""
    if not outcome.accepted:
        return f"Not accepted: {outcome.message}"
    acc = np.asarray(block.acc_g)
    if outcome.step.kind in ("gyro", "face", "tilted") and len(acc):
        return f"OK: still, {float(np.linalg.norm(acc.mean(axis=0))):.3f} g. {outcome.message}"
    return f"OK: {outcome.message}"


async def calibrate_on(sensor: Any, pacer: Pacer, say: Say = print, push: bool = False,
                       settings: ProcedureSettings | None = None, now_utc: datetime | None = None) -> CalibrationRun:
    """Run the whole guided calibration on an open sensor; raises CalibrationError when a step
    fails MAX_ATTEMPTS times. The device's previous calibration is put back unless `push`; with
    `push` the new one is sent, read back and compared, and the stream switches to roll mode."""
    link = sensor.link
    info = sensor.info or json.loads(bytes((await link.request(Cmd.GET_INFO, timeout_s=COMMAND_TIMEOUT_S)).payload))
    device_id = str(info.get("device_id") or sensor.name)
    mount = str(info.get("mount") or "standard")
    if mount not in MOUNT_PRESETS:
        raise CalibrationError(f"the sensor reports mount {mount!r}, not a preset; set a preset mount first")
    rate_hz = float(info.get("rate_hz") or 100)
    settings = settings or ProcedureSettings(mount=mount)
    previous = json.loads(bytes((await link.request(Cmd.GET_CALIB, timeout_s=COMMAND_TIMEOUT_S)).payload))
    await _set_calib(link, identity_firmware_json(device_id, mount))
    stream = DeviceStream(link).start()
    pushed = False
    try:
        await link.request(Cmd.SET_MODE, set_mode_payload(StreamMode.RAW), timeout_s=COMMAND_TIMEOUT_S)
        await link.request(Cmd.START, timeout_s=COMMAND_TIMEOUT_S)
        proc = CalibrationProcedure(device_id, settings)
        outcomes = await _run_steps(proc, stream, pacer, say, mount, rate_hz)
        cal = proc.result(now_utc or datetime.now(timezone.utc).replace(microsecond=0))
        run = CalibrationRun(cal, outcomes, stream=stream, device_id=device_id)
        if push:
            run.device_back = await push_calibration(link, cal)
            pushed = True
            await link.request(Cmd.SET_MODE, set_mode_payload(StreamMode.ROLL), timeout_s=COMMAND_TIMEOUT_S)
        return run
    finally:
        if not pushed and not link.ended:
            await _set_calib(link, previous)  # leave the sensor as it was found


async def _run_steps(proc: CalibrationProcedure, stream: DeviceStream, pacer: Pacer, say: Say, mount: str,
                     rate_hz: float) -> list[StepOutcome]:
    outcomes: list[StepOutcome] = []
    tries: dict[str, int] = {}
    restarts = 0
    while not proc.done:
        step = proc.current
        assert step is not None
        tries[step.key] = tries.get(step.key, 0) + 1
        say(f"\nStep {step.number}/{step.total} ({step.key}), try {tries[step.key]}/{MAX_ATTEMPTS}: {step.prompt}")
        t0, t1 = await pacer.window(step, stream, say)
        block = stream.raw_block(t0, t1, mount, rate_hz)
        outcome = proc.submit(block)
        outcomes.append(outcome)
        say(step_message(outcome, block))
        if outcome.accepted:
            continue
        if proc.current is not None and proc.current.key != step.key:  # the table poses start over
            restarts += 1
            if restarts > MAX_TABLE_RESTARTS:
                raise CalibrationError(f"the table poses disagreed {restarts} times: {outcome.message}")
            tries = {k: n for k, n in tries.items() if k == "gyro"}
        elif tries[step.key] >= MAX_ATTEMPTS:
            raise CalibrationError(f"step '{step.key}' was not accepted in {MAX_ATTEMPTS} tries: {outcome.message}")
        else:
            say("Let's try that step again.")
    return outcomes


async def _set_calib(link: Any, doc: dict[str, Any]) -> None:
    await link.request(Cmd.SET_CALIB, json.dumps(doc).encode("utf-8"), timeout_s=COMMAND_TIMEOUT_S)


async def push_calibration(link: Any, cal: CalibrationFile) -> CalibrationFile:
    """SET_CALIB the calibration, GET_CALIB it back and check every field agrees; returns what the
    device holds. CalibrationError when it differs."""
    sent = to_firmware_json(cal)
    await _set_calib(link, sent)
    back = json.loads(bytes((await link.request(Cmd.GET_CALIB, timeout_s=COMMAND_TIMEOUT_S)).payload))
    diffs = firmware_json_differences(sent, back)
    if diffs:
        raise CalibrationError("the sensor holds a different calibration than was sent: " + "; ".join(diffs))
    return from_firmware_json(back, cal.device_id)


def firmware_json_differences(sent: dict[str, Any], back: dict[str, Any]) -> list[str]:
    """Fields of the sent firmware JSON that the device's copy does not reproduce (numbers within
    READBACK_TOL; fields the device adds are ignored)."""
    out = []
    for key, want in sent.items():
        got = back.get(key)
        if isinstance(want, list) and want and isinstance(want[0], (int, float, list)):
            a, b = np.asarray(want, dtype=float), np.asarray(got if got is not None else np.nan, dtype=float)
            if a.shape != b.shape or not np.allclose(a, b, rtol=0.0, atol=READBACK_TOL):
                out.append(f"{key}: sent {want}, got {got}")
        elif isinstance(want, float):
            if not isinstance(got, (int, float)) or abs(got - want) > READBACK_TOL * max(1.0, abs(want)):
                out.append(f"{key}: sent {want}, got {got}")
        elif got != want:
            out.append(f"{key}: sent {want!r}, got {got!r}")
    return out
