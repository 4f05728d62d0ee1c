"""Sensor-to-pelvis alignment: a rotation body <- sensor from quiet standing and a few steps.

Input is in the *mounted* frame: calibrated chip-frame data mapped through the mounting preset,
i.e. the body frame as it would be if the clip sat exactly as drawn in hardware/mounting.md.
- Static: during quiet standing the mean specific force points up, so it gives body +z.
- Functional: walking straight ahead, the pelvis brakes and pushes forward once per *step*, while
  it sways sideways once per *stride* (two steps): forward-backward acceleration lives at the step
  frequency, side-to-side at half of it (harmonic structure of trunk accelerations: Smidt 1971,
  Menz et al. 2003). So the horizontal acceleration is band-passed around the step frequency (found
  from the vertical acceleration) and its principal axis gives body x up to its sign; the sign is
  the one nearer the mounted +x (the preset is right within 90 deg). Band-passing also removes the
  gravity that pelvic obliquity (stride frequency) leaks into the horizontal plane, and the
  cross-talk of a walk that is not a whole number of strides long.
The roll zero is the posture at the standing step: ask the person to stand with the pelvis level
(docs/calibration.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.calibration.errors import PoseRejectedError
from hiplevel.calibration.stillness import StillnessCriteria, check_still


@dataclass(frozen=True)
class PelvisAligner:
    """Estimates R_body_sensor (v_body = R @ v_sensor) from standing and walking recordings.

    min_anisotropy: smallest ratio of the largest to the smallest horizontal acceleration variance
        while walking; below it the forward axis is ambiguous (shuffling, turning, standing).
        Default 3 (in the step band walking shows 10 or more).
    min_walk_rms_g: smallest horizontal acceleration RMS that counts as walking, g. Default 0.05.
    step_hz_range: where to look for the step frequency, Hz (72-180 steps/min). Default 1.2-3.0.
    band_rel: half-width of the band around the step frequency, relative. Default 0.25 (keeps
        the step peak, excludes the stride peak at half the frequency).
    max_tilt_deg: largest angle between the sensor's nominal up and the standing vertical, deg;
        more means the clip or the mounting preset is wrong. Default 30.
    standing: stillness limits for quiet standing; a person sways, so looser than on a table:
        gyro SD 3 deg/s, acceleration SD 0.03 g, steady-turn limit 3 deg/s.
    """

    min_anisotropy: float = 3.0
    min_walk_rms_g: float = 0.05
    max_tilt_deg: float = 30.0
    step_hz_range: tuple[float, float] = (1.2, 3.0)
    band_rel: float = 0.25
    standing: StillnessCriteria = StillnessCriteria(
        gyro_std_max_dps=3.0, acc_std_max_g=0.03, gyro_rate_max_dps=3.0, min_duration_s=2.0
    )

    def fit(
        self,
        standing_acc_g: np.ndarray,
        standing_gyro_dps: np.ndarray,
        walking_acc_g: np.ndarray,
        rate_hz: float,
    ) -> AlignmentResult:
        """Alignment from (N, 3) standing accelerations (g) and rates (deg/s, bias removed) and
        (M, 3) walking accelerations (g), all calibrated, mounted frame, at rate_hz."""
        up = self.vertical(standing_acc_g, standing_gyro_dps, rate_hz)
        forward, anisotropy = self.forward(walking_acc_g, up, rate_hz)
        y = np.cross(up, forward)
        r = np.vstack([forward, y / np.linalg.norm(y), up])
        tilt = float(np.degrees(np.arccos(np.clip(up[2], -1.0, 1.0))))
        heading = float(np.degrees(np.arctan2(forward[1], forward[0])))
        angle = float(np.degrees(np.arccos(np.clip((np.trace(r) - 1) / 2, -1.0, 1.0))))
        return AlignmentResult(r, up, forward, tilt, heading, angle, anisotropy)

    def vertical(self, acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float) -> np.ndarray:
        """Unit up vector (mounted frame) from quiet standing; raises PoseRejectedError when the
        person moved or the sensor is far from its drawn orientation."""
        verdict = check_still(acc_g, gyro_dps, rate_hz, self.standing, gyro_bias_dps=np.zeros(3))
        if not verdict.still:
            raise PoseRejectedError(verdict.message.replace("The sensor was", "You were"))
        mean = np.mean(np.asarray(acc_g, dtype=float), axis=0)
        up = mean / np.linalg.norm(mean)
        tilt = float(np.degrees(np.arccos(np.clip(up[2], -1.0, 1.0))))
        if tilt > self.max_tilt_deg:
            raise PoseRejectedError(
                f"The sensor is {tilt:.0f} deg away from upright (limit {self.max_tilt_deg:.0f}): "
                "check that it is clipped as drawn and that the right mounting preset is chosen."
            )
        return up

    def forward(self, acc_g: np.ndarray, up: np.ndarray, rate_hz: float) -> tuple[np.ndarray, float]:
        """(unit forward vector in the mounted frame, anisotropy) from walking accelerations (g)
        at rate_hz; anisotropy is the forward/sideways variance ratio in the step band."""
        a = np.asarray(acc_g, dtype=float)
        if a.ndim != 2 or a.shape[1] != 3 or len(a) < 10:
            raise PoseRejectedError("No walking data arrived; walk straight ahead for 8-10 steps.")
        # Horizontal basis: e1 = mounted +x made horizontal, e2 = up x e1.
        e1 = np.array([1.0, 0.0, 0.0]) - up[0] * up
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(up, e1)
        h = np.column_stack([a @ e1, a @ e2])
        h -= h.mean(axis=0)
        rms = float(np.sqrt(np.mean(np.sum(h**2, axis=1))))
        if rms < self.min_walk_rms_g:
            raise PoseRejectedError(
                f"Hardly any movement ({rms * 1000:.0f} mg, need {self.min_walk_rms_g * 1000:.0f}): "
                "walk straight ahead at your normal pace for 8-10 steps."
            )
        cov, _step_hz = _step_band_covariance(h, a @ up, rate_hz, self.step_hz_range, self.band_rel)
        evals, evecs = np.linalg.eigh(cov)
        anisotropy = float(evals[1] / max(evals[0], 1e-12 * evals[1]))
        if anisotropy < self.min_anisotropy:
            raise PoseRejectedError(
                f"The walking direction is unclear (forward/sideways ratio {anisotropy:.1f}, need "
                f"{self.min_anisotropy:.1f}): walk in a straight line, normal steps, no turning."
            )
        v = evecs[:, 1] if evecs[0, 1] >= 0 else -evecs[:, 1]
        forward = v[0] * e1 + v[1] * e2
        return forward / np.linalg.norm(forward), anisotropy


def _step_band_covariance(
    h: np.ndarray, vertical: np.ndarray, rate_hz: float, step_hz_range: tuple[float, float], band_rel: float
) -> tuple[np.ndarray, float]:
    """2x2 covariance of the horizontal acceleration h (N, 2) within +-band_rel of the step
    frequency, the strongest vertical-acceleration peak within step_hz_range (Hann window)."""
    n = len(h)
    window = np.hanning(n)
    freqs = np.fft.rfftfreq(n, 1.0 / rate_hz)
    v_spec = np.abs(np.fft.rfft((vertical - vertical.mean()) * window))
    search = (freqs >= step_hz_range[0]) & (freqs <= step_hz_range[1])
    if not search.any():
        raise PoseRejectedError("The walk was too short to find the steps; walk for 8-10 steps.")
    step_hz = float(freqs[search][np.argmax(v_spec[search])])
    band = (freqs >= step_hz * (1 - band_rel)) & (freqs <= step_hz * (1 + band_rel))
    spec = np.fft.rfft(h * window[:, None], axis=0)[band]
    return np.real(spec.T @ spec.conj()), step_hz


@dataclass(frozen=True)
class AlignmentResult:
    """Result of PelvisAligner.fit.

    matrix_ (3, 3): R_body_sensor, v_body = R @ v_mounted. up_ / forward_ (3,): body z and x in
    the mounted frame. tilt_deg_: angle of the standing vertical from mounted +z. heading_deg_:
    angle of forward from mounted +x about mounted z. angle_deg_: total rotation angle of R.
    anisotropy_: horizontal variance ratio while walking (quality; higher = clearer).
    """

    matrix_: np.ndarray
    up_: np.ndarray
    forward_: np.ndarray
    tilt_deg_: float
    heading_deg_: float
    angle_deg_: float
    anisotropy_: float


def roll_pitch_deg(acc_body_g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch, deg, from (N, 3) body-frame specific force at rest (hiplevel.constants:
    positive roll = left side higher, positive pitch = front of the pelvis down)."""
    a = np.atleast_2d(np.asarray(acc_body_g, dtype=float))
    roll = np.degrees(np.arctan2(a[:, 1], a[:, 2]))
    pitch = np.degrees(np.arctan2(-a[:, 0], np.hypot(a[:, 1], a[:, 2])))
    return roll, pitch
