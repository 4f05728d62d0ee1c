"""The guided calibration as a state machine, independent of any I/O.

The caller shows `current.prompt`, records `current.duration_s` of raw samples (chip frame, no
calibration applied: push `identity_firmware_json` first and undo the mount with
`chip_from_mounted`), hands them to `submit`, and repeats until `done`. A rejected block leaves the
procedure on the same step and its outcome says why, in words for the person at the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from hiplevel.calibration.accel import SIX_FACES, AccelCalibrator, AccelFit, check_face, face_name
from hiplevel.calibration.alignment import PelvisAligner
from hiplevel.calibration.errors import CalibrationError, PoseRejectedError
from hiplevel.calibration.file import AccelSection, AlignmentSection, CalibrationFile, GyroSection
from hiplevel.calibration.gyro import GyroBiasEstimator, GyroBiasResult
from hiplevel.calibration.mounting import DEFAULT_MOUNT, mount_axes, mount_matrix
from hiplevel.calibration.prompts import FACE_PROMPTS, GYRO_PROMPT, STANDING_PROMPT, TILTED_PROMPT, WALKING_PROMPT
from hiplevel.calibration.stillness import StillnessCriteria, check_still


@dataclass(frozen=True)
class ProcedureSettings:
    """Settings of the guided procedure (defaults in docs/calibration.md).

    gyro_s / face_s / standing_s / walking_s: recording time asked for each step, s.
    settle_s: start of each static recording dropped (hand leaving the sensor), s.
    tilted_poses: slanted check poses after the six faces (0-6): the six-face fit must also
        give |a| = 1 g on them, which shows a bad face, a bump or cross-axis coupling. Default 3.
    max_face_tilt_deg: a face pose may be this far from flat, deg. Default 15.
    min_pose_separation_deg: a slanted pose must differ this much from every earlier pose. 20.
    max_check_error_mg: RMS of |a| - 1 g on the check poses above which the table poses are
        redone, mg. Default 15: cross-axis coupling within the datasheet's +-2 % leaves up to
        about 10 mg (simulator: 1-8 mg), one face read 4 % off leaves 20 or more.
    alignment: run the standing and walking steps (False: bench calibration of a bare device).
    mount: mounting preset (hiplevel.calibration.mounting.MOUNT_PRESETS).
    cross_axis: also fit cross-axis terms (diagnostic; needs tilted_poses >= 3).
    still: stillness limits for table poses.
    """

    gyro_s: float = 10.0
    face_s: float = 4.0
    standing_s: float = 5.0
    walking_s: float = 8.0
    settle_s: float = 0.5
    tilted_poses: int = 3
    max_face_tilt_deg: float = 15.0
    min_pose_separation_deg: float = 20.0
    max_check_error_mg: float = 15.0
    alignment: bool = True
    mount: str = DEFAULT_MOUNT
    cross_axis: bool = False
    still: StillnessCriteria = StillnessCriteria()


@dataclass(frozen=True)
class Step:
    """One step: key ('gyro', 'face+z', 'tilted1', 'standing', 'walking'), kind ('gyro', 'face',
    'tilted', 'standing', 'walking'), the prompt, seconds to record, 1-based position."""

    key: str
    kind: str
    prompt: str
    duration_s: float
    number: int
    total: int


@dataclass(frozen=True)
class SampleBlock:
    """Raw samples of one step: (N, 3) acceleration, g, and rate, deg/s, in the chip frame, no
    calibration applied; rate_hz; temp_c the IMU temperature (STATUS packet) or None."""

    acc_g: np.ndarray
    gyro_dps: np.ndarray
    rate_hz: float
    temp_c: float | None = None


@dataclass(frozen=True)
class StepOutcome:
    """Result of `submit`: accepted or not, the message for the person, figures for the log."""

    step: Step
    accepted: bool
    message: str
    figures: dict = field(default_factory=dict)


class CalibrationProcedure:
    """Gyro at rest, six faces (+ slanted poses), quiet standing, walking -> CalibrationFile."""

    def __init__(self, device_id: str, settings: ProcedureSettings = ProcedureSettings()) -> None:
        if not 0 <= settings.tilted_poses <= 6:
            raise ValueError("tilted_poses must be 0..6")
        if settings.cross_axis and settings.tilted_poses < 3:
            raise ValueError("cross_axis needs tilted_poses >= 3")
        mount_matrix(settings.mount)
        self.device_id = device_id
        self.settings = settings
        keys = [("gyro", "gyro", GYRO_PROMPT, settings.gyro_s)]
        keys += [(f"face{face_name(a, s)}", "face", FACE_PROMPTS[face_name(a, s)], settings.face_s) for a, s in SIX_FACES]
        keys += [(f"tilted{i + 1}", "tilted", TILTED_PROMPT, settings.face_s) for i in range(settings.tilted_poses)]
        if settings.alignment:
            keys += [("standing", "standing", STANDING_PROMPT, settings.standing_s)]
            keys += [("walking", "walking", WALKING_PROMPT, settings.walking_s)]
        self.steps = tuple(Step(k, kind, p, d, i + 1, len(keys)) for i, (k, kind, p, d) in enumerate(keys))
        self._index = 0
        self._gyro: GyroBiasResult | None = None
        self._pose_means: list[np.ndarray] = []
        self._temps: dict[str, list[float]] = {"gyro": [], "accel": [], "alignment": []}
        self._accel: AccelFit | None = None
        self._cross: AccelFit | None = None
        self._check_mg = np.zeros(0)
        self._check_error = float("nan")
        self._standing: SampleBlock | None = None
        self._alignment = None

    @property
    def current(self) -> Step | None:
        """The step waiting for samples, None when done."""
        return self.steps[self._index] if self._index < len(self.steps) else None

    @property
    def done(self) -> bool:
        """All steps accepted."""
        return self._index >= len(self.steps)

    def prompts(self) -> Iterator[Step]:
        """Yield the current step until done (the caller `submit`s between yields)."""
        while not self.done:
            yield self.steps[self._index]

    def submit(self, block: SampleBlock) -> StepOutcome:
        """Consume the samples of the current step; advance when they qualify."""
        step = self.current
        if step is None:
            raise CalibrationError("the procedure is complete; call result()")
        try:
            figures, message = getattr(self, f"_on_{step.kind}")(block)
        except PoseRejectedError as exc:
            return StepOutcome(step, False, str(exc))
        if block.temp_c is not None:
            self._temps["gyro" if step.kind == "gyro" else "accel" if step.kind in ("face", "tilted") else "alignment"].append(block.temp_c)
        self._index += 1
        return StepOutcome(step, True, message, figures)

    def run(self, collect: Callable[[Step], SampleBlock], say: Callable[[str], None], now_utc: datetime, max_attempts: int = 3) -> CalibrationFile:
        """Drive the whole procedure with a blocking `collect(step)` and `say(text)`; raises
        CalibrationError after max_attempts rejections of one step."""
        for step in self.prompts():
            for attempt in range(max_attempts):
                say(f"Step {step.number}/{step.total}: {step.prompt}")
                outcome = self.submit(collect(step))
                say(outcome.message)
                if outcome.accepted:
                    break
            else:
                raise CalibrationError(f"step '{step.key}' failed {max_attempts} times: {outcome.message}")
        return self.result(now_utc)

    def result(self, now_utc: datetime) -> CalibrationFile:
        """The calibration file, dated now_utc (timezone-aware)."""
        if not self.done or self._gyro is None or self._accel is None:
            raise CalibrationError("the procedure is not complete")
        g, a = self._gyro, self._accel
        gyro = GyroSection(tuple(g.bias_dps_), tuple(g.noise_dps_), g.still_s_, _mean(self._temps["gyro"]))
        cross = None if self._cross is None or self._cross.cross_ is None else tuple(map(tuple, self._cross.cross_))
        accel = AccelSection(
            offset_g=tuple(a.offset_g_), scale=tuple(a.scale_),
            residuals_mg=tuple(a.residuals_mg_) + tuple(self._check_mg), check_error_mg=self._check_error,
            checks=len(self._check_mg), poses=tuple(s.key for s in self.steps if s.kind in ("face", "tilted")),
            cross=cross, temp_c=_mean(self._temps["accel"]),
        )  # fmt: skip
        alignment = AlignmentSection(matrix=((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)), method="none")
        if self._alignment is not None:
            al = self._alignment
            alignment = AlignmentSection(tuple(map(tuple, al.matrix_)), "static+functional", al.tilt_deg_, al.heading_deg_, al.anisotropy_, _mean(self._temps["alignment"]))
        temps = [t for ts in self._temps.values() for t in ts]
        return CalibrationFile(
            device_id=self.device_id, created_utc=now_utc, gyro=gyro, accel=accel, alignment=alignment,
            mount=self.settings.mount, mount_axes=mount_axes(self.settings.mount), temperature_c=_mean(temps),
        )  # fmt: skip

    # --- one handler per step kind: (figures, message) or PoseRejectedError -------------------
    def _trim(self, block: SampleBlock) -> tuple[np.ndarray, np.ndarray]:
        n = int(round(self.settings.settle_s * block.rate_hz))
        return np.asarray(block.acc_g, dtype=float)[n:], np.asarray(block.gyro_dps, dtype=float)[n:]

    def _on_gyro(self, block: SampleBlock) -> tuple[dict, str]:
        acc, gyro = self._trim(block)
        estimator = GyroBiasEstimator(min_still_s=min(5.0, 0.5 * self.settings.gyro_s), criteria=self.settings.still)
        self._gyro = estimator.fit(gyro, acc, block.rate_hz)
        b, n = self._gyro.bias_dps_, self._gyro.noise_dps_
        return (
            {"bias_dps": b.tolist(), "noise_dps": n.tolist(), "still_s": self._gyro.still_s_},
            f"Gyro bias {b[0]:+.2f} {b[1]:+.2f} {b[2]:+.2f} deg/s (noise {n.max():.3f} deg/s).",
        )

    def _static_mean(self, block: SampleBlock) -> tuple[np.ndarray, float]:
        acc, gyro = self._trim(block)
        assert self._gyro is not None
        verdict = check_still(acc, gyro, block.rate_hz, self.settings.still, self._gyro.bias_dps_)
        if not verdict.still:
            raise PoseRejectedError(verdict.message)
        return acc.mean(axis=0), verdict.acc_std_g

    def _on_face(self, block: SampleBlock) -> tuple[dict, str]:
        mean, noise = self._static_mean(block)
        axis, sign = SIX_FACES[len(self._pose_means)]
        tilt = check_face(mean, axis, sign, self.settings.max_face_tilt_deg)
        self._pose_means.append(mean)
        figures = {"mean_g": mean.tolist(), "tilt_deg": tilt, "noise_g": noise}
        return self._maybe_fit(figures, f"Chip {face_name(axis, sign)} up, {tilt:.1f} deg from flat: good.")

    def _on_tilted(self, block: SampleBlock) -> tuple[dict, str]:
        mean, noise = self._static_mean(block)
        u = mean / np.linalg.norm(mean)
        closest = min(np.degrees(np.arccos(np.clip(u @ (p / np.linalg.norm(p)), -1, 1))) for p in self._pose_means)
        if closest < self.settings.min_pose_separation_deg:
            raise PoseRejectedError(
                f"This slant is only {closest:.0f} deg from an earlier pose (need "
                f"{self.settings.min_pose_separation_deg:.0f}): lean it a different way, e.g. on another edge."
            )
        self._pose_means.append(mean)
        return self._maybe_fit({"mean_g": mean.tolist(), "separation_deg": closest, "noise_g": noise}, "Slanted pose: good.")

    def _maybe_fit(self, figures: dict, message: str) -> tuple[dict, str]:
        if len(self._pose_means) < 6 + self.settings.tilted_poses:
            return figures, message
        faces, checks = np.array(self._pose_means[:6]), np.array(self._pose_means[6:]).reshape(-1, 3)
        fit = AccelCalibrator().fit(faces)
        check_mg = fit.residuals_mg(checks)
        check_error = float(np.sqrt(np.mean(check_mg**2))) if len(checks) else float("nan")
        if check_error > self.settings.max_check_error_mg:
            # Restart the table poses: which pose was bad cannot be told from a few checks.
            self._index = next(i for i, st in enumerate(self.steps) if st.kind == "face")
            self._pose_means.clear()
            raise PoseRejectedError(
                f"The accelerometer poses disagree (check error {check_error:.1f} mg, limit "
                f"{self.settings.max_check_error_mg:.0f}): start the table poses again, each on a flat, still surface."
            )
        self._check_mg = check_mg
        self._check_error = check_error
        self._accel = fit
        if self.settings.cross_axis:
            self._cross = AccelCalibrator(cross_axis=True).fit(np.array(self._pose_means))
        figures.update(offset_g=fit.offset_g_.tolist(), scale=fit.scale_.tolist(), check_error_mg=check_error)
        return figures, (
            f"{message} Accelerometer: offsets {fit.offset_g_[0] * 1000:+.0f} {fit.offset_g_[1] * 1000:+.0f} "
            f"{fit.offset_g_[2] * 1000:+.0f} mg, scale errors {(fit.scale_[0] - 1) * 100:+.2f} "
            f"{(fit.scale_[1] - 1) * 100:+.2f} {(fit.scale_[2] - 1) * 100:+.2f} %, check error "
            f"{check_error:.1f} mg RMS on {len(checks)} slanted poses."
        )

    def _mounted(self, block: SampleBlock) -> tuple[np.ndarray, np.ndarray]:
        assert self._accel is not None and self._gyro is not None
        acc, gyro = np.asarray(block.acc_g, dtype=float), np.asarray(block.gyro_dps, dtype=float)
        m = mount_matrix(self.settings.mount)
        acc_cal = (acc - self._accel.offset_g_) / self._accel.scale_
        return acc_cal @ m.T, (gyro - self._gyro.bias_dps_) @ m.T

    def _on_standing(self, block: SampleBlock) -> tuple[dict, str]:
        acc, gyro = self._mounted(SampleBlock(*self._trim(block), block.rate_hz))
        up = PelvisAligner().vertical(acc, gyro, block.rate_hz)
        self._standing = SampleBlock(acc, gyro, block.rate_hz)
        tilt = float(np.degrees(np.arccos(np.clip(up[2], -1, 1))))
        return {"up": up.tolist(), "tilt_deg": tilt}, f"Standing: the sensor sits {tilt:.1f} deg from upright."

    def _on_walking(self, block: SampleBlock) -> tuple[dict, str]:
        assert self._standing is not None
        acc, gyro = self._mounted(block)
        s = self._standing
        self._alignment = PelvisAligner().fit(s.acc_g, s.gyro_dps, acc, gyro, block.rate_hz)
        al = self._alignment
        figures = {"tilt_deg": al.tilt_deg_, "heading_deg": al.heading_deg_, "anisotropy": al.anisotropy_,
                   "cue_spread_deg": al.cue_spread_deg_, "step_hz": al.step_hz_}
        return figures, (
            f"Walking: the sensor is turned {al.heading_deg_:+.1f} deg from straight ahead (clear walk: "
            f"ratio {al.anisotropy_:.1f}, cues agree within {al.cue_spread_deg_:.1f} deg, "
            f"{al.step_hz_ * 60:.0f} steps/min)."
        )


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None
