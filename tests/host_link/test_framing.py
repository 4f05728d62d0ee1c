"""COBS, CRC-16/CCITT-FALSE and the incremental frame decoder (docs/protocol.md, USB serial framing)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplevel.errors import FramingError
from hiplevel.link.framing import (
    MAX_FRAME_BYTES,
    Channel,
    FrameDecoder,
    cobs_decode,
    cobs_encode,
    crc16_ccitt_false,
    decode_frame,
    encode_frame,
)
from hostlink_vectors import load_vectors


def test_crc_vector() -> None:
    (vec,) = load_vectors("crc16")
    assert crc16_ccitt_false(bytes.fromhex(vec["fields"]["data_hex"])) == vec["fields"]["crc"] == 0x29B1


@pytest.mark.parametrize("vec", load_vectors("cobs"), ids=lambda v: v["name"])
def test_cobs_vectors(vec: dict) -> None:
    raw = bytes.fromhex(vec["fields"]["data_hex"])
    assert cobs_encode(raw).hex() == vec["hex"]
    assert cobs_decode(bytes.fromhex(vec["hex"])) == raw


@pytest.mark.parametrize("vec", load_vectors("frame"), ids=lambda v: v["name"])
def test_frame_vectors(vec: dict) -> None:
    packet = bytes.fromhex(vec["fields"]["packet_hex"])
    frame = bytes.fromhex(vec["hex"])
    assert encode_frame(vec["fields"]["channel"], packet) == frame
    assert decode_frame(frame[:-1]) == (vec["fields"]["channel"], packet)
    dec = FrameDecoder(synced=True)
    assert dec.feed(frame) == [(vec["fields"]["channel"], packet)]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_cobs_round_trip(data: bytes) -> None:
    enc = cobs_encode(data)
    assert 0 not in enc and cobs_decode(enc) == data


@pytest.mark.parametrize("block", [b"", b"\x05\x01", b"\x02\x00", b"\x03\x01"])
def test_cobs_decode_rejects_invalid_blocks(block: bytes) -> None:
    with pytest.raises(FramingError):
        cobs_decode(block)


def test_encode_frame_rejects_oversize() -> None:
    encode_frame(1, bytes(MAX_FRAME_BYTES - 3))
    with pytest.raises(FramingError):
        encode_frame(1, bytes(MAX_FRAME_BYTES - 2))


def _stream(n: int, rng: random.Random) -> tuple[list[tuple[int, bytes]], bytes]:
    frames = [(rng.choice((1, 2)), rng.randbytes(rng.randint(1, 60))) for _ in range(n)]
    return frames, b"".join(encode_frame(c, p) for c, p in frames)


def test_decoder_handles_arbitrary_chunking() -> None:
    rng = random.Random(7)
    frames, stream = _stream(200, rng)
    dec = FrameDecoder(synced=True)
    out, i = [], 0
    while i < len(stream):
        step = rng.randint(1, 40)
        out += dec.feed(stream[i : i + step])
        i += step
    assert out == frames and dec.stats.frames_ok == 200 and dec.stats.dropped == 0


def test_decoder_joining_mid_stream_discards_up_to_first_delimiter() -> None:
    frames, stream = _stream(5, random.Random(1))
    first_len = len(encode_frame(*frames[0]))
    dec = FrameDecoder()
    assert dec.feed(stream[3:]) == frames[1:]
    assert dec.stats.bytes_skipped_sync == first_len - 4
    # A decoder that starts unsynced also drops a complete first frame: the spec's rule.
    assert FrameDecoder().feed(stream) == frames[1:]


def test_decoder_counts_each_kind_of_drop_and_resyncs() -> None:
    good = encode_frame(Channel.DATA, b"\x11\x22\x33")
    body = bytearray(good[:-1])
    body[2] ^= 0x01  # a flipped bit fails the CRC
    bad_crc = bytes(body) + b"\x00"
    bad_cobs = b"\x09\x01\x02\x00"  # code runs past the block end
    short = cobs_encode(b"\x01\x02\x03") + b"\x00"
    unknown_channel = encode_frame(7, b"\x01")
    oversize = b"\x01" * 2000 + b"\x00"
    dec = FrameDecoder(synced=True)
    out = dec.feed(bad_crc + good + bad_cobs + short + b"\x00\x00" + unknown_channel + oversize + good)
    assert out == [(1, b"\x11\x22\x33")] * 2
    s = dec.stats
    assert (s.dropped_crc, s.dropped_cobs, s.dropped_short, s.dropped_channel, s.dropped_oversize) == (1, 1, 1, 1, 1)
    assert s.frames_ok == 2


def test_oversize_in_small_chunks_is_bounded_and_resyncs() -> None:
    dec = FrameDecoder(synced=True)
    for _ in range(100):
        assert dec.feed(b"\x05" * 100) == []
    assert len(dec._buf) <= 1000  # memory stays bounded while no delimiter comes
    good = encode_frame(2, b"\x14\x01\x01\x00\x00")
    assert dec.feed(b"\x00" + good) == [(2, b"\x14\x01\x01\x00\x00")]
    assert dec.stats.dropped_oversize == 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=8), st.booleans())
def test_no_byte_string_crashes_or_fakes_a_frame(chunks: list[bytes], synced: bool) -> None:
    dec = FrameDecoder(synced=synced)
    for chunk in chunks:
        for channel, packet in dec.feed(chunk):
            assert channel in (1, 2, 3)
            # Every yielded packet came from a frame that re-encodes to bytes present in the input.
            assert encode_frame(channel, packet)[:-1] in b"".join(chunks)
