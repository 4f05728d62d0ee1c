"""Section 2: orientation alone. Roll RMSE against the simulator's true pelvis roll for

- the device: exactly `firmware/core/fusion.py`, run on the MicroPython unix interpreter over the
  simulated samples (fed through a file by `bench/mp_fusion.py`, dt = the nominal sample period as
  on the device, output in centidegrees as on the wire);
- the host: `hiplevel.signal.fuse_tilt` (offline, zero-phase) and `TiltFusion` (live, causal);
- the peer: x-io Fusion (`imufusion`) AHRS with its recommended settings (gain 0.5, acceleration
  rejection 10 deg, 5 s recovery, gyro offset correction), no magnetometer.

Same samples for all: a session with every simulated exercise, noise on, no mounting offset (a
mount offset is an alignment question, covered in section 1; here the filters must agree with the
true pelvis roll directly), after an ideal calibration (the product calibrates the chip: an
uncalibrated MPU6050's turn-on gyro bias of a few deg/s and accelerometer offset of ~20 mg are not
a property of the fusion). The first 3 s (filter start-up, the person is standing) are excluded.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from bench.metrics import rms
from bench.rows import Row, at_most, judge, num, unavailable

SECTION = "2. Orientation alone (roll vs simulated truth)"
ROOT = Path(__file__).resolve().parents[1]
MICROPYTHON = ROOT / ".venv/bin/micropython"
SETTLE_S = 3.0
TARGET_VS_PEER_DEG = 0.5
RATES_HZ = (50.0, 100.0, 200.0)


def device_roll(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch, deg, from the firmware fusion on MicroPython (body-frame g and deg/s)."""
    if not MICROPYTHON.exists():
        raise FileNotFoundError(f"{MICROPYTHON} is missing (make test installs it)")
    dt = round(1e6 / rate_hz) / 1e6  # the firmware's slot period
    rec = np.column_stack([acc_g, gyro_dps, np.full(len(acc_g), dt)]).astype("<f4")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.f32", Path(tmp) / "out.i16"
        rec.tofile(src)
        env = dict(os.environ, MICROPYPATH=str(ROOT / "firmware"))
        subprocess.run([str(MICROPYTHON), str(ROOT / "bench/mp_fusion.py"), str(src), str(dst)],
                       env=env, check=True, capture_output=True, timeout=600)
        out = np.fromfile(dst, dtype="<i2").reshape(-1, 2) / 100.0
    if len(out) != len(acc_g):
        raise RuntimeError(f"MicroPython fusion returned {len(out)} of {len(acc_g)} samples")
    return out[:, 0], out[:, 1]


def host_offline_roll(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray) -> np.ndarray:
    """Roll, deg, from the host's offline zero-phase tilt fusion."""
    from hiplevel.signal.fusion import fuse_tilt, up_to_roll_pitch_deg

    return up_to_roll_pitch_deg(fuse_tilt(t_s, acc_g, gyro_dps).up_)[0]


def host_live_roll(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float) -> np.ndarray:
    """Roll, deg, from the host's causal per-sample tilt fusion (the live path)."""
    from hiplevel.signal.fusion import up_to_roll_pitch_deg
    from hiplevel.signal.live_fusion import TiltFusion

    f = TiltFusion(rate_hz=rate_hz)
    dt = np.diff(t_s, prepend=t_s[0] - 1.0 / rate_hz)
    up = np.array([f.update(acc_g[i], gyro_dps[i], float(dt[i])) for i in range(len(t_s))])
    return up_to_roll_pitch_deg(up)[0]


def imufusion_roll(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float,
                   gyro_range_dps: float = 500.0) -> np.ndarray:
    """Roll, deg, from x-io Fusion (NWU = body frame x forward, y left, z up) with its recommended
    settings and gyro offset correction; dt from the timestamps."""
    import imufusion

    s = imufusion.AhrsSettings()
    s.convention = imufusion.CONVENTION_NWU
    s.gain = 0.5
    s.gyroscope_range = gyro_range_dps
    s.acceleration_rejection = 10.0
    s.magnetic_rejection = 0.0
    s.rejection_timeout = int(5 * rate_hz)
    s.sample_rate = rate_hz
    ahrs = imufusion.Ahrs()
    ahrs.set_settings(s)
    bias = imufusion.Bias()
    bs = imufusion.BiasSettings()
    bs.sample_rate = rate_hz
    bias.set_settings(bs)
    dt = np.diff(t_s, prepend=t_s[0] - 1.0 / rate_hz)
    roll = np.empty(len(t_s))
    g = np.ascontiguousarray(gyro_dps, float)
    a = np.ascontiguousarray(acc_g, float)
    for i in range(len(t_s)):
        ahrs.set_sample_period(float(dt[i]))
        ahrs.update_no_magnetometer(bias.update(g[i]), a[i])
        roll[i] = imufusion.quaternion_to_euler(ahrs.get_quaternion())[0]
    return roll


def calibrated(sim) -> tuple[np.ndarray, np.ndarray]:
    """The simulated samples after an ideal factory calibration (turn-on biases and the scale /
    cross-axis matrices removed; warm-up drift and bias random walk stay), as the product's
    calibration file does on the device. Valid for a zero mount offset (sensor = body frame)."""
    e = sim.params["device_errors"]
    acc = (sim.imu.acc_g - e.accel_bias_g) @ np.linalg.inv(e.accel_matrix).T
    gyro = (sim.imu.gyro_dps - e.gyro_bias_dps) @ np.linalg.inv(e.gyro_matrix).T
    return acc, gyro


def _session(rate_hz: float, seed: int, quick: bool):
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    n = 1 if quick else 2
    ex = [ExerciseSpec("walking", reps=20 * n, weak_side="left", drop_deg=9.0, turn_every_steps=8),
          ExerciseSpec("band-walk", reps=8, weak_side="right"),
          ExerciseSpec("single-leg-stance", reps=2, hold_s=10.0),
          ExerciseSpec("step-down", reps=3 * n),
          ExerciseSpec("single-leg-squat", reps=3 * n)]
    return simulate_session(SessionSpec(ex, rate_hz=rate_hz, seed=seed, mount_offset_deg=(0.0, 0.0, 0.0),
                                        noise=True, rest_s=6.0))


def run(quick: bool = False, seed: int | None = None, log=print) -> list[Row]:
    """Rows of section 2."""
    try:
        import imufusion  # noqa: F401
    except ImportError as e:
        return [unavailable(SECTION, "roll RMSE", f"imufusion is not installed ({e}); make bench installs the extra")]
    seed = int(np.random.SeedSequence().generate_state(1)[0]) if seed is None else seed
    rates = (100.0,) if quick else RATES_HZ
    log(f"[orientation] seed {seed}, rates {[int(r) for r in rates]} Hz")
    errs: dict[str, list[np.ndarray]] = {"device": [], "host offline": [], "host live": [], "imufusion": []}
    per_rate: dict[str, list[str]] = {k: [] for k in errs}
    device_error = None
    for k, rate in enumerate(rates):
        sim = _session(rate, seed + k, quick)
        t_s, truth = sim.imu.t_s, sim.truth.roll_deg
        acc, gyro = calibrated(sim)
        keep = t_s >= t_s[0] + SETTLE_S
        est = {
            "host offline": host_offline_roll(t_s, acc, gyro),
            "host live": host_live_roll(t_s, acc, gyro, rate),
            "imufusion": imufusion_roll(t_s, acc, gyro, rate),
        }
        try:
            est["device"] = device_roll(acc, gyro, rate)[0]
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            device_error = f"{type(e).__name__}: {e}"
        for name, r in est.items():
            errs[name].append((r - truth)[keep])
            per_rate[name].append(f"{rate:.0f} Hz {rms((r - truth)[keep]):.2f}")
        for name in ("device", "host offline", "host live"):
            if name in est:
                errs.setdefault(f"{name} vs peer", []).append((est[name] - est["imufusion"])[keep])
        log(f"[orientation] {rate:.0f} Hz: " + ", ".join(f"{n} {rms((r - truth)[keep]):.3f}" for n, r in est.items()))
    peer = rms(np.concatenate(errs["imufusion"]))
    data = f"all exercises, {'/'.join(str(int(r)) for r in rates)} Hz, noise, {sum(len(e) for e in errs['imufusion'])} samples"
    rows = [Row(SECTION, "roll RMSE vs truth", data, "-", peer=f"imufusion {peer:.2f} deg",
                note="reference filter; per rate: " + ", ".join(per_rate["imufusion"]))]
    for name in ("device", "host offline", "host live"):
        if not errs[name]:
            rows.append(unavailable(SECTION, f"{name} roll", device_error or "no output"))
            continue
        e = rms(np.concatenate(errs[name]))
        d = rms(np.concatenate(errs[f"{name} vs peer"]))
        label = {"device": "device fusion (firmware on MicroPython)", "host offline": "host fusion, offline (fuse_tilt)",
                 "host live": "host fusion, live (TiltFusion)"}[name]
        rows.append(Row(SECTION, f"{label}: roll RMSE vs truth", data, num(e, "deg"), peer=f"imufusion {peer:.2f} deg",
                        target="< imufusion", status=judge(e < peer), note="per rate: " + ", ".join(per_rate[name])))
        rows.append(Row(SECTION, f"{label}: RMS difference to imufusion", data, num(d, "deg"),
                        target="<= 0.5 deg", status=at_most(d, TARGET_VS_PEER_DEG)))
    return rows
