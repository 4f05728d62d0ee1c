"""What the soak runs: the chip stream of an hour of exercise and a seeded plan of faults.

Every fault time is in virtual seconds (the device's clock) except the host pauses, which stop the
host process for a wall-clock duration while the device runs on.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
from hiplevel.sim.chip_stream import CHIP_HEADER, CHIP_MAGIC, CHIP_RECORD_DTYPE, chip_records
from hiplevel.sim.motion import FS_INTERNAL_HZ
from hiplevel.virtual.faults import AirFaults

# The soak's session: blocks of walking, single-leg stance and band walks with rests, each
# simulated with its own seed and joined end to end until the hour is full.
_BLOCKS = (
    ExerciseSpec("walking", reps=120, weak_side="left", turn_every_steps=20),
    ExerciseSpec("single-leg-stance", reps=2, hold_s=30.0, weak_side="left"),
    ExerciseSpec("band-walk", reps=16, weak_side="left"),
)
DISCONNECT_MIN_S, DISCONNECT_MAX_S = 0.1, 30.0
RECOVERY_S = 10.0  # after each disconnect, before the next one


@dataclass(frozen=True)
class SoakFaults:
    """One run's faults. air: host-side radio faults (drops, corruption, link losses).
    device_link_loss_s: (start, duration) the device loses the central (device-side disconnect).
    i2c_fail_s: (start, end) the IMU bus fails. host_pauses: (at, duration) the host process
    stops (the device runs on: at speed S a pause of d virtual s stops the host d / S wall s).
    clock_jumps: (at, step s) the host's receive clock steps."""

    air: AirFaults
    device_link_loss_s: tuple[tuple[float, float], ...] = ()
    i2c_fail_s: tuple[tuple[float, float], ...] = ()
    host_pauses: tuple[tuple[float, float], ...] = ()
    clock_jumps: tuple[tuple[float, float], ...] = ()

    def disconnects_s(self) -> list[float]:
        """Durations of every disconnect, host- and device-side, s."""
        return sorted([d for _, d in self.air.link_loss_s] + [d for _, d in self.device_link_loss_s])

    def describe(self) -> str:
        """One line on what is injected."""
        d = self.disconnects_s()
        span = f"{min(d):.1f}-{max(d):.1f} s" if d else "none"
        return (f"{100 * self.air.drop_notify_probability:.0f} % drops, {100 * self.air.corrupt_probability:.0f} % "
                f"corrupted, {len(d)} disconnects ({span}), {len(self.i2c_fail_s)} I2C faults, "
                f"{len(self.host_pauses)} host pauses, {len(self.clock_jumps)} host clock jumps")


def _spread(rng: random.Random, n: int, start_s: float, end_s: float) -> list[float]:
    """n times, one drawn in each of n equal slices of [start_s, end_s) (spread, not clumped)."""
    width = (end_s - start_s) / n
    return [start_s + (i + rng.random()) * width for i in range(n)]


def plan_faults(duration_s: float, seed: int, *, drop_probability: float = 0.02,
                corrupt_probability: float = 0.01, disconnects: int | None = None,
                i2c_faults: int | None = None, pauses_s: tuple[float, ...] = (3.0, 15.0)) -> SoakFaults:
    """A seeded fault plan over `duration_s` virtual seconds of streaming (starting at 0 s of the
    stream). Scales with the duration: about one disconnect every 4 min (two of them the extremes
    0.1 s and 30 s, the second one longer than the device's ring buffer), an I2C fault every 6 min,
    a host pause of each of `pauses_s` and two host clock jumps (+10 min, -30 s)."""
    rng = random.Random(seed)
    margin = min(60.0, duration_s / 10)  # faults start after the stream is up and end before STOP
    lo, hi = margin, duration_s - margin - DISCONNECT_MAX_S
    n_disc = disconnects if disconnects is not None else max(3, round(duration_s / 240))
    durations = [DISCONNECT_MIN_S, DISCONNECT_MAX_S] + [
        math.exp(rng.uniform(math.log(DISCONNECT_MIN_S), math.log(DISCONNECT_MAX_S))) for _ in range(n_disc - 2)]
    rng.shuffle(durations)
    # One at a time, each followed by RECOVERY_S for the reconnect: two that overlapped would
    # show as one drop. The free time is shared out at random between them.
    busy = sum(d + RECOVERY_S for d in durations)
    free = max(0.0, duration_s - 2 * margin - busy)
    cuts = sorted(rng.uniform(0.0, free) for _ in range(n_disc))
    starts, t_busy = [], margin
    for cut, d in zip(cuts, durations):
        starts.append(t_busy + cut)
        t_busy += d + RECOVERY_S
    # A third of the disconnects are seen first by the device (its supervision timeout), the rest
    # by the host's radio.
    host_side, device_side = [], []
    for i, (t, d) in enumerate(zip(starts, durations)):
        (device_side if i % 3 == 2 else host_side).append((round(t, 3), round(d, 3)))
    n_i2c = i2c_faults if i2c_faults is not None else max(2, round(duration_s / 360))
    i2c = [(round(t, 3), round(t + rng.uniform(0.05, 2.0), 3)) for t in _spread(rng, n_i2c, lo, hi)]
    pauses = [(round(t, 3), d) for t, d in zip(_spread(rng, len(pauses_s), lo, hi), pauses_s)]
    jumps = [(round(t, 3), step) for t, step in zip(_spread(rng, 2, lo, hi), (600.0, -30.0))]
    air = AirFaults(drop_notify_probability=drop_probability, corrupt_probability=corrupt_probability,
                    link_loss_s=tuple(host_side), seed=seed)
    return SoakFaults(air, tuple(device_side), tuple(i2c), tuple(pauses), tuple(jumps))


def write_soak_chip_stream(path: Path, duration_s: float, seed: int) -> Path:
    """A chip stream of at least `duration_s` s: the soak's exercise blocks, simulated with seeds
    from `seed` on and joined end to end (docs/virtual-device.md)."""
    parts: list[np.ndarray] = []
    total = 0
    k = 0
    while total < duration_s * FS_INTERNAL_HZ:
        block = _BLOCKS[k % len(_BLOCKS)]
        sim = simulate_session(SessionSpec([block], seed=seed + k, standing_s=6.0, rest_s=20.0))
        rec = chip_records(sim)
        parts.append(rec)
        total += len(rec)
        k += 1
    records = np.concatenate(parts)
    with path.open("wb") as fh:
        fh.write(CHIP_HEADER.pack(CHIP_MAGIC, int(FS_INTERNAL_HZ), len(records)))
        fh.write(records.astype(CHIP_RECORD_DTYPE).tobytes())
    return path
