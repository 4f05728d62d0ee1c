"""Sample series passed between layers: the one shape every source (live, replay, CSV, simulator)
is turned into before signal processing."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ImuSeries:
    """6-axis IMU samples in the body frame (x forward, y left, z up).

    t_s: (N,) sample times, seconds, increasing (jitter allowed; the analysis repairs times that are
        not, `hiplevel.signal.timeline.repair_times`, and splits them at gaps).
    acc_g: (N, 3) specific force, g (at rest upright ~ [0, 0, +1]).
    gyro_dps: (N, 3) angular rate, deg/s.
    meta: what the source knows. Keys the analysis reads: `units` ({"acc", "gyro", "columns"} as the
        file declared them, for the units check's message) and `breaks` (indices where a reader
        found a clock jump: the analysis restarts there). Readers add `warnings` and `repairs`.
    """

    t_s: np.ndarray
    acc_g: np.ndarray
    gyro_dps: np.ndarray
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.t_s)
        if self.acc_g.shape != (n, 3) or self.gyro_dps.shape != (n, 3):
            raise ValueError(
                f"ImuSeries shapes disagree: t {self.t_s.shape}, acc {self.acc_g.shape}, gyro {self.gyro_dps.shape}"
            )

    @property
    def sample_rate_hz(self) -> float:
        """Median sample rate, Hz."""
        if len(self.t_s) < 2:
            return float("nan")
        return float(1.0 / np.median(np.diff(self.t_s)))

    def __len__(self) -> int:
        return len(self.t_s)


@dataclass(frozen=True)
class RollSeries:
    """Device-fused orientation samples: roll and pitch, degrees (roll + = left side higher,
    pitch + = front of pelvis down). NaN-free: lost sample slots are absent, and decoders list them
    in `meta["gaps"]` as (first_seq, count)."""

    t_s: np.ndarray
    roll_deg: np.ndarray
    pitch_deg: np.ndarray
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.t_s)
