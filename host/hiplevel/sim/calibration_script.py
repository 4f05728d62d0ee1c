"""A person calibrating one belt sensor, as a timed script with ground truth.

The sensor lies on a table through the guided procedure's poses, in its order (gyro at rest, six
faces, slanted check poses; docs/calibration.md), then is clipped on the belt: quiet standing with
the pelvis level, a straight walk, then still postures whose roll the calibrated device must report
(level, one side raised, a hip hinge). One device, one draw of sensor errors (`imu_model`), one
`sense()` pass over the whole script: the table calibration and the alignment see the same chip.

Frames: world x along the walk, z up; sensor = the board's nominal (mounted) frame, chip =
sensor axes through the firmware's mount (`imu_model.axes_matrix`). Times are device (virtual) s.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from hiplevel.samples import ImuSeries
from hiplevel.sim import gait
from hiplevel.sim.chip_stream import CHIP_HEADER, CHIP_MAGIC, CHIP_RECORD_DTYPE
from hiplevel.sim.imu_model import (
    DEFAULT_MOUNT_AXES,
    DeviceErrors,
    ImuModelParams,
    axes_matrix,
    draw_errors,
    kinematic_imu,
    mount_matrix,
    sense,
    temperature_c,
)
from hiplevel.sim.motion import FS_INTERNAL_HZ, min_jerk, ramp, sway
from hiplevel.sim.rotation import euler_to_matrix, matrix_to_rotvec, rotvec_to_matrix
from hiplevel.sim.spec import ExerciseSpec, TruthOrientation

FACE_UPS_CHIP: dict[str, tuple[float, float, float]] = {
    "face+z": (0, 0, 1), "face-z": (0, 0, -1), "face+x": (1, 0, 0),
    "face-x": (-1, 0, 0), "face+y": (0, 1, 0), "face-y": (0, -1, 0),
}  # fmt: skip
# Slanted poses, chip axis up: about halfway between faces, >= 35 deg from every face.
TILTED_UPS_CHIP: tuple[tuple[float, float, float], ...] = ((1, 1, 0.2), (0.3, -1, 1), (-1, 0.2, -1), (1, -0.3, -1))
BUMP_DEG = 4.0  # a hand nudging the sensor during a pose: rotation amplitude, deg, at BUMP_HZ
BUMP_HZ = 1.5
MAX_TURN_DEG = 120.0  # larger turns between poses go through an intermediate pose
STAND_ROLL_SWAY_DEG = 0.15  # as hiplevel.sim.session
STAND_PITCH_SWAY_DEG = 0.2


@dataclass(frozen=True)
class CalibrationScriptSpec:
    """What the simulated person does and the device they hold.

    seed: draws the device errors (unless `errors` is given), face placement and gait.
    mount_offset_deg: (roll, pitch, yaw) of the clip on the belt relative to the pelvis, deg.
    lead_in_s: on the table, label up, before the gyro step (connecting, pushing the identity).
    move_s: carrying the sensor from one pose to the next, s.
    gyro_s, face_s, standing_s, walking_s: recording time the procedure asks per step, s; each
        pose is held `hold_margin_s` longer.
    tilted_poses: slanted check poses (<= 4). face_tilt_deg: SD of how far a face lies from flat.
    bumped: step keys ("face-x", "gyro", ...) whose first try is disturbed and then repeated.
    walking_steps, cadence_spm: the straight walk of the alignment step.
    standing_pitch_deg: the person's pelvic tilt while standing (the calibration's pitch zero).
    after_walk_s: quiet standing after the walk (the host computes and pushes meanwhile).
    checks: still postures after that: (roll_deg, pitch_deg, hold_s) relative to the standing
        posture, each reached in 1.5 s and released back to level.
    errors: the device's sensor errors (sensor frame); None = drawn from the seed.
    """

    seed: int = 11
    mount_offset_deg: tuple[float, float, float] = (2.0, 7.0, -10.0)
    lead_in_s: float = 20.0
    move_s: float = 2.5
    gyro_s: float = 10.0
    face_s: float = 4.0
    standing_s: float = 5.0
    walking_s: float = 8.0
    hold_margin_s: float = 1.0
    tilted_poses: int = 3
    face_tilt_deg: float = 1.5
    bumped: tuple[str, ...] = ()
    walking_steps: int = 16
    cadence_spm: float = 110.0
    standing_pitch_deg: float = 3.0
    after_walk_s: float = 25.0
    checks: tuple[tuple[float, float, float], ...] = ((0.0, 0.0, 8.0), (4.0, 0.0, 8.0), (0.0, 25.0, 8.0))
    rate_hz: float = 100.0
    errors: DeviceErrors | None = None
    params: ImuModelParams = field(default_factory=ImuModelParams)

    def __post_init__(self) -> None:
        if not 0 <= self.tilted_poses <= len(TILTED_UPS_CHIP):
            raise ValueError(f"tilted_poses must be 0..{len(TILTED_UPS_CHIP)}")
        if self.walking_steps * 60.0 / self.cadence_spm < self.walking_s:
            raise ValueError("the walk is shorter than walking_s")


@dataclass(frozen=True)
class ScriptWindow:
    """One try of a step, or a check posture: key (procedure step key, or "check1".."checkN"),
    device time of its start and end, s; moving: a disturbed try the procedure must reject;
    roll/pitch: for checks, the pelvis posture relative to the calibration's standing, deg."""

    key: str
    start_s: float
    end_s: float
    moving: bool = False
    roll_deg: float = 0.0
    pitch_deg: float = 0.0


@dataclass(frozen=True)
class CalibrationScript:
    """The simulated calibration: windows in script order, the sensor-frame chip signal at 1 kHz
    (after the sensor errors and the DLPF, before quantisation), its temperature, the pelvis truth
    (roll/pitch/yaw, deg; NaN while the sensor is off the belt), and what produced them."""

    spec: CalibrationScriptSpec
    windows: tuple[ScriptWindow, ...]
    sensor_1k: ImuSeries
    ideal_1k: ImuSeries  # the specific force and rate the sensor felt, sensor frame, no errors
    temp_c: np.ndarray
    truth_1k: TruthOrientation
    errors: DeviceErrors
    mount_axes: tuple[str, str, str] = DEFAULT_MOUNT_AXES
    standing_roll_deg: float = 0.0  # mean pelvis roll during the calibration's standing step
    standing_pitch_deg: float = 0.0  # and pitch
    true_align: np.ndarray = field(default_factory=lambda: np.eye(3))  # body <- mounted, as below

    @property
    def duration_s(self) -> float:
        return len(self.temp_c) / FS_INTERNAL_HZ

    def tries(self) -> list[ScriptWindow]:
        """The procedure's tries in order (repeats after a disturbed try included)."""
        return [w for w in self.windows if not w.key.startswith("check")]

    def checks(self) -> list[ScriptWindow]:
        """The still postures after the calibration."""
        return [w for w in self.windows if w.key.startswith("check")]

    def chip_records(self) -> np.ndarray:
        """(N, 7) float32 chip-frame records at 1 kHz (hiplevel.sim.chip_stream.CHIP_FIELDS)."""
        a = axes_matrix(self.mount_axes)
        rec = np.empty((len(self.temp_c), 7), dtype=np.float32)
        rec[:, 0:3] = self.sensor_1k.acc_g @ a
        rec[:, 3:6] = self.sensor_1k.gyro_dps @ a
        rec[:, 6] = self.temp_c
        return rec

    def write_chip_stream(self, path: str | Path) -> Path:
        """Write the chip stream file the virtual device serves (docs/virtual-device.md)."""
        rec = self.chip_records()
        path = Path(path)
        with path.open("wb") as fh:
            fh.write(CHIP_HEADER.pack(CHIP_MAGIC, int(FS_INTERNAL_HZ), len(rec)))
            fh.write(rec.astype(CHIP_RECORD_DTYPE).tobytes())
        return path


def _angle(m1: np.ndarray, m2: np.ndarray) -> float:
    """Rotation angle between two orientations, deg."""
    return float(np.degrees(np.arccos(np.clip((np.trace(m1.T @ m2) - 1.0) / 2.0, -1.0, 1.0))))


def _up_to_matrix(up_sensor: np.ndarray, yaw_deg: float) -> np.ndarray:
    """Sensor-to-world rotation that puts the sensor-frame vector `up_sensor` vertical, turned
    yaw_deg about the vertical."""
    u = up_sensor / np.linalg.norm(up_sensor)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(u, z)
    s, c = np.linalg.norm(axis), float(u @ z)
    if s < 1e-9:
        r0 = np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    else:
        r0 = rotvec_to_matrix(axis / s * np.arctan2(s, c))[0]
    return euler_to_matrix(np.array(0.0), np.array(0.0), np.array(yaw_deg)) @ r0


def _table_phase(spec: CalibrationScriptSpec, rng: np.random.Generator, end_pose: np.ndarray,
                 ) -> tuple[np.ndarray, list[ScriptWindow]]:
    """Sensor-to-world orientations at 1 kHz on the table, ending clipped on at `end_pose`."""
    a = axes_matrix(DEFAULT_MOUNT_AXES)
    fs = FS_INTERNAL_HZ
    poses: list[tuple[str, np.ndarray, float]] = [("gyro", np.array(FACE_UPS_CHIP["face+z"], float), spec.gyro_s)]
    for key, up in FACE_UPS_CHIP.items():
        tilt = np.radians(rng.normal(0.0, spec.face_tilt_deg, 3))
        poses.append((key, np.asarray(up, float) + tilt, spec.face_s))
    for i in range(spec.tilted_poses):
        poses.append((f"tilted{i + 1}", np.asarray(TILTED_UPS_CHIP[i], float), spec.face_s))
    mats: list[np.ndarray] = []
    windows: list[ScriptWindow] = []
    current = _up_to_matrix(a @ poses[0][1], 0.0)

    def hold(m: np.ndarray, seconds: float) -> None:
        mats.append(np.repeat(m[None], int(round(seconds * fs)), axis=0))

    def move(m_from: np.ndarray, m_to: np.ndarray, seconds: float) -> None:
        rel = matrix_to_rotvec((m_from.T @ m_to)[None])[0]
        if np.linalg.norm(rel) > np.radians(MAX_TURN_DEG):
            # Turning a box over is two quarter turns (the rotation log is ill-posed near 180 deg):
            # go through the on-edge pose that makes the two legs most even.
            mids = [m_from @ rotvec_to_matrix(np.radians(90.0) * e[None])[0] for e in np.vstack([np.eye(3), -np.eye(3)])]
            mid = min(mids, key=lambda m: max(_angle(m_from, m), _angle(m, m_to)))
            move(m_from, mid, seconds / 2)
            move(mid, m_to, seconds / 2)
            return
        n = int(round(seconds * fs))
        mats.append(m_from @ rotvec_to_matrix(np.outer(min_jerk(np.arange(n) / n), rel)))

    hold(current, spec.lead_in_s)
    t_now = spec.lead_in_s
    for key, up_chip, seconds in poses:
        if key != "gyro":  # the gyro step starts where the lead-in left the sensor
            target = _up_to_matrix(a @ up_chip, float(rng.uniform(-30.0, 30.0)))
            move(current, target, spec.move_s)
            t_now += spec.move_s
            current = target
        tries = [True, False] if key in spec.bumped else [False]
        for moving in tries:
            length = seconds + spec.hold_margin_s
            n = int(round(length * fs))
            if moving:  # a hand nudges it: a few degrees of rocking about a horizontal axis
                t = np.arange(n) / fs
                axis = np.array([np.cos(t_now), np.sin(t_now), 0.0])
                angle = np.radians(BUMP_DEG) * np.sin(2 * np.pi * BUMP_HZ * t) * np.sin(np.pi * t / length)
                mats.append(rotvec_to_matrix(np.outer(angle, axis)) @ current)
            else:
                hold(current, length)
            windows.append(ScriptWindow(key, t_now, t_now + length, moving))
            t_now += length
            if moving:
                hold(current, 1.0)  # put right again, then the retry
                t_now += 1.0
    move(current, end_pose, 2.0 * spec.move_s)  # slide the clip on, clip to the belt
    return np.concatenate(mats), windows


def _belt_phase(spec: CalibrationScriptSpec, rng: np.random.Generator, t0_s: float,
                ) -> tuple[dict[str, np.ndarray], list[ScriptWindow], tuple[int, int]]:
    """Pelvis kinematics on the belt: standing, walking, standing, check postures."""
    fs = FS_INTERNAL_HZ
    stand_n = int(round((1.0 + spec.standing_s + spec.hold_margin_s) * fs))
    walk = gait.walking(ExerciseSpec("walking", reps=spec.walking_steps, cadence_spm=spec.cadence_spm), rng)
    pause_n = int(round(2.0 * fs))
    after_n = int(round(spec.after_walk_s * fs))
    check_n = [int(round((3.0 + hold_s) * fs)) for _, _, hold_s in spec.checks]  # 1.5 s in, hold, 1.5 s out
    n = stand_n + pause_n + len(walk) + after_n + sum(check_n)
    roll, pitch, yaw, pos = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros((n, 3))
    i = stand_n + pause_n
    windows = [ScriptWindow("standing", t0_s + 1.0, t0_s + stand_n / fs)]
    windows.append(ScriptWindow("walking", t0_s + i / fs, t0_s + (i + len(walk)) / fs))
    sl = slice(i, i + len(walk))
    roll[sl], pitch[sl], yaw[sl], pos[sl] = walk.roll, walk.pitch, walk.yaw, walk.pos
    impacts = [i + k for k in walk.impacts_i]
    i += len(walk)
    yaw[i:] = walk.yaw[-1]
    pos[i:] = walk.pos[-1]
    i += after_n
    for k, ((r, p, hold_s), m) in enumerate(zip(spec.checks, check_n), 1):
        t = np.arange(m) / fs
        shape = ramp(t, 0.0, 1.5) - ramp(t, 1.5 + hold_s, 3.0 + hold_s)
        roll[i : i + m] += r * shape
        pitch[i : i + m] += p * shape
        start = t0_s + i / fs + 1.5
        windows.append(ScriptWindow(f"check{k}", start, start + hold_s, roll_deg=r, pitch_deg=p))
        i += m
    roll += sway(n, rng, STAND_ROLL_SWAY_DEG)
    pitch += spec.standing_pitch_deg + sway(n, rng, STAND_PITCH_SWAY_DEG)
    pos[:, 2] += 0.9  # hip height
    return {"roll": roll, "pitch": pitch, "yaw": yaw, "pos": pos, "impacts": impacts}, windows, (
        int(round(1.0 * fs)), stand_n)


def simulate_calibration(spec: CalibrationScriptSpec = CalibrationScriptSpec()) -> CalibrationScript:
    """Run the script through the MPU6050 model; deterministic for a given spec."""
    p = spec.params
    rng_motion = np.random.default_rng([spec.seed, 21])
    rng_sensor = np.random.default_rng([spec.seed, 22])
    errors = spec.errors if spec.errors is not None else draw_errors(p, np.random.default_rng([spec.seed, 23]), True)
    r_mount = mount_matrix(spec.mount_offset_deg)  # sensor -> body
    # Belt kinematics first: the table phase ends in the clipped-on pose.
    kin, belt_windows, (s0, s1) = _belt_phase(spec, rng_motion, 0.0)
    body = euler_to_matrix(kin["roll"], kin["pitch"], kin["yaw"])
    f_body, w_body = kinematic_imu(body, kin["pos"], p, kin["impacts"])
    table_mats, windows = _table_phase(spec, rng_motion, body[0] @ r_mount)
    still = replace(p, lever_arm_m=(0.0, 0.0, 0.0))
    f_table, w_table = kinematic_imu(table_mats, np.zeros((len(table_mats), 3)), still)
    t0 = len(table_mats) / FS_INTERNAL_HZ
    windows += [replace(w, start_s=w.start_s + t0, end_s=w.end_s + t0) for w in belt_windows]
    f_sensor = np.concatenate([f_table, f_body @ r_mount])
    w_sensor = np.concatenate([w_table, w_body @ r_mount])
    n = len(f_sensor)
    temp = temperature_c(n, p)
    acc_s, gyr_s = sense(f_sensor, w_sensor, temp, errors, p, rng_sensor, True)
    nan = np.full(len(table_mats), np.nan)
    roll0, pitch0 = float(np.mean(kin["roll"][s0:s1])), float(np.mean(kin["pitch"][s0:s1]))
    t1k = np.arange(n) / FS_INTERNAL_HZ
    truth = TruthOrientation(t1k, np.concatenate([nan, kin["roll"]]), np.concatenate([nan, kin["pitch"]]),
                             np.concatenate([nan, kin["yaw"]]))
    return CalibrationScript(
        spec=spec, windows=tuple(windows),
        sensor_1k=ImuSeries(t1k, acc_s, gyr_s, meta={"frame": "sensor"}),
        ideal_1k=ImuSeries(t1k, f_sensor, w_sensor, meta={"frame": "sensor", "ideal": True}),
        temp_c=temp, truth_1k=truth, errors=errors,
        standing_roll_deg=roll0, standing_pitch_deg=pitch0,
        # The calibrated body frame is the level frame of the standing posture, x along the walk
        # (world x): its axes in the sensor frame are the rows of (pelvis at standing @ clip).
        true_align=euler_to_matrix(np.array(roll0), np.array(pitch0), np.array(0.0)) @ r_mount,
    )  # fmt: skip


@dataclass(frozen=True)
class CalibrationTruth:
    """What a perfect calibration finds, chip frame: gyro bias, deg/s, during the accepted gyro
    step; accel offset, g, mean over the accepted faces; accel per-axis sensitivity (the diagonal
    of the chip's scale/cross-axis matrix, `accel_matrix`); align, body <- mounted."""

    gyro_bias_dps: np.ndarray
    accel_offset_g: np.ndarray
    accel_scale: np.ndarray
    accel_matrix: np.ndarray
    align: np.ndarray


def calibration_truth(script: CalibrationScript, settle_s: float = 0.5) -> CalibrationTruth:
    """The effective sensor errors during the script's accepted table tries (bias plus its
    temperature drift and random walk: the sensor signal minus the ideal one scaled by the chip)."""
    a = axes_matrix(script.mount_axes)  # sensor <- chip
    err, fs = script.errors, FS_INTERNAL_HZ
    last = {w.key: w for w in script.tries() if not w.moving}

    def mean_error(keys: list[str], measured: np.ndarray, ideal: np.ndarray, m: np.ndarray) -> np.ndarray:
        parts = []
        for k in keys:
            i0, i1 = int((last[k].start_s + settle_s) * fs), int(last[k].end_s * fs)
            parts.append(measured[i0:i1] - ideal[i0:i1] @ m.T)
        return np.concatenate(parts).mean(axis=0) @ a  # sensor -> chip, row vectors

    gyro = mean_error(["gyro"], script.sensor_1k.gyro_dps, script.ideal_1k.gyro_dps, err.gyro_matrix)
    faces = [k for k in FACE_UPS_CHIP]
    offset = mean_error(faces, script.sensor_1k.acc_g, script.ideal_1k.acc_g, err.accel_matrix)
    k_chip = a.T @ err.accel_matrix @ a
    return CalibrationTruth(gyro, offset, np.diag(k_chip).copy(), k_chip, script.true_align)
