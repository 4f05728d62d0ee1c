"""Decoder/encoder of docs/protocol.md against the shared vectors, plus malformed-input handling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplevel import protocol as P
from hiplevel.errors import ChunkError, FieldError, HiplevelError, LengthError, ProtocolError, UnknownTypeError, UnknownVersionError
from hostlink_vectors import load_vectors


@pytest.mark.parametrize("vec", load_vectors("packet"), ids=lambda v: v["name"])
def test_packet_vectors_decode_to_their_fields(vec: dict) -> None:
    f = vec["fields"]
    pkt = P.decode_packet(bytes.fromhex(vec["hex"]))
    assert (int(pkt.flags), pkt.rate_hz, pkt.seq, pkt.t_us) == (f["flags"], f["rate_hz"], f["seq"], f["t_us"])
    if f["type"] == "STATUS":
        assert isinstance(pkt, P.StatusPacket)
        s = f["status"]
        assert pkt.battery_pct == s["battery_pct"] and pkt.mode == s["mode"]
        assert (pkt.battery_mv, pkt.temp_cdegc, pkt.neutral_roll_cdeg) == (s["battery_mv"], s["temp_cdegc"], s["neutral_roll_cdeg"])
        assert (pkt.imu_errors, pkt.ring_overwritten, pkt.payload_max) == (s["imu_errors"], s["ring_overwritten"], s["payload_max"])
        assert P.encode_status_packet(pkt).hex() == vec["hex"]
    else:
        assert isinstance(pkt, P.DataPacket)
        assert pkt.type.name == f["type"] and pkt.count == f["count"]
        expected = np.array([[smp[name] for name in pkt.fields] for smp in f["samples"]], dtype=np.int16)
        assert pkt.samples.dtype == np.int16
        np.testing.assert_array_equal(pkt.samples, expected)
        assert P.encode_data_packet(pkt.type, pkt.flags, pkt.rate_hz, pkt.seq, pkt.t_us, pkt.samples).hex() == vec["hex"]


@pytest.mark.parametrize("vec", load_vectors("reply"), ids=lambda v: v["name"])
def test_reply_vectors(vec: dict) -> None:
    f = vec["fields"]
    r = P.decode_reply(bytes.fromhex(vec["hex"]))
    assert (r.cmd, r.token, int(r.status), r.chunk, r.more) == (f["cmd"], f["token"], f["status"], f["chunk"], f["more"])
    assert r.payload.hex() == f["payload_hex"]
    assert P.encode_reply(r.cmd, r.token, r.status, r.payload, r.chunk, r.more).hex() == vec["hex"]


@pytest.mark.parametrize("vec", load_vectors("command"), ids=lambda v: v["name"])
def test_command_vectors(vec: dict) -> None:
    f = vec["fields"]
    payload = bytes.fromhex(f["payload_hex"])
    assert P.encode_command(f["cmd"], f["token"], payload, f["chunk"], f["more"]).hex() == vec["hex"]
    assert P.decode_command(bytes.fromhex(vec["hex"])) == P.Command(f["cmd"], f["token"], f["chunk"], f["more"], payload)


def test_payload_builders_match_command_vectors() -> None:
    by_name = {v["name"]: v["fields"]["payload_hex"] for v in load_vectors("command")}
    assert P.resend_payload(40000, 500).hex() == by_name["command_resend"]
    assert P.set_haptic_payload(True, 6.0, 250).hex() == by_name["command_set_haptic"]
    assert P.parse_haptic_reply(P.set_haptic_payload(False, -2.5, 10)) == (False, -2.5, 10)
    assert P.set_rate_payload(125) == b"\x7d"
    assert P.set_mode_payload(P.StreamMode.RAW) == b"\x02"
    assert P.parse_resend_reply(P.resend_payload(2**32 + 5, 7)) == (5, 7)
    assert P.parse_tare_reply(bytes.fromhex("c8fe")) == -3.12


@pytest.mark.parametrize("bad", [lambda: P.set_rate_payload(60), lambda: P.set_mode_payload(0),
                                 lambda: P.resend_payload(0, 70000), lambda: P.set_haptic_payload(True, 400.0, 10),
                                 lambda: P.encode_command(1, 256), lambda: P.encode_command(1, 1, chunk=128)])
def test_builders_reject_out_of_range(bad) -> None:
    with pytest.raises(FieldError):
        bad()


def test_scaling_to_units() -> None:
    assert P.cdeg_to_deg(np.array([-650]))[0] == -6.5
    assert P.acc_counts_to_g(np.array([4096, -2048])).tolist() == [1.0, -0.5]
    assert P.gyro_counts_to_dps(np.array([32, -3200])).tolist() == [1.0, -100.0]
    assert P.period_us(125) == 8000 and P.period_us(200) == 5000


def _roll_packet_hex() -> bytes:
    return bytes.fromhex(load_vectors("packet")[0]["hex"])


def test_truncated_and_padded_packets_raise_length_error() -> None:
    good = _roll_packet_hex()
    for bad in (good[:-1], good + b"\x00", good[:11], b""):
        with pytest.raises(LengthError):
            P.decode_packet(bad)


def test_unknown_version_type_and_rate_are_typed_errors() -> None:
    good = bytearray(_roll_packet_hex())
    with pytest.raises(UnknownVersionError):
        P.decode_packet(bytes([0x21]) + bytes(good[1:]))
    with pytest.raises(UnknownTypeError):
        P.decode_packet(bytes([0x15]) + bytes(good[1:]))
    with pytest.raises(UnknownTypeError):  # a reply on the data channel
        P.decode_packet(bytes([0x14]) + bytes(good[1:]))
    good[3] = 0  # rate 0 Hz would make every sample time a division by zero
    with pytest.raises(FieldError):
        P.decode_packet(bytes(good))
    with pytest.raises(UnknownTypeError):
        P.decode_reply(bytes.fromhex("140507630000"))  # status 0x63 unknown
    with pytest.raises(UnknownTypeError):
        P.decode_reply(_roll_packet_hex())
    assert issubclass(ProtocolError, HiplevelError)


def test_samples_are_read_only() -> None:
    pkt = P.decode_packet(_roll_packet_hex())
    with pytest.raises(ValueError):
        pkt.samples[0, 0] = 1


def test_reply_assembler_joins_chunks_in_order() -> None:
    text = b'{"device_id": "hiplevel-1a2b", "fw": "0.1.0", "protocol": 1}'
    chunks = [text[i : i + 7] for i in range(0, len(text), 7)]
    asm = P.ReplyAssembler()
    results = [asm.feed(P.decode_reply(P.encode_reply(9, 3, 0, c, i, i < len(chunks) - 1))) for i, c in enumerate(chunks)]
    assert results[:-1] == [None] * (len(chunks) - 1)
    assert results[-1] == P.Reply(9, 3, P.ReplyStatus.OK, 0, False, text)
    assert asm.pending() == []


def test_reply_assembler_rejects_missing_chunk_and_wraps_index() -> None:
    asm = P.ReplyAssembler()
    asm.feed(P.Reply(9, 1, P.ReplyStatus.OK, 0, True, b"a"))
    with pytest.raises(ChunkError):
        asm.feed(P.Reply(9, 1, P.ReplyStatus.OK, 2, False, b"c"))
    # 130 chunks: indices wrap modulo 128 and still assemble.
    packets = P.split_command(0x0B, 5, bytes(range(256)) * 2, max_packet_bytes=7)
    assert len(packets) == 128 and P.decode_command(packets[-1]).more is False
    for i in range(129):
        assert asm.feed(P.Reply(10, 2, P.ReplyStatus.OK, i % 128, True, b"x")) is None
    done = asm.feed(P.Reply(10, 2, P.ReplyStatus.OK, 129 % 128, False, b"y"))
    assert done is not None and done.payload == b"x" * 129 + b"y"


def test_split_command_round_trips_payload() -> None:
    payload = bytes(range(200))
    parts = [P.decode_command(p) for p in P.split_command(0x0B, 9, payload, max_packet_bytes=20)]
    assert all(len(P.encode_command(c.cmd, c.token, c.payload, c.chunk, c.more)) <= 20 for c in parts)
    assert b"".join(c.payload for c in parts) == payload
    assert [c.chunk for c in parts] == list(range(len(parts)))
    assert [c.more for c in parts] == [True] * (len(parts) - 1) + [False]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_no_byte_string_crashes_the_decoders(data: bytes) -> None:
    for decode in (P.decode_packet, P.decode_reply, P.decode_command):
        try:
            out = decode(data)
        except ProtocolError:
            continue
        if isinstance(out, P.DataPacket):  # accepted only with an exactly matching length
            assert len(data) == P.HEADER_SIZE_BYTES + out.count * 2 * len(out.fields)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([P.PacketType.DATA_ROLL, P.PacketType.DATA_RAW]), st.integers(0, 255),
       st.sampled_from([50, 100, 125, 200]), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.data())
def test_encode_decode_round_trip(kind, flags, rate, seq, t_us, data) -> None:
    n_fields = len(P.SAMPLE_FIELDS[kind])
    n = data.draw(st.integers(0, 10))
    samples = np.array(data.draw(st.lists(st.integers(-32768, 32767), min_size=n * n_fields, max_size=n * n_fields)),
                       dtype=np.int16).reshape(n, n_fields)
    pkt = P.decode_packet(P.encode_data_packet(kind, flags, rate, seq, t_us, samples))
    assert pkt == P.DataPacket(kind, P.Flags(flags), rate, seq, t_us, samples)
