"""Recording format: round trip, metadata and events, flush policy, torn tail, damaged records,
unknown files, decoding with gaps, CSV/Parquet export, and replay byte for byte."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiplevel.errors import RecordingError
from hiplevel.link.base import Link, Received
from hiplevel.link.replay import ReplayLink
from hiplevel.protocol import Channel, Flags, PacketType, encode_data_packet, encode_reply
from hiplevel.recording import (
    RecordingWriter,
    decode_recording,
    export_csv,
    export_parquet,
    parse_recording,
    read_recording,
    record_link,
)
from hiplevel.recording.format import RecordKind

PERIOD_US = 10_000


class FakeClock:
    """Controlled host monotonic clock (s), so the flush policy is tested without sleeping."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def roll_packet(seq: int, n: int = 2, flags: int = 0, raw: bool = False) -> bytes:
    kind = PacketType.DATA_RAW if raw else PacketType.DATA_ROLL
    width = 6 if raw else 2
    vals = (np.arange(seq, seq + n)[:, None] * np.arange(1, width + 1)[None, :]) % 3000
    return encode_data_packet(kind, flags, 100, seq, 7_000_000 + seq * PERIOD_US, vals)


def session(path: Path, n_packets: int = 200, drop: tuple[int, ...] = (), resend: bool = False) -> list[Received]:
    """Write a recording of `n_packets` 2-sample packets arriving every 20 ms (+3 ms delay)."""
    clock = FakeClock()
    items: list[Received] = []
    with RecordingWriter(path, {"patient_id": "P-007", "session_id": "S1", "device": {"id": "hiplevel-1a2b"}},
                         clock=clock) as w:
        for k in range(n_packets):
            clock.t = 1000.0 + (2 * k + 1) * 0.01 + 0.003
            if k == 10:
                w.write_event("set_start", exercise="step-down", side="left", set=1)
            if k in drop:
                continue
            items.append(Received(Channel.DATA, roll_packet(2 * k), clock.t))
            w.write_received(items[-1])
        if resend:
            for k in drop:
                clock.t += 0.001
                items.append(Received(Channel.DATA, roll_packet(2 * k, flags=Flags.RESENT), clock.t))
                w.write_received(items[-1])
        items.append(Received(Channel.REPLY, encode_reply(8, 1, 0, b"\x00" * 6), clock.t))
        w.write_received(items[-1])
        w.write_meta(firmware="0.1.0", calibration={"id": "2026-11-25T10:00:00Z"})
        w.write_event("set_end", exercise="step-down", side="left", set=1)
    return items


def test_round_trip_keeps_bytes_channels_times_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "s.hlrec"
    items = session(path)
    rec = read_recording(path)
    assert list(rec.received()) == items
    assert rec.torn_tail is None and rec.damage == []
    assert rec.metadata["patient_id"] == "P-007" and rec.metadata["firmware"] == "0.1.0"
    assert rec.metadata["calibration"] == {"id": "2026-11-25T10:00:00Z"} and rec.header["version"] == 1
    assert [e["type"] for _, e in rec.events] == ["set_start", "meta", "set_end"]


def test_decode_gives_samples_gaps_and_aligned_times(tmp_path: Path) -> None:
    path = tmp_path / "s.hlrec"
    session(path, drop=(50, 51, 120))
    dec = decode_recording(path)
    assert dec.gaps == [(100, 4), (240, 2)]
    assert dec.stats.lost == 6 and dec.stats.received == 394
    seq = dec.roll.meta["seq"]
    assert len(dec.roll) == 394 and not np.isin([100, 101, 102, 103, 240, 241], seq).any()
    np.testing.assert_allclose(dec.roll.roll_deg, (seq % 3000) / 100.0)
    np.testing.assert_allclose(dec.roll.pitch_deg, (2 * seq % 3000) / 100.0)
    # t_s: host seconds since the recording started; sample k was taken at k * 10 ms.
    np.testing.assert_allclose(dec.roll.t_s, seq * 0.01 + 0.003, atol=1e-6)
    set_start = next(t for t, e in dec.events if e["type"] == "set_start")
    assert abs(set_start - (21 * 0.01 + 0.003)) < 1e-9
    assert not np.isnan(dec.roll.roll_deg).any()
    assert dec.summary()["loss_pct"] == pytest.approx(100 * 6 / 400)


def test_resent_samples_fill_gaps(tmp_path: Path) -> None:
    path = tmp_path / "s.hlrec"
    session(path, drop=(50, 51), resend=True)
    dec = decode_recording(path)
    assert dec.gaps == [] and dec.stats.resent == 4 and len(dec.roll) == 400
    assert np.all(np.diff(dec.roll.meta["seq"]) == 1)


def test_raw_mode_decodes_to_imu_series_in_g_and_dps(tmp_path: Path) -> None:
    path = tmp_path / "raw.hlrec"
    with RecordingWriter(path, clock=FakeClock()) as w:
        for k in range(5):
            w.write_received(Received(Channel.DATA, roll_packet(2 * k, raw=True), 1000.0 + k * 0.02))
    dec = decode_recording(path)
    assert dec.roll is None and len(dec.imu) == 10
    np.testing.assert_allclose(dec.imu.acc_g[3], np.array([3, 6, 9]) / 4096)
    np.testing.assert_allclose(dec.imu.gyro_dps[3], np.array([12, 15, 18]) / 32)


def test_flush_policy_syncs_by_time(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "f.hlrec"
    w = RecordingWriter(path, clock=clock, flush_interval_s=0.5)
    size0 = path.stat().st_size
    w.write_received(Received(Channel.DATA, roll_packet(0), clock.t))
    assert path.stat().st_size == size0  # still buffered: less than 0.5 s since the last sync
    clock.t += 0.6
    w.write_received(Received(Channel.DATA, roll_packet(2), clock.t))
    assert path.stat().st_size > size0  # synced: a crash now loses nothing written so far
    w.close()


def test_torn_tail_is_reported_and_everything_before_it_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.hlrec"
    items = session(path)
    full = path.read_bytes()
    for cut in (1, 7, 20, 31):
        rec = parse_recording(full[:-cut])
        assert rec.torn_tail is not None and rec.torn_tail.offset + rec.torn_tail.length == len(full) - cut
        assert list(rec.received())[: len(items) - 1] == items[:-1]


def test_damaged_record_in_the_middle_is_skipped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "d.hlrec"
    items = session(path)
    buf = bytearray(path.read_bytes())
    at = buf.index(items[30].data)
    buf[at + 3] ^= 0x55
    rec = parse_recording(bytes(buf))
    got = list(rec.received())
    assert len(rec.damage) == 1 and rec.torn_tail is None
    assert items[30] not in got and len(got) == len(items) - 1
    assert got[30] == items[31]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "no JSON header"),
    (b"PK\x03\x04 zip file\n", "no JSON header"),
    (b'{"format": "something-else", "version": 1}\n', "format"),
    (b'{"format": "hiplevel-recording", "version": 9}\n', "newer than this reader"),
    (b'{"format": "hiplevel-recording"}\n', "no integer version"),
    (b"{not json\n", "not JSON"),
])
def test_unknown_files_raise_recording_error_naming_the_problem(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.hlrec"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=message):
        read_recording(path)


def test_missing_file_and_existing_target(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot read"):
        read_recording(tmp_path / "nope.hlrec")
    (tmp_path / "a.hlrec").write_bytes(b"")
    with pytest.raises(RecordingError, match="already exists"):
        RecordingWriter(tmp_path / "a.hlrec")


_HEADER = b'{"format": "hiplevel-recording", "version": 1}\n'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.booleans())
def test_no_byte_string_crashes_or_hangs_the_reader(data: bytes, with_header: bool) -> None:
    try:
        rec = parse_recording(_HEADER + data if with_header else data)
    except RecordingError:
        assert not with_header
        return
    consumed = sum(len(r.data) + 18 for r in rec.records) + rec.damaged_bytes
    assert consumed <= len(data) + len(_HEADER)


def test_export_csv_and_parquet(tmp_path: Path) -> None:
    path = tmp_path / "s.hlrec"
    session(path, drop=(3,))
    dec = decode_recording(path)
    assert export_csv(dec, tmp_path / "s.csv") == 398
    assert export_parquet(dec, tmp_path / "s.parquet") == 398
    csv = pd.read_csv(tmp_path / "s.csv")
    pq = pd.read_parquet(tmp_path / "s.parquet")
    assert list(csv.columns) == ["t_s", "seq", "device_t_us", "flags", "roll_deg", "pitch_deg"]
    np.testing.assert_allclose(csv["roll_deg"], dec.roll.roll_deg)
    np.testing.assert_allclose(pq["t_s"], dec.roll.t_s)
    assert 6 not in set(pq["seq"])
    with pytest.raises(RecordingError, match="no imu samples"):
        export_csv(dec, tmp_path / "i.csv", kind="imu")


async def test_replay_fast_reproduces_the_stream_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "s.hlrec"
    items = session(path, drop=(9,))
    link = ReplayLink(path, speed=None)
    got = [rx async for rx in link]
    assert got == items
    # Recording the replay gives the same RX records: a replay is indistinguishable downstream.
    copy = tmp_path / "copy.hlrec"
    with RecordingWriter(copy) as w:
        link2 = ReplayLink(path, speed=None)
        link2.start()
        assert await record_link(link2, w) == len(items)
    assert list(read_recording(copy).received()) == items
    assert decode_recording(copy).roll.meta["seq"].tolist() == decode_recording(path).roll.meta["seq"].tolist()


async def test_replay_at_original_pace_keeps_order_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "s.hlrec"
    items = session(path, n_packets=10)  # 0.2 s of recording, replayed 4x faster
    link = ReplayLink(path, speed=4.0, retime=True)
    got = [rx async for rx in link]
    assert [(g.channel, g.data) for g in got] == [(i.channel, i.data) for i in items]
    assert all(b.host_time_s >= a.host_time_s for a, b in zip(got, got[1:]))


async def test_record_link_writes_sent_commands_and_end_event(tmp_path: Path) -> None:
    class Loop(Link):
        async def _send_packet(self, packet: bytes) -> None:
            self._deliver(Channel.REPLY, encode_reply(packet[0], packet[1], 0))

        async def _close(self) -> None:
            pass

    link = Loop()
    path = tmp_path / "l.hlrec"
    with RecordingWriter(path) as w:
        task = asyncio.create_task(record_link(link, w, idle_flush_s=0.01))
        while not link.sent_listeners:  # the recorder listens for sent commands once it runs
            await asyncio.sleep(0)
        reply = await link.request(0x01)
        assert reply.ok
        await link.close()
        assert await task == 1
    rec = read_recording(path)
    kinds = [r.kind for r in rec.records]
    assert kinds == [RecordKind.TX, RecordKind.RX, RecordKind.EVENT]
    assert rec.records[0].data[0] == 0x01 and rec.events[-1][1] == {"type": "link", "state": "ended"}
    assert os.path.getsize(path) > 0
