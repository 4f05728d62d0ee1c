"""Sensor-to-pelvis alignment: a rotation body <- sensor from quiet standing and a few steps.

Input is in the *mounted* frame: calibrated chip-frame data mapped through the mounting preset,
i.e. the body frame as it would be if the clip sat exactly as drawn in hardware/mounting.md.
- Static: during quiet standing the mean specific force points up, so it gives body +z.
- Functional: walking straight ahead, the pelvis brakes and pushes forward once per *step*, sways
  sideways once per *stride* (two steps), and its obliquity (roll about the forward axis) also
  goes once per stride (harmonic structure of trunk accelerations: Smidt 1971, Menz et al. 2003).
  First every sample is rotated, with the gyro, into one fixed frame (the sensor's mean
  orientation over the walk): otherwise the pelvis' tilting leaks gravity into the horizontal
  acceleration (1 deg of obliquity is 17 mg) and its turning mixes forward and sideways. Then
  three cues of the forward axis, each the principal axis of a 2x2 horizontal covariance in a
  band, are averaged (their covariances normalised and summed):
    1. acceleration at the step frequency (found from the vertical acceleration): forward;
    2. acceleration at the stride frequency (half of it): sideways, so it counts negatively;
    3. angular rate at the stride frequency: obliquity, about the forward axis.
  Each alone is 0.6-0.8 deg RMS off on the team simulator over a 7 s walk (step-to-step
  variability leaks into the bands); together 0.25 deg RMS (docs/calibration.md). The sign is the
  one nearer the mounted +x (the preset is right within 90 deg).
The roll zero is the posture at the standing step: ask the person to stand with the pelvis level
(docs/calibration.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.calibration.errors import PoseRejectedError
from hiplevel.calibration.stillness import StillnessCriteria, check_still
from hiplevel.calibration.walking import (
    axis_angle_deg,
    band_covariance,
    horizontal_basis,
    level_walk,
    principal_axis,
    step_frequency_hz,
)


@dataclass(frozen=True)
class PelvisAligner:
    """Estimates R_body_sensor (v_body = R @ v_sensor) from standing and walking recordings.

    min_anisotropy: smallest ratio of the largest to the smallest horizontal acceleration variance
        at the step frequency while walking; below it the forward axis is ambiguous (shuffling,
        turning, standing). Default 3 (straight walking shows 50 or more).
    max_cue_spread_deg: largest angle between the three cues' axes (step-frequency acceleration,
        stride-frequency acceleration, stride-frequency rate); more means the walk was not
        straight or not steady. Default 15 (see docs/calibration.md for measured spreads).
    min_walk_rms_g: smallest horizontal acceleration RMS that counts as walking, g. Default 0.05.
    step_hz_range: where to look for the step frequency, Hz (72-180 steps/min). Default 1.2-3.0.
    band_rel: half-width of the bands around the step and stride frequencies, relative. Default
        0.25 (the two bands do not overlap).
    max_tilt_deg: largest angle between the sensor's nominal up and the standing vertical, deg;
        more means the clip or the mounting preset is wrong. Default 30.
    standing: stillness limits for quiet standing; a person sways, so looser than on a table:
        gyro SD 3 deg/s, acceleration SD 0.03 g, steady-turn limit 3 deg/s.
    """

    min_anisotropy: float = 3.0
    max_cue_spread_deg: float = 15.0
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
        walking_gyro_dps: np.ndarray,
        rate_hz: float,
    ) -> AlignmentResult:
        """Alignment from (N, 3) standing and (M, 3) walking accelerations (g) and rates (deg/s,
        bias removed), all calibrated, mounted frame, at rate_hz."""
        up = self.vertical(standing_acc_g, standing_gyro_dps, rate_hz)
        walk = self.forward(walking_acc_g, walking_gyro_dps, rate_hz)
        # The standing vertical is the roll/pitch zero; forward is made horizontal in it (the
        # pelvis pitches a little more while walking, about the lateral axis: heading unchanged).
        x = walk.forward - (walk.forward @ up) * up
        forward = x / np.linalg.norm(x)
        r = np.vstack([forward, np.cross(up, forward), up])
        tilt = float(np.degrees(np.arccos(np.clip(up[2], -1.0, 1.0))))
        heading = float(np.degrees(np.arctan2(forward[1], forward[0])))
        angle = float(np.degrees(np.arccos(np.clip((np.trace(r) - 1) / 2, -1.0, 1.0))))
        return AlignmentResult(r, up, forward, tilt, heading, angle, walk.anisotropy, walk.spread_deg, walk.step_hz)

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

    def forward(self, acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float) -> WalkingAxis:
        """Forward axis (mounted frame, horizontal in the walk's mean vertical) from (M, 3) walking
        accelerations (g) and rates (deg/s, bias removed) at rate_hz; raises PoseRejectedError
        when the recording is not a clear straight walk."""
        a, w = np.asarray(acc_g, dtype=float), np.asarray(gyro_dps, dtype=float)
        if a.ndim != 2 or a.shape[1] != 3 or len(a) < 10 or w.shape != a.shape:
            raise PoseRejectedError("No walking data arrived; walk straight ahead until the countdown ends.")
        a_lev, w_lev = level_walk(a, w, rate_hz)
        up = a_lev.mean(axis=0)
        up /= np.linalg.norm(up)
        e1, e2 = horizontal_basis(up)
        h = np.column_stack([a_lev @ e1, a_lev @ e2])
        h -= h.mean(axis=0)
        rms = float(np.sqrt(np.mean(np.sum(h**2, axis=1))))
        if rms < self.min_walk_rms_g:
            raise PoseRejectedError(
                f"Hardly any movement ({rms * 1000:.0f} mg, need {self.min_walk_rms_g * 1000:.0f}): "
                "walk straight ahead at your normal pace until the countdown ends."
            )
        try:
            step_hz = step_frequency_hz(a_lev @ up, rate_hz, self.step_hz_range)
        except ValueError:
            raise PoseRejectedError("The walk was too short to find the steps; keep walking until the countdown ends.") from None
        g = np.column_stack([w_lev @ e1, w_lev @ e2])
        cues = (
            band_covariance(h, rate_hz, step_hz, self.band_rel),  # forward-backward, once per step
            -band_covariance(h, rate_hz, step_hz / 2, self.band_rel),  # sideways sway, per stride
            band_covariance(g, rate_hz, step_hz / 2, self.band_rel),  # obliquity, per stride
        )
        anisotropy = principal_axis(cues[0])[1]
        if anisotropy < self.min_anisotropy:
            raise PoseRejectedError(
                f"The walking direction is unclear (forward/sideways ratio {anisotropy:.1f}, need "
                f"{self.min_anisotropy:.1f}): walk in a straight line, normal steps, no turning."
            )
        axes = [principal_axis(c)[0] for c in cues]
        spread = max(axis_angle_deg(p, q) for i, p in enumerate(axes) for q in axes[i + 1 :])
        if spread > self.max_cue_spread_deg:
            raise PoseRejectedError(
                f"The steps and the sway disagree on the walking direction by {spread:.0f} deg (limit "
                f"{self.max_cue_spread_deg:.0f}): walk in a straight line at an even pace, no turning."
            )
        # Normalised so each cue weighs the same whatever its units and strength.
        v, _ = principal_axis(sum(c / abs(np.trace(c)) for c in cues))
        forward = v[0] * e1 + v[1] * e2
        return WalkingAxis(forward / np.linalg.norm(forward), anisotropy, spread, step_hz)


@dataclass(frozen=True)
class WalkingAxis:
    """Result of PelvisAligner.forward: forward (3,) unit vector, mounted frame; anisotropy: the
    step-frequency forward/sideways variance ratio; spread_deg: largest angle between the three
    cues, deg; step_hz: step frequency, Hz."""

    forward: np.ndarray
    anisotropy: float
    spread_deg: float
    step_hz: float


@dataclass(frozen=True)
class AlignmentResult:
    """Result of PelvisAligner.fit.

    matrix_ (3, 3): R_body_sensor, v_body = R @ v_mounted. up_ / forward_ (3,): body z and x in
    the mounted frame. tilt_deg_: angle of the standing vertical from mounted +z. heading_deg_:
    angle of forward from mounted +x about mounted z. angle_deg_: total rotation angle of R.
    anisotropy_: horizontal variance ratio at the step frequency while walking (quality; higher =
    clearer). cue_spread_deg_: largest angle between the walking step's three cues, deg (quality;
    lower = straighter, steadier walk). step_hz_: step frequency of the walk, Hz.
    """

    matrix_: np.ndarray
    up_: np.ndarray
    forward_: np.ndarray
    tilt_deg_: float
    heading_deg_: float
    angle_deg_: float
    anisotropy_: float
    cue_spread_deg_: float
    step_hz_: float


def roll_pitch_deg(acc_body_g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch, deg, from (N, 3) body-frame specific force at rest (hiplevel.constants:
    positive roll = left side higher, positive pitch = front of the pelvis down)."""
    a = np.atleast_2d(np.asarray(acc_body_g, dtype=float))
    roll = np.degrees(np.arctan2(a[:, 1], a[:, 2]))
    pitch = np.degrees(np.arctan2(-a[:, 0], np.hypot(a[:, 1], a[:, 2])))
    return roll, pitch
