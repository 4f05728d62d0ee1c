"""Recordings are decoded through numpy (`RecordScan` runs, `StreamDecoder.feed_run`,
`RunAssembler.push_fresh_run`, `ClockSync.observe_many`) with the results of the per-packet
path to the bit, whatever the recording holds: lost, duplicated, resent and late packets, flipped
bits in seq and time, restarts, host clock steps, status and reply packets, packets the decoder
rejects, storage damage and a torn end."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiplevel.link.base import Received
from hiplevel._native import hull_kernel
from hiplevel.link.clock_sync import ClockSync
from hiplevel.protocol import (Channel, Cmd, Flags, PacketType, ReplyStatus, StatusPacket, StreamMode,
                               encode_data_packet, encode_reply, encode_status_packet)
from hiplevel.recording import RecordingWriter
from hiplevel.recording import streamed
from hiplevel.recording.reader import RecordRun, scan_recording
from hiplevel.recording.streamed import RecordingStream

FAULTS = ("lose", "duplicate", "resend", "late", "flip_seq", "flip_t", "restart", "reboot", "host_step", "status",
          "reply_start", "empty", "bad_rate", "flags", "jitter", "event", "rate")


def write_faulty(path, seed: int, n_packets: int, faults: list[str], kind: PacketType = PacketType.DATA_RAW,
                 per: int = 5) -> None:
    """A recording of `n_packets` packets with `faults` put in at random places (seeded)."""
    rng = np.random.default_rng(seed)
    fields = 6 if kind == PacketType.DATA_RAW else 2
    rate, period = 100, 10_000
    host = [1000.0]
    places = {int(p): f for p, f in zip(rng.integers(20, n_packets, len(faults)), faults, strict=True)}
    later: list[tuple[int, bytes]] = []
    seq0, t0, host_shift, flags = 0, 3_000_000, 0.0, 0
    with RecordingWriter(path, {"patient_id": "P-VEC"}, clock=lambda: host[0], fsync=False) as w:
        w.write_meta(stream_mode="raw")
        for k in range(n_packets):
            seq = seq0 + k * per
            t_us = t0 + k * per * period
            host[0] = 1000.0 + host_shift + (k * per + per - 1) / rate + 0.004 + 0.006 * float(rng.random())
            fault = places.get(k)
            samples = rng.integers(-3000, 3000, (per, fields))
            pkt_flags = flags
            if fault == "jitter":
                t_us += int(rng.integers(-300, 300))
            elif fault == "flags":
                flags = int(rng.choice([0, int(Flags.STILL), int(Flags.CALIBRATED)]))
                pkt_flags = flags
            elif fault == "host_step":
                host_shift += float(rng.choice([600.0, -30.0, 7.5]))
            elif fault == "restart":
                seq0 -= seq  # START: the device counts from 0 again
                w.write_received(Received(Channel.REPLY, encode_reply(Cmd.START, 1, ReplyStatus.OK), host[0]))
                seq = 0
            elif fault == "reboot":
                seq0, t0 = seq0 - seq, t0 - t_us + 1_000
                seq, t_us = 0, 1_000
            elif fault == "status":
                st_pkt = StatusPacket(Flags(0), rate, seq, t_us, 80, StreamMode.RAW, 3900, 2500, 0, 0, 0, 244)
                w.write_received(Received(Channel.DATA, encode_status_packet(st_pkt), host[0]))
            elif fault == "reply_start":
                w.write_received(Received(Channel.REPLY, encode_reply(Cmd.START, 2, ReplyStatus.OK), host[0]))
            elif fault == "event":
                w.write_event("note", text="x")
            pkt = bytearray(encode_data_packet(kind, pkt_flags, rate, seq, t_us, samples))
            if fault == "lose":
                continue
            if fault == "flip_seq":
                pkt[4 + int(rng.integers(0, 4))] ^= 1 << int(rng.integers(0, 8))
            elif fault == "flip_t":
                pkt[8 + int(rng.integers(0, 4))] ^= 1 << int(rng.integers(0, 8))
            elif fault == "empty":
                pkt = bytearray(encode_data_packet(kind, pkt_flags, rate, seq, t_us, samples[:0]))
            elif fault == "bad_rate":
                pkt[3] = 20
            elif fault == "rate":
                pkt[3] = 125
            elif fault in ("resend", "late"):
                again = bytearray(pkt)
                if fault == "resend":
                    again[1] |= int(Flags.RESENT)
                later.append((k + int(rng.integers(1, 60)), bytes(again)))
                continue
            w.write_received(Received(Channel.DATA, bytes(pkt), host[0]))
            if fault == "duplicate":
                w.write_received(Received(Channel.DATA, bytes(pkt), host[0] + 0.001))
            for due, data in [x for x in later if x[0] <= k]:
                later.remove((due, data))
                w.write_received(Received(Channel.DATA, data, host[0] + 0.002))


def damage_file(path, seed: int, regions: int, torn: int) -> None:
    rng = np.random.default_rng(seed)
    buf = bytearray(path.read_bytes())
    body = buf.index(b"\n") + 1  # the header line stays readable: the records are damaged
    for _ in range(regions):
        at = int(rng.integers(max(body, len(buf) // 10), len(buf)))
        n = int(rng.integers(1, 400))
        buf[at:at + n] = rng.integers(0, 256, len(buf[at:at + n]), dtype=np.uint8).tobytes()
    path.write_bytes(bytes(buf[:len(buf) - torn]))


def assert_same_stream(path) -> None:
    a, b = RecordingStream(path, vectorized=False), RecordingStream(path, vectorized=True)
    assert b.kind == a.kind and b.samples == a.samples
    assert [vars(r) for r in b._runs] == [vars(r) for r in a._runs]
    sa, sb = a.session, b.session
    assert repr(sb.summary()) == repr(sa.summary())
    assert repr(sb.damage_summary()) == repr(sa.damage_summary())
    assert sb.events == sa.events and sb.metadata == sa.metadata and sb.status == sa.status
    assert repr(sb.clock) == repr(sa.clock) and repr(sb.jitter) == repr(sa.jitter)
    assert repr(sb.gap_times) == repr(sa.gap_times) and sb.gaps == sa.gaps
    if a._timebase is None:
        assert b._timebase is None
        return
    ba, bb = list(a.blocks()), list(b.blocks())
    assert len(bb) == len(ba)
    for x, y in zip(ba, bb, strict=True):
        assert x.breaks == y.breaks
        np.testing.assert_array_equal(y.t_s, x.t_s)
        np.testing.assert_array_equal(y.values, x.values)
    assert b.time_fixes == a.time_fixes


@pytest.fixture(params=[16_384, 700], ids=["emit-16384", "emit-700"])
def emit_rows(request, monkeypatch):
    """Pass 2 hands samples on every EMIT_ROWS (a small value: many hand-overs inside a run)."""
    monkeypatch.setattr(streamed, "EMIT_ROWS", request.param)
    return request.param


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(30, 2500),
       faults=st.lists(st.sampled_from(FAULTS), max_size=8), regions=st.integers(0, 2), torn=st.integers(0, 40),
       roll=st.booleans())
def test_vectorized_decoding_is_the_per_packet_decoding(tmp_path_factory, emit_rows, seed, n, faults, regions, torn,
                                                        roll) -> None:
    path = tmp_path_factory.mktemp("vec") / "rec.hlrec"
    write_faulty(path, seed, n, faults, PacketType.DATA_ROLL if roll else PacketType.DATA_RAW, 2 if roll else 5)
    damage_file(path, seed, regions, torn)
    assert_same_stream(path)


@pytest.mark.parametrize("faults", [(), ("lose", "resend", "late", "duplicate"), ("flip_seq", "flip_t", "host_step"),
                                    ("restart", "reboot", "status", "reply_start", "empty", "bad_rate", "rate")])
def test_every_fault_kind(tmp_path, emit_rows, faults) -> None:
    for seed in range(3):
        path = tmp_path / f"rec{seed}.hlrec"
        write_faulty(path, seed, 3000, list(faults) * 3)
        damage_file(path, seed, 1, 17)
        assert_same_stream(path)


def test_runs_are_the_records(tmp_path) -> None:
    """A scan asked for runs hands on the same records, in order, and the same damage."""
    path = tmp_path / "rec.hlrec"
    write_faulty(path, 5, 2000, ["status", "event", "lose", "flip_t", "empty"])
    damage_file(path, 5, 2, 11)
    for piece in (97, 5000, 1 << 22):
        _, plain, records = scan_recording(path, piece)
        want = [(r.kind, r.channel, r.host_time_s, r.data) for r in records]
        _, scan, items = scan_recording(path, piece, runs=True)
        got, runs = [], 0
        for item in items:
            runs += isinstance(item, RecordRun)
            got += [(r.kind, r.channel, r.host_time_s, r.data) for r in
                    (item.records() if isinstance(item, RecordRun) else [item])]
        assert got == want and scan.damage == plain.damage and scan.torn_tail == plain.torn_tail
        assert runs > 0


def _observe_both(t_us: np.ndarray, host: np.ndarray, chunk: int, max_windows: int = 720
                  ) -> tuple[ClockSync, ClockSync]:
    one, many = ClockSync(max_windows=max_windows), ClockSync(max_windows=max_windows)
    for t, h in zip(t_us.tolist(), host.tolist(), strict=True):
        one.observe(t, h)
    for i in range(0, len(t_us), chunk):
        many.observe_many(t_us[i:i + chunk], host[i:i + chunk])
    one.finish()
    many.finish()
    return one, many


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 6000), chunk=st.integers(1, 5000),
       steps=st.lists(st.tuples(st.integers(0, 6000), st.sampled_from([600.0, -30.0, 3.0, -6.0, 40.0])), max_size=3),
       back=st.booleans(), max_windows=st.sampled_from([720, 7, 2]))
def test_clock_fit_of_many_is_the_fit_of_each(seed, n, chunk, steps, back, max_windows) -> None:
    rng = np.random.default_rng(seed)
    t_us = 3_000_000 + np.arange(n, dtype=np.int64) * 50_000 + rng.integers(0, 3, n)
    host = 1000.0 + (t_us - t_us[0]) * 1.00003e-6 + 0.004 + rng.exponential(0.01, n)
    for at, size in steps:
        host[at:] += size
    if back and n > 10:
        t_us[n // 2:] -= 40_000_000  # the device clock went back
    one, many = _observe_both(t_us, host, chunk, max_windows)
    assert repr(many.report()) == repr(one.report())
    assert (many._a, many._b, many._minima, list(many._recent), many._last_x, many._last_r) == \
        (one._a, one._b, one._minima, list(one._recent), one._last_x, one._last_r)
    assert np.array_equal(np.frombuffer(many._xs), np.frombuffer(one._xs))
    assert np.array_equal(np.frombuffer(many._ys), np.frombuffer(one._ys))


def _released(path, runs: bool):
    """What a `StreamDecoder` fed the recording's packets releases, sample by sample, and its findings."""
    from hiplevel.link.stream import Gap
    from hiplevel.recording.decode import StreamDecoder
    from hiplevel.recording.streamed import _received

    out: list = []
    dec = StreamDecoder(out.append)
    _, _, items = scan_recording(path, runs=runs)
    for item in items:
        if isinstance(item, RecordRun):
            dec.feed_run(item)
        elif (rx := _received(item)) is not None:
            dec.feed(rx)
    d = dec.finish()
    gaps = [(g.first_seq, g.count) for g in out if isinstance(g, Gap)]
    blocks = [b for b in out if not isinstance(b, Gap)]
    per_sample = {
        "kind": np.concatenate([np.full(b.count, int(b.kind)) for b in blocks]) if blocks else None,
        "seq": np.concatenate([b.seqs() for b in blocks]) if blocks else None,
        "t": np.concatenate([b.times_us() for b in blocks]) if blocks else None,
        "flags": np.concatenate([np.full(b.count, int(b.flags)) for b in blocks]) if blocks else None,
        "rate": np.concatenate([np.full(b.count, b.rate_hz) for b in blocks]) if blocks else None,
        "samples": np.concatenate([b.samples.reshape(b.count, -1) for b in blocks]) if blocks else None,
    }
    order = [("gap", g.first_seq) if isinstance(g, Gap) else ("block", g.seq) for g in out]
    found = (repr(d.asm.stats), dict(d.errors), d.status, repr(d.clock.report()), repr(d.jitter.report()), d.first_t)
    return gaps, per_sample, found, order


@pytest.mark.parametrize("seed", range(4))
def test_the_decoder_releases_the_same_samples_with_their_flags(tmp_path, seed) -> None:
    path = tmp_path / "rec.hlrec"
    write_faulty(path, seed, 2500, ["flags", "flags", "flags", "lose", "resend", "jitter", "rate", "status", "restart"]
                 * 2)
    damage_file(path, seed, 1, 5)
    ga, sa, fa, oa = _released(path, runs=False)
    gb, sb, fb, ob = _released(path, runs=True)
    assert gb == ga and fb == fa
    for key in sa:
        np.testing.assert_array_equal(sb[key], sa[key])
    # blocks may be joined, never reordered around gaps
    assert [o for o in ob if o[0] == "gap"] == [o for o in oa if o[0] == "gap"]


@pytest.mark.skipif(hull_kernel() is None, reason="the compiled hull kernel is not built here (no C compiler)")
@settings(max_examples=200, deadline=None)
@given(xy=st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e3, 1e3)), min_size=1, max_size=60),
       grid=st.booleans())
def test_compiled_hull_is_the_python_chain(xy, grid) -> None:
    from hiplevel.link.lower_hull import lower_chain, lower_hull

    pts = np.array(sorted(xy, key=lambda p: p[0]), dtype=np.float64)
    if grid:  # ties and collinear points
        pts = np.round(pts)
    python: list = []
    lower_chain(python, pts.tolist())
    assert lower_hull(pts) == python


def test_clock_fit_without_the_kernel_is_the_same(monkeypatch) -> None:
    rng = np.random.default_rng(3)
    t_us = 3_000_000 + np.arange(3000, dtype=np.int64) * 50_000
    host = 1000.0 + (t_us - t_us[0]) * 1.00003e-6 + rng.exponential(0.01, 3000)
    compiled, _ = _observe_both(t_us, host, 500, max_windows=9)
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    python, _ = _observe_both(t_us, host, 500, max_windows=9)
    assert repr(python.report()) == repr(compiled.report())


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 400), max_windows=st.integers(2, 40),
       batch=st.integers(1, 4), shuffle=st.booleans(), native=st.booleans())
def test_the_hull_carried_on_is_the_hull_built_again(seed, n, max_windows, batch, shuffle, native) -> None:
    """The fit of each window minimum list as a clock fit meets them (grown at the end, a few at a
    time, dropped at the front, now and then out of order) is `lower_envelope_line`'s."""
    from hiplevel.link.lower_hull import lower_envelope_line

    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.choice([0.0, 5.0, 5.0, 5.0], n))
    y = np.round(rng.exponential(0.01, n) + x * 3e-5, int(rng.integers(3, 12)))
    clock = ClockSync(max_windows=max_windows)
    minima: list = []
    with pytest.MonkeyPatch.context() as mp:
        if not native:
            mp.setenv("HIPLEVEL_NO_NATIVE", "1")
        for i in range(0, n, batch):
            new = list(zip(x[i:i + batch].tolist(), y[i:i + batch].tolist()))
            if shuffle and rng.random() < 0.1:
                new.reverse()
            minima = (minima + new)[-max_windows:]
            if len(minima) >= 2:
                assert clock._envelope(list(minima)) == lower_envelope_line(np.array(minima))
