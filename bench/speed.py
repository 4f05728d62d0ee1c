"""Section 4: speed and cost.

- Offline analysis speed and memory of long recordings: `bench.long_recordings`.
- Decode + record throughput: `bench.link_throughput.live` (serial bytes -> deframe -> decode ->
  assemble -> recording file).
- Live latency from a packet's arrival to the cue decision and to a rep score (per packet, fed one
  at a time as they would arrive, so processing time = latency; the 50 ms device batching and the
  radio are not host time and are listed with the air figures).
- Firmware cost of one sample on MicroPython (`bench.firmware_cost.MP_CODE`).
- Bytes on air per sample and notifications per second, from docs/protocol.md.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.rows import NA, Row, at_most, unavailable

SECTION = "4. Speed and cost"
ROOT = Path(__file__).resolve().parents[1]
TARGET_LIVE_P99_MS = 50.0
BUDGET_US_100HZ = 10_000.0
# BLE framing around one notification's ATT value on LE 1M, unencrypted: preamble 1, access
# address 4, LL header 2, L2CAP header 4, ATT opcode + handle 3, CRC 3.
BLE_OVERHEAD_BYTES = 17
BATCH_MAX_S = 0.05  # docs/protocol.md: at most 50 ms of data per packet
ROLL_SAMPLE_BYTES, RAW_SAMPLE_BYTES = 4, 12


def _walking_hour(seconds: float, rate_hz: float = 100.0):
    from hiplevel.sim import ExerciseSpec

    return tiled_set(ExerciseSpec("walking", reps=100, turn_every_steps=10), seconds, rate_hz)


def tiled_set(spec, seconds: float, rate_hz: float = 100.0):
    """A simulated session of one set (`hiplevel.sim.ExerciseSpec` spec, seed 7) tiled to at least
    `seconds`: (ImuSeries, span in s)."""
    from hiplevel.samples import ImuSeries
    from hiplevel.sim import SessionSpec, simulate_session

    s = simulate_session(SessionSpec([spec], rate_hz=rate_hz, seed=7)).imu
    dur = s.t_s[-1] + 1.0 / rate_hz
    k = int(math.ceil(seconds / dur))
    t = np.concatenate([s.t_s + i * dur for i in range(k)])
    return ImuSeries(t, np.tile(s.acc_g, (k, 1)), np.tile(s.gyro_dps, (k, 1))), float(t[-1] - t[0])


def _peak_rss_mb() -> float:
    """Peak resident memory of this process, MB: VmHWM (reset by exec, unlike ru_maxrss, which a
    child started from a large parent inherits); ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _throughput_rows(quick: bool) -> list[Row]:
    try:
        from bench.link_throughput import live, make_stream
    except ImportError as e:
        return [unavailable(SECTION, "decode + record throughput", f"bench/link_throughput.py: {e}")]
    seconds = 120.0 if quick else 600.0
    rows = []
    for per_packet, label in ((2, "BLE MTU 23, 2 samples/packet"), (5, "50 ms batches, 5 samples/packet")):
        packets = make_stream(seconds, per_packet)
        with tempfile.TemporaryDirectory() as tmp:
            el = live(packets, Path(tmp) / "bench.hlrec")
        sps = len(packets) * per_packet / el
        rows.append(Row(SECTION, "decode + record throughput", label,
                        f"{sps:,.0f} samples/s ({sps / 100:,.0f}x a 100 Hz stream)"))
    return rows


def _latency_rows(quick: bool) -> list[Row]:
    from hiplevel.live_screen.state import LiveState
    from hiplevel.protocol import PacketType, decode_packet, encode_data_packet
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session
    from hiplevel.link.stream import StreamAssembler

    try:
        from hiplevel.analysis.streaming import OnlineAnalyzer
    except ImportError:
        OnlineAnalyzer = None  # noqa: N806 - the live analyser has not landed: cue only

    rate = 100
    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=30 if quick else 120, weak_side="left")],
                                       rate_hz=rate, seed=11))
    # The device's roll stream stand-in: the true roll and pitch in centidegrees, as on the wire.
    roll = np.round(sim.truth.roll_deg * 100).astype(int)
    pitch = np.round(sim.truth.pitch_deg * 100).astype(int)
    per = 5  # 50 ms batches
    packets = [encode_data_packet(PacketType.DATA_ROLL, 0, rate, i, i * 10_000,
                                  np.column_stack([roll[i:i + per], pitch[i:i + per]]))
               for i in range(0, len(roll) - per + 1, per)]
    asm, state = StreamAssembler(), LiveState("walking")
    oa = OnlineAnalyzer("walking", float(rate)) if OnlineAnalyzer is not None else None
    neutral = float(np.mean(sim.truth.roll_deg[: rate * 2]))
    lat_ms, score_ms, n_reps = [], [], 0
    for pkt in packets:
        t0 = time.perf_counter()
        reps = []
        for blk in asm.push(decode_packet(pkt)):
            if hasattr(blk, "samples"):
                for (r_cdeg, p_cdeg), t_us in zip(blk.samples.tolist(), blk.times_us().tolist()):
                    r_deg = r_cdeg / 100.0
                    if oa is not None:
                        reps += oa.push(t_us / 1e6, roll_deg=r_deg, pitch_deg=p_cdeg / 100.0)
                        cur = oa.current_roll_deg
                        r_rel = cur if math.isfinite(cur) else r_deg - neutral
                    else:
                        r_rel = r_deg - neutral
                    state.on_sample(t_us / 1e6, r_rel)
                for rep in reps:
                    state.on_rep(rep)
        dt_ms = (time.perf_counter() - t0) * 1000
        lat_ms.append(dt_ms)
        if reps:
            score_ms.append(dt_ms)
            n_reps += len(reps)
    lat = np.asarray(lat_ms)
    p50, p99 = float(np.median(lat)), float(np.percentile(lat, 99))
    data = f"{len(packets)} roll packets (5 samples), 100 Hz walking"
    what = "decode + reassemble + OnlineAnalyzer.push + LiveState" if oa is not None else "decode + reassemble + LiveState"
    rows = [Row(SECTION, "live latency, packet arrival to cue decision", data,
                f"median {p50:.3f} ms, p99 {p99:.3f} ms", target="p99 < 50 ms", status=at_most(p99, TARGET_LIVE_P99_MS),
                note=f"{what}; host processing time per packet")]
    if oa is None:
        rows.append(unavailable(SECTION, "live latency, packet to rep score", "hiplevel.analysis.streaming.OnlineAnalyzer has not landed"))
    elif not score_ms:
        rows.append(Row(SECTION, "live latency, packet to rep score", data, "no reps scored", status=NA,
                        note="the live analyser emitted no rep on this stream"))
    else:
        s = np.asarray(score_ms)
        rows.append(Row(SECTION, "live latency, packet to rep score", data,
                        f"median {np.median(s):.2f} ms, p99 {np.percentile(s, 99):.2f} ms",
                        target="p99 < 50 ms", status=at_most(float(np.percentile(s, 99)), TARGET_LIVE_P99_MS),
                        note=f"{n_reps} reps of {len(sim.reps)} scored live; processing time of the packets that "
                             f"completed a rep (by design a walking rep is emitted {_margin_s('walking'):.1f} s after it "
                             "ends, once later samples confirm it: algorithmic delay, not processing)"))
    return rows


def _margin_s(exercise: str) -> float:
    try:
        from hiplevel.analysis.streaming import DEFAULT_MARGIN_S, MARGIN_S
    except ImportError:
        return float("nan")
    return float(MARGIN_S.get(exercise, DEFAULT_MARGIN_S))


def _firmware_rows() -> list[Row]:
    import subprocess  # here: the long-recording children load this module to read their peak memory

    try:
        from bench.firmware_cost import MP_CODE
    except ImportError as e:
        return [unavailable(SECTION, "firmware cost per sample", f"bench/firmware_cost.py: {e}")]
    mp = ROOT / ".venv/bin/micropython"
    env = dict(os.environ, MICROPYPATH=os.pathsep.join([str(ROOT / "firmware"), str(ROOT / "host/hiplevel/virtual/mp")]))
    try:
        p = subprocess.run([str(mp), "-c", MP_CODE % 2000], capture_output=True, text=True, env=env, check=True, timeout=300)
        per_us, read_us, fuse_us = (float(x) for x in p.stdout.split())
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        return [unavailable(SECTION, "firmware cost per sample", f"{type(e).__name__}: {e}")]
    share = per_us / BUDGET_US_100HZ
    return [Row(SECTION, "firmware cost per sample (read, calibrate, mount, fuse, encode)", "MicroPython unix port, this CPU",
                f"{per_us:.1f} us = {100 * share:.2f} % of the 10 ms budget at 100 Hz",
                note=f"I2C read via the stand-in bus {read_us:.1f} us, fuse + encode {fuse_us:.1f} us; "
                     "an ESP32 at 240 MHz is roughly 10-30x slower than the unix port")]


def air_figures(rate_hz: int, mtu: int, sample_bytes: int) -> tuple[int, float, float, float]:
    """(samples per notification, notifications/s, ATT bytes per sample, on-air bytes per sample)."""
    payload = mtu - 3
    n = min((payload - 12) // sample_bytes, 255, int(BATCH_MAX_S * rate_hz))
    if n < 1:
        return 0, float("nan"), float("nan"), float("nan")
    pkt = 12 + n * sample_bytes
    return n, rate_hz / n, pkt / n, (pkt + BLE_OVERHEAD_BYTES) / n


def _air_rows() -> list[Row]:
    rows = []
    for kind, size in (("roll", ROLL_SAMPLE_BYTES), ("raw", RAW_SAMPLE_BYTES)):
        for mtu in (23, 185):
            for rate in (100, 200):
                n, per_s, att, air = air_figures(rate, mtu, size)
                val = (f"{att:.1f} B/sample ({air:.1f} B with BLE framing), {per_s:.0f} notifications/s, {n} samples each"
                       if n else "does not fit (raw mode needs MTU >= 27)")
                rows.append(Row(SECTION, f"bytes on air, {kind} mode", f"MTU {mtu}, {rate} Hz", val,
                                note="header 12 B; batching capped at 50 ms of data" if n else ""))
    return rows


def run(quick: bool = False, log=print) -> list[Row]:
    """Rows of section 4."""
    rows: list[Row] = []
    for name, fn in (("throughput", lambda: _throughput_rows(quick)),
                     ("latency", lambda: _latency_rows(quick)), ("firmware", _firmware_rows), ("air", _air_rows)):
        try:
            part = fn()
        except ImportError as e:
            part = [unavailable(SECTION, name, f"import failed: {e}")]
        log(f"[speed] {name}: " + "; ".join(f"{r.metric} = {r.hiplevel}" for r in part[:2]))
        rows += part
    return rows

