"""Serial link: a 0x00 before the first frame after an idle line, so the host's decoder, which
drops bytes up to the first 0x00 when it joins mid-stream, decodes that frame."""

from __future__ import annotations

import pytest

from hiplevel.link.framing import FrameDecoder

from .conftest import run_mp


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return run_mp("t_serial_idle.py", "x", str(tmp_path_factory.mktemp("serial_idle")))


def test_idle_line_gets_a_leading_zero(out):
    first = bytes.fromhex(out["first_reply"])
    close = bytes.fromhex(out["close_reply"])
    assert first[0] == 0 and first[1] != 0  # an empty frame, then the reply
    assert close[0] != 0  # 50 ms after the previous frame: no extra byte
    assert first.count(0) == 2 and close.count(0) == 1 and first[-1] == close[-1] == 0


def test_host_joining_in_the_silence_decodes_the_first_frame(out):
    for key, want_first in (("first_reply", (2, 0x0C)), ("stream", (2, 0x01))):
        dec = FrameDecoder()  # joined mid-stream: not synced
        frames = dec.feed(bytes.fromhex(out[key]))
        channel, packet = frames[0]
        assert (channel, packet[1]) == want_first, key
        assert dec.stats.bytes_skipped_sync == 0 and dec.stats.dropped == 0
    # without the leading 0x00 (the frame sent 50 ms after another) a joining decoder loses it
    dec = FrameDecoder()
    assert dec.feed(bytes.fromhex(out["close_reply"])) == []


def test_no_extra_bytes_inside_a_stream(out):
    data = bytes.fromhex(out["stream"])
    assert data[0] == 0 and b"\x00\x00" not in data  # one lead, then back-to-back frames
    frames = FrameDecoder().feed(data)
    assert sum(1 for ch, p in frames if ch == 1 and p[0] == 0x11) >= 15
