"""Throughput of the host's receive path, in samples per second (prints figures; not a test).

Live path: serial bytes -> FrameDecoder -> decode_packet -> StreamAssembler -> RecordingWriter
(flush + fsync every 0.5 s). Offline path: read + decode a recording into a RollSeries.
Run: .venv/bin/python bench/link_throughput.py [--seconds 600]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from hiplevel.link.framing import FrameDecoder, encode_frame
from hiplevel.link.base import Received
from hiplevel.protocol import Channel, PacketType, decode_packet, encode_data_packet
from hiplevel.recording import RecordingWriter, decode_recording, read_recording
from hiplevel.link.stream import StreamAssembler

RATE_HZ = 100


def make_stream(n_seconds: float, per_packet: int) -> list[bytes]:
    rng = np.random.default_rng(0)
    n = int(n_seconds * RATE_HZ) // per_packet
    return [encode_data_packet(PacketType.DATA_ROLL, 0, RATE_HZ, k * per_packet, k * per_packet * 10_000,
                               rng.integers(-3000, 3000, (per_packet, 2))) for k in range(n)]


def live(packets: list[bytes], path: Path) -> float:
    wire = b"\x00" + b"".join(encode_frame(Channel.DATA, p) for p in packets)
    chunks = [wire[i : i + 4096] for i in range(0, len(wire), 4096)]
    dec, asm = FrameDecoder(), StreamAssembler()
    start = time.perf_counter()
    with RecordingWriter(path) as writer:
        t = 0.0
        for chunk in chunks:
            for channel, packet in dec.feed(chunk):
                t += 0.001
                writer.write_received(Received(Channel(channel), packet, t))
                asm.push(decode_packet(packet))  # type: ignore[arg-type]
        asm.finish()
    elapsed = time.perf_counter() - start
    assert asm.stats.received == sum((len(p) - 12) // 4 for p in packets)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="simulated session length at 100 Hz")
    args = parser.parse_args()
    for per_packet, label in ((2, "BLE default MTU, 2 samples/packet"), (5, "serial / 50 ms batches, 5 samples/packet")):
        packets = make_stream(args.seconds, per_packet)
        n_samples = len(packets) * per_packet
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.hlrec"
            t_live = live(packets, path)
            size = path.stat().st_size
            start = time.perf_counter()
            dec = decode_recording(read_recording(path))
            t_off = time.perf_counter() - start
        assert len(dec.roll) == n_samples
        print(f"{label}: {n_samples} samples ({args.seconds:.0f} s at {RATE_HZ} Hz), recording {size / 1e6:.2f} MB")
        print(f"  live deframe+decode+assemble+record: {n_samples / t_live:,.0f} samples/s "
              f"({len(packets) / t_live:,.0f} packets/s, {t_live:.2f} s)")
        print(f"  offline read+decode to RollSeries:   {n_samples / t_off:,.0f} samples/s ({t_off:.2f} s)")


if __name__ == "__main__":
    main()
