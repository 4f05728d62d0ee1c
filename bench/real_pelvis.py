"""Section 3, part 2: pelvic obliquity against the optical pelvis (neura-pelvis-vicon).

Sensor-to-pelvis alignment (the data README warns a rough alignment only reaches r ~ 0.5): the
constant rotation from the Xsens sensor frame to the Vicon pelvis frame, R_ps = R_wp^T R_fix R_ws
(Vicon pelvis to world, the data set's Xsens-to-Vicon world yaw fix, Xsens sensor to world),
averaged over the walk (a chordal mean; its spread is printed). This is the optical sensor-to-
segment calibration, the same for every filter, so the rows compare the fusion, not the mount.
The filters run over the whole export (10 s of standing first, so every filter has settled) on the
aligned samples and are compared over the walk: RMSE after removing each trace's mean offset over
the walk (the product reports roll relative to the person's standing neutral) and Pearson r.
Two diagnostic rows say where that error comes from: each filter against the sensor's own roll
(the Xsens on-board orientation, magnetometer-aided, same alignment), and the raw gyro against the
optical pelvis' rotation rate per axis (no fusion at all).

The walk played backwards (`played_backwards`): the same samples and motion with time reversed, a
recording as physical as the forward one (gyro rates negated, the accelerometer unchanged). A
filter that reads the pelvis better reads it better both ways; a causal filter's accelerometer
correction lags, and a lag on a stride-periodic signal helps one direction and hurts the other
(docs/analysis.md, "Turns": the real-pelvis gap). The zero-phase offline fusion reads the same
both ways.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.metrics import pearson_r, rms
from bench.rows import Row, judge, num, unavailable

SECTION = "3. Real people (../shared/data)"


def _mean_rotation(rs: np.ndarray) -> np.ndarray:
    """Chordal L2 mean of rotation matrices (N,3,3): the rotation nearest their sum."""
    u, _, vt = np.linalg.svd(rs.sum(axis=0))
    d = np.sign(np.linalg.det(u @ vt))
    return u @ np.diag([1.0, 1.0, d]) @ vt


def _angle_deg(r: np.ndarray) -> np.ndarray:
    return np.degrees(np.arccos(np.clip((np.trace(r, axis1=-2, axis2=-1) - 1.0) / 2.0, -1.0, 1.0)))


def sensor_to_pelvis(trial) -> tuple[np.ndarray, float]:
    """R (3,3) mapping sensor-frame vectors to the pelvis frame, and the median spread, deg, of the
    per-sample estimates around it (small = the yaw fix and both orientations agree)."""
    from bench.realdata import quat_to_matrix

    r_ws = quat_to_matrix(trial.sensor_quat_wxyz)
    r_wp = quat_to_matrix(trial.pelvis_quat_wxyz)
    fix = quat_to_matrix(trial.yaw_fix_quat_wxyz)[0]
    best = None
    for f in (fix, fix.T, np.eye(3)):  # the file does not say which way the fix turns: keep the tightest
        per = np.transpose(r_wp, (0, 2, 1)) @ (f @ r_ws)
        mean = _mean_rotation(per)
        spread = float(np.median(_angle_deg(np.transpose(per, (0, 2, 1)) @ mean)))
        if best is None or spread < best[1]:
            best = (mean, spread)
    return best


def gyro_vs_optical_rate_r(trial, r_ps: np.ndarray) -> np.ndarray:
    """Pearson r (3,) per pelvis axis (x forward, y left, z up) between the sensor's gyro, rotated
    into the pelvis frame by r_ps, and the optical pelvis' body rate over the walk. No fusion is
    involved: a rigid mount and exact optics give r near 1 on every axis."""
    from bench.realdata import quat_to_matrix
    from hiplevel.signal.fusion import sample_rate_hz
    from hiplevel.sim.rotation import body_rate_from_matrices

    dt_s = 1.0 / sample_rate_hz(trial.sensor.t_s)
    optical = np.degrees(body_rate_from_matrices(quat_to_matrix(trial.pelvis_quat_wxyz), dt_s))
    gyro = trial.sensor.gyro_dps @ r_ps.T
    return np.array([pearson_r(gyro[:, k], optical[:, k]) for k in range(3)])


def played_backwards(acc_g: np.ndarray, gyro_dps: np.ndarray,
                     bias_dps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The samples (N,3) g and deg/s followed by the same recording played backwards: (2N,3) each.

    Reversed time negates the body rates and keeps the specific force (the second derivative of
    position does not change sign); the gyro's bias bias_dps (3,) must not flip with the rates, so
    the reversed rates are 2 b - gyro. Appended to the forward run, a causal filter enters the
    reversed copy with its state and learned bias continuous (both copies meet at the last sample)."""
    bias = np.asarray(bias_dps, float)
    return np.concatenate([acc_g, acc_g[::-1]]), np.concatenate([gyro_dps, 2.0 * bias - gyro_dps[::-1]])


def _backward_rolls(t: np.ndarray, acc: np.ndarray, gyro: np.ndarray, bias: np.ndarray, walk: slice,
                    log=print) -> dict[str, np.ndarray]:
    """Each filter's roll over the walk's samples in the played-backwards copy, in forward order."""
    from bench import orientation as o

    a2, g2 = played_backwards(acc, gyro, bias)
    n = len(t)
    t2 = t[0] + np.arange(2 * n) * float(np.median(np.diff(t)))
    back = np.arange(2 * n - 1 - walk.start, 2 * n - 1 - walk.stop, -1)  # walk samples in the reversed copy
    est = {"host offline": o.host_offline_roll(t2, a2, g2), "host live": o.host_live_roll(t2, a2, g2, 100.0),
           "imufusion": o.imufusion_roll(t2, a2, g2, 100.0, gyro_range_dps=2000.0)}
    try:
        est["device"] = o.device_roll(a2, g2, 100.0)[0]
    except (OSError, RuntimeError) as e:
        log(f"[real] device fusion not available: {e}")
    return {k: v[back] for k, v in est.items()}


def run(data_dir: Path, log=print) -> list[Row]:
    """Obliquity rows: hiplevel host fusion (offline, live), the device fusion and imufusion."""
    from bench.realdata import PELVIS_VICON_DIR, load_pelvis_vicon, quat_to_matrix

    from bench import orientation as o

    root = data_dir / PELVIS_VICON_DIR
    if not root.is_dir():
        return [unavailable(SECTION, "pelvic obliquity", f"{root} is absent")]
    tr = load_pelvis_vicon(root)
    if tr.raw_sensor is None or tr.raw_start is None:
        return [unavailable(SECTION, "pelvic obliquity", "the raw pelvis export is missing or does not contain the walk")]
    r_ps, spread = sensor_to_pelvis(tr)
    raw = tr.raw_sensor
    acc, gyro, t = raw.acc_g @ r_ps.T, raw.gyro_dps @ r_ps.T, raw.t_s
    walk = slice(tr.raw_start, tr.raw_start + len(tr.sensor))
    ref = tr.obliquity_deg
    est: dict[str, np.ndarray] = {
        "host offline": o.host_offline_roll(t, acc, gyro)[walk],
        "host live": o.host_live_roll(t, acc, gyro, 100.0)[walk],
        "imufusion": o.imufusion_roll(t, acc, gyro, 100.0, gyro_range_dps=2000.0)[walk],
    }
    try:
        est["device"] = o.device_roll(acc, gyro, 100.0)[0][walk]
    except (OSError, RuntimeError) as e:
        log(f"[real] device fusion not available: {e}")
    # The sensor's own on-board filter through the same alignment: how far this alignment can go.
    r_wp_est = quat_to_matrix(tr.sensor_quat_wxyz) @ r_ps.T
    est["xsens"] = np.degrees(np.arcsin(np.clip(r_wp_est[:, 2, 1], -1.0, 1.0)))
    stats = {}
    for name, r in est.items():
        e = (r - r.mean()) - (ref - ref.mean())
        stats[name] = (rms(e), pearson_r(r, ref))
    # The sensor's own roll (vendor filter with magnetometer): how closely each fusion follows the
    # sensor itself, apart from how the sensor moves against the optical pelvis.
    own = {name: rms((r - r.mean()) - (est["xsens"] - est["xsens"].mean())) for name, r in est.items()}
    rate_r = gyro_vs_optical_rate_r(tr, r_ps)
    # The recording's gyro bias for the reversed copy: its median over the standing before the walk
    # (up to 1 s before it), the same for every filter.
    bias = np.median(gyro[: max(1, tr.raw_start - 100)], axis=0)
    back = {}
    for name, r in _backward_rolls(t, acc, gyro, bias, walk, log).items():
        back[name] = rms((r - r.mean()) - (ref - ref.mean()))
    log(f"[real] obliquity (alignment spread {spread:.1f} deg): " +
        ", ".join(f"{k} RMSE {v[0]:.2f} r {v[1]:.2f}" for k, v in stats.items()))
    log("[real] RMS difference to the Xsens on-board roll: "
        + ", ".join(f"{k} {v:.2f}" for k, v in own.items() if k != "xsens")
        + "; gyro vs optical rate r (x, y, z): " + ", ".join(f"{v:.2f}" for v in rate_r))
    log("[real] obliquity RMSE with the walk played backwards: "
        + ", ".join(f"{k} {v:.2f}" for k, v in back.items()))
    p_rmse, p_r = stats["imufusion"]
    data = f"neura-pelvis-vicon S02 walk, {len(ref) / 100:.1f} s, optical alignment (spread {spread:.1f} deg)"
    rows = []
    labels = {"host offline": "host fusion, offline", "host live": "host fusion, live", "device": "device fusion (MicroPython)"}
    for name, label in labels.items():
        if name not in stats:
            continue
        e, r = stats[name]
        rows.append(Row(SECTION, f"obliquity RMSE, {label}", data, num(e, "deg"), f"imufusion {p_rmse:.2f} deg",
                        "<= imufusion", judge(e <= p_rmse), note="offset removed over the walk"))
        rows.append(Row(SECTION, f"obliquity correlation r, {label}", data, num(r, digits=3), f"imufusion {p_r:.3f}",
                        note=f"optical obliquity range {np.ptp(ref):.1f} deg"))
    for name, label in labels.items():
        if name in back and "imufusion" in back:
            rows.append(Row(SECTION, f"obliquity RMSE, walk played backwards, {label}", data, num(back[name], "deg"),
                            f"imufusion {back['imufusion']:.2f} deg",
                            note=f"forward {stats[name][0]:.2f} deg: a causal filter's lagging accelerometer "
                            "correction helps one direction of time and hurts the other; zero phase reads both alike"))
    for name, label in labels.items():
        if name in own:
            rows.append(Row(SECTION, f"obliquity RMS difference to the sensor's own roll, {label}", data,
                            num(own[name], "deg"), f"imufusion {own['imufusion']:.2f} deg",
                            note="Xsens on-board roll, same alignment, offsets removed: the fusion against "
                            "the sensor itself"))
    rows.append(Row(SECTION, "roll rate, sensor gyro vs optical pelvis (no fusion)", data, f"r {rate_r[0]:.2f}",
                    note=f"yaw rate r {rate_r[2]:.2f}: about the forward axis the sensor turns unlike the optical "
                    "pelvis, an error floor shared by every filter"))
    e, r = stats["xsens"]
    rows.append(Row(SECTION, "obliquity, Xsens on-board orientation (same alignment)", data, "-",
                    f"Xsens RMSE {e:.2f} deg, r {r:.3f}",
                    note="the sensor vendor's own filter with magnetometer: the ceiling of this alignment"))
    return rows
