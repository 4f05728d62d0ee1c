"""Compose a whole session (standing, sets, rests) from the exercise generators, run the IMU model
and label the ground truth: `simulate_session(spec) -> SimSession`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.ndimage import gaussian_filter1d

from hiplevel.samples import ImuSeries
from hiplevel.sim import band_walk, clamshell, gait, holds, scenes
from hiplevel.sim.imu_model import (
    DEFAULT_MOUNT_AXES,
    DeviceErrors,
    ImuModelParams,
    axes_matrix,
    draw_errors,
    kinematic_imu,
    mount_matrix,
    quantise,
    sample_times,
    sense,
    temperature_c,
)
from hiplevel.sim.labels import SIGNED_DROP_EXERCISES, LabelRules, phase_severity, rep_drop_deg, rep_flags, rep_rollback_deg
from hiplevel.sim.motion import FS_INTERNAL_HZ, RepPlan, Segment, min_jerk, sway, time_axis
from hiplevel.sim.rotation import euler_to_matrix
from hiplevel.sim.strategies import Scene
from hiplevel.sim.spec import ExerciseSpec, SessionSpec, SimSession, TruePhase, TrueRep, TrueSet, TruthOrientation

STAND_ROLL_SWAY_DEG = 0.15  # quiet-standing pelvic roll sway SD (sway_gain 1)
STAND_PITCH_SWAY_DEG = 0.2
STAND_POS_SWAY_M = 0.003


def _generator(ex: ExerciseSpec) -> Callable[[ExerciseSpec, np.random.Generator, int], Segment]:
    name = ex.name
    table: dict[str, Callable[[ExerciseSpec, np.random.Generator, int], Segment]] = {
        "walking": lambda ex, rng, k: gait.walking(ex, rng),
        "band-walk": lambda ex, rng, k: band_walk.band_walk(ex, rng),
        "single-leg-stance": holds.single_leg_stance,
        "step-down": holds.step_down,
        "single-leg-squat": holds.single_leg_squat,
        "clamshell": clamshell.clamshell,
    }
    if isinstance(ex.strategy, Scene):
        return scenes.scene
    if name not in table:
        raise NotImplementedError(f"the simulator does not model {name!r} yet (models: {sorted(table)})")
    return table[name]


def _rest(duration_s: float, rng: np.random.Generator) -> Segment:
    """Rest between sets: standing with one weight shift (fidget) that is not an exercise rep."""
    seg = Segment.still(int(round(duration_s * FS_INTERNAL_HZ)), gain=1.5, kind="rest")
    if duration_s >= 5.0:
        t = time_axis(duration_s)
        t0 = float(rng.uniform(1.0, duration_s - 4.0))
        bump = min_jerk((t - t0) / 1.2) - min_jerk((t - t0 - 1.8) / 1.2)
        direction = rng.choice([-1.0, 1.0])
        seg.roll += direction * rng.uniform(0.5, 1.5) * bump
        seg.pos[:, 1] += direction * 0.03 * bump
    return seg


def _compose(spec: SessionSpec, rng: np.random.Generator) -> tuple[dict, list[tuple]]:
    """Concatenate the segments into world kinematics at 1 kHz; returns arrays and set records."""
    person_neutral = float(rng.normal(0.0, 1.5))  # leg-length difference, posture
    person_pitch = float(rng.normal(0.0, 2.0))
    segments: list[tuple[Segment, float]] = []  # (segment, neutral roll it belongs to)
    sets: list[tuple] = []
    cursor = 0
    for ex in spec.exercises:
        gen = _generator(ex)
        for k in range(ex.sets):
            neutral = person_neutral + float(rng.normal(0.0, 0.3))
            stand = Segment.still(int(round(spec.standing_s * FS_INTERNAL_HZ)))
            body = gen(ex, rng, k)
            rest = _rest(spec.rest_s, rng)
            sets.append((ex, k, cursor, cursor + len(stand), cursor + len(stand) + len(body), body))
            for seg in (stand, body, rest):
                segments.append((seg, neutral))
                cursor += len(seg)
    n = cursor
    roll, pitch, yaw = np.empty(n), np.empty(n), np.empty(n)
    pos, gain, baseline, pos_gain = np.empty((n, 3)), np.empty(n), np.empty(n), np.empty(n)
    rocking = np.ones(n)  # extra pelvic tilt sway of a restless person while standing
    heading, origin, i = 0.0, np.zeros(3), 0
    impacts: list[int] = []
    impact_scale: list[float] = []
    for n_seg, (seg, neutral) in enumerate(segments):
        j = i + len(seg)
        c, s = np.cos(np.radians(heading)), np.sin(np.radians(heading))
        rz = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        roll[i:j], pitch[i:j], yaw[i:j] = seg.roll, seg.pitch, heading + seg.yaw
        pos[i:j] = origin + seg.pos @ rz.T
        gain[i:j], baseline[i:j] = seg.sway_gain, neutral
        if seg.kind in ("standing", "rest"):
            rocking[i:j] = spec.standing_sway
        pos_gain[i:j] = seg.sway_gain if seg.pos_sway_gain is None else seg.pos_sway_gain
        if seg.kind == "rest" and n_seg + 1 < len(segments):
            # The person re-stands during the rest: the next set's neutral is reached by its middle.
            baseline[i + len(seg) // 2 : j] = segments[n_seg + 1][1]
        impacts += [i + k for k in seg.impacts_i]
        impact_scale += list(seg.impact_scale) or [1.0] * len(seg.impacts_i)
        heading, origin, i = heading + float(seg.yaw[-1]), pos[j - 1].copy(), j
    # Neutral changes between sets happen smoothly during the rest that precedes the next set.
    baseline = gaussian_filter1d(baseline, 0.4 * FS_INTERNAL_HZ, mode="nearest")
    gain = gaussian_filter1d(gain, 0.3 * FS_INTERNAL_HZ, mode="nearest")
    rocking = gaussian_filter1d(rocking, 0.3 * FS_INTERNAL_HZ, mode="nearest") if spec.standing_sway != 1.0 else rocking
    pos_gain = gaussian_filter1d(pos_gain, 0.3 * FS_INTERNAL_HZ, mode="nearest")
    roll = baseline + roll + gain * rocking * sway(n, rng, STAND_ROLL_SWAY_DEG)
    pitch = person_pitch + pitch + gain * rocking * sway(n, rng, STAND_PITCH_SWAY_DEG)
    for ax in (0, 1):
        pos[:, ax] += pos_gain * sway(n, rng, STAND_POS_SWAY_M, 0.1, 0.8)
    pos[:, 2] += 0.9  # hip height
    return {"roll": roll, "pitch": pitch, "yaw": yaw, "pos": pos, "impacts": impacts, "impact_scale": impact_scale}, sets


def _label(spec: SessionSpec, kin: dict, sets_raw: list[tuple], rules: LabelRules) -> tuple[list[TrueRep], list[TrueSet]]:
    roll, pitch, z = kin["roll"], kin["pitch"], kin["pos"][:, 2]
    fs = FS_INTERNAL_HZ
    reps: list[TrueRep] = []
    sets: list[TrueSet] = []
    for ex, k, i_stand, i_body, i_end, body in sets_raw:
        neutral = float(np.mean(roll[i_stand:i_body]))
        sets.append(TrueSet(ex.name, k, i_body / fs, i_end / fs, i_stand / fs, i_body / fs, neutral))
        for idx, plan in enumerate(body.reps):
            extras = dict(plan.extras)
            side, phases = plan.side, []
            if ex.name == "clamshell":
                drop = rep_rollback_deg(pitch, plan, i_body)
            elif plan.phases:
                for stance, measured, win in plan.phases:
                    d = rep_drop_deg(roll, neutral, RepPlan(0, 0, stance, measured, win, plan.robust), i_body, signed=True)
                    phases.append(TruePhase(stance, (win[0] + i_body) / fs, (win[1] + i_body) / fs, round(d, 3),
                                            rep_flags(ex.name, d, {}, rules)))
                # The rep is its worse phase (the larger drop, or hike, against its flag threshold).
                worst = max(phases, key=lambda p: phase_severity(p.drop_deg, ex.name, rules))
                side, drop = worst.stance, worst.drop_deg
            else:
                drop = rep_drop_deg(roll, neutral, plan, i_body, signed=ex.name in SIGNED_DROP_EXERCISES)
            a, b = plan.start_i + i_body, plan.end_i + i_body
            if ex.name == "band-walk":
                extras["bob_cm"] = float(100.0 * (z[a:b].max() - z[a:b].min()))
            if ex.name == "single-leg-stance":
                w = roll[plan.win[0] + i_body : plan.win[1] + i_body]
                trend = np.polyval(np.polyfit(np.arange(len(w)), w, 1), np.arange(len(w)))
                extras["sway_deg"] = float(np.std(w - trend))
            reps.append(TrueRep(
                exercise=ex.name, set_index=k, index=idx, start_s=a / fs, end_s=b / fs, side=side,
                drop_deg=round(drop, 3), flags=rep_flags(ex.name, drop, extras, rules),
                hold_s=extras.get("hold_s"), bob_cm=extras.get("bob_cm"), step_m=extras.get("step_m"),
                sway_deg=extras.get("sway_deg"), direction=extras.get("direction"), phases=tuple(phases),
            ))
    return reps, sets


# The belt's slip after the calibration (SessionSpec.mount_slip_deg) takes this long, s.
MOUNT_SLIP_S = 0.5


def _slipped(f_body: np.ndarray, w_body: np.ndarray, r_mount: np.ndarray, slip_deg: float, i0: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """Sensor-frame specific force and rate with the mount turned by slip_deg about the sensor's
    forward axis from 1 kHz sample i0 on (a min-jerk turn over MOUNT_SLIP_S): sensor -> body is
    r_mount @ Rx(phi(t)), and the gyro adds the turn's own rate phi'(t) about x."""
    n = len(f_body)
    phi = slip_deg * min_jerk((np.arange(n) - i0) / (MOUNT_SLIP_S * FS_INTERNAL_HZ))
    zero = np.zeros(n)
    r = r_mount @ euler_to_matrix(phi, zero, zero)  # (n, 3, 3) sensor -> body
    f = np.einsum("ni,nij->nj", f_body, r)
    w = np.einsum("ni,nij->nj", w_body, r)
    w[:, 0] += np.gradient(phi) * FS_INTERNAL_HZ
    return f, w


def simulate_session(
    spec: SessionSpec, params: ImuModelParams | None = None, rules: LabelRules | None = None,
    mount_axes: tuple[str, ...] = DEFAULT_MOUNT_AXES,
) -> SimSession:
    """Simulate a session: kinematics, the MPU6050 model and labelled ground truth (seeded by spec.seed)."""
    p = params or ImuModelParams()
    rules = rules or LabelRules()
    rng_motion = np.random.default_rng([spec.seed, 1])
    rng_sensor = np.random.default_rng([spec.seed, 2])
    kin, sets_raw = _compose(spec, rng_motion)
    n = len(kin["roll"])
    t1k = np.arange(n) / FS_INTERNAL_HZ
    mats = euler_to_matrix(kin["roll"], kin["pitch"], kin["yaw"])
    f_body, w_body = kinematic_imu(mats, kin["pos"], p, kin["impacts"], kin["impact_scale"])

    err = draw_errors(p, rng_sensor, spec.noise)
    r_mount = mount_matrix(spec.mount_offset_deg)  # sensor -> body
    temp = temperature_c(n, p)
    f_sensor, w_sensor = f_body @ r_mount, w_body @ r_mount
    if spec.mount_slip_deg:
        f_sensor, w_sensor = _slipped(f_body, w_body, r_mount, spec.mount_slip_deg, sets_raw[0][3])
    acc_s, gyr_s = sense(f_sensor, w_sensor, temp, err, p, rng_sensor, spec.noise)

    t_true, t_stamp = sample_times(n / FS_INTERNAL_HZ, spec.rate_hz, err, p, rng_sensor, spec.noise)
    idx = np.clip(np.round(t_true * FS_INTERNAL_HZ).astype(int), 0, n - 1)
    # Registers hold chip-frame values: quantise there, then the firmware's axis map brings them back.
    a = axes_matrix(mount_axes)
    acc_q = quantise(acc_s[idx] @ a, p.accel_range_g) @ a.T
    gyr_q = quantise(gyr_s[idx] @ a, p.gyro_range_dps) @ a.T

    reps, sets = _label(spec, kin, sets_raw, rules)
    truth_1k = TruthOrientation(t1k, kin["roll"], kin["pitch"], kin["yaw"])
    truth = TruthOrientation(t_true, kin["roll"][idx], kin["pitch"][idx], kin["yaw"][idx])
    meta = {"source": "hiplevel.sim", "seed": spec.seed, "rate_hz": spec.rate_hz, "frame": "body"}
    return SimSession(
        spec=spec,
        imu=ImuSeries(t_stamp, acc_q, gyr_q, meta=meta),
        truth=truth,
        truth_1k=truth_1k,
        kinematic_1k=ImuSeries(t1k, f_body, w_body, meta={"frame": "body", "ideal": True}),
        sensor_1k=ImuSeries(t1k, acc_s, gyr_s, meta={"frame": "sensor"}),
        temp_c=temp,
        reps=reps,
        sets=sets,
        params={
            "imu_model": p, "label_rules": rules, "mount_axes": tuple(mount_axes),
            "device_errors": err, "pos_m": kin["pos"],
        },
    )


@dataclass(frozen=True)
class StillRecording:
    """A sensor lying still: output at rate_hz (sensor frame), the 1 kHz sensor signal and the drawn errors."""

    imu: ImuSeries
    sensor_1k: ImuSeries
    errors: DeviceErrors


def simulate_still(
    duration_s: float, rate_hz: float = 100.0, seed: int = 0, roll_deg: float = 0.0, pitch_deg: float = 0.0,
    params: ImuModelParams | None = None, noise: bool = True, mount_axes: tuple[str, ...] = DEFAULT_MOUNT_AXES,
) -> StillRecording:
    """The sensor held still at a fixed (roll, pitch), deg, e.g. for calibration and noise tests."""
    p = params or ImuModelParams()
    rng = np.random.default_rng([seed, 3])
    n = int(round(duration_s * FS_INTERNAL_HZ))
    m = euler_to_matrix(np.array(roll_deg), np.array(pitch_deg), np.array(0.0))
    f = np.tile(m.T @ np.array([0.0, 0.0, 1.0]), (n, 1))
    err = draw_errors(p, rng, noise)
    acc_s, gyr_s = sense(f, np.zeros((n, 3)), temperature_c(n, p), err, p, rng, noise)
    t_true, t_stamp = sample_times(n / FS_INTERNAL_HZ, rate_hz, err, p, rng, noise)
    idx = np.clip(np.round(t_true * FS_INTERNAL_HZ).astype(int), 0, n - 1)
    a = axes_matrix(mount_axes)
    imu = ImuSeries(t_stamp, quantise(acc_s[idx] @ a, p.accel_range_g) @ a.T,
                    quantise(gyr_s[idx] @ a, p.gyro_range_dps) @ a.T, meta={"frame": "sensor"})
    t1k = np.arange(n) / FS_INTERNAL_HZ
    return StillRecording(imu, ImuSeries(t1k, acc_s, gyr_s, meta={"frame": "sensor"}), err)
