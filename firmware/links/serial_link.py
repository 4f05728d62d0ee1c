# The same packets over a byte stream (USB serial): COBS frames with channel and CRC-16
# (docs/protocol.md, "USB serial framing"). The UART/stream object is passed in.
from micropython import const

from core import packets as P
from core.auth import Session

_RX_CHUNK_BYTES = const(64)
_FRAME_MAX_BYTES = const(520)
IDLE_RESYNC_MS = const(100)  # a line quiet this long gets a 0x00 before the next frame
_QUEUE_MAX = const(8)  # decoded commands waiting; more are dropped and counted (as on BLE)


class SerialLink:
    """`poll()` reads what arrived; `next_command()` hands out decoded command packets.
    `clock` (ticks_ms/ticks_diff) times the idle line; without one every frame gets the 0x00.
    `trusted`: the USB cable is physical access (core/access.py)."""

    trusted = True

    def __init__(self, uart, clock=None):
        self._uart = uart
        self._clock = clock
        self._last_tx_ms = 0
        self._sent = False
        self._framer = P.Framer()
        self._rx = bytearray(_RX_CHUNK_BYTES)
        self._frame = bytearray(_FRAME_MAX_BYTES)
        self._frame_n = 0
        self._dec = bytearray(_FRAME_MAX_BYTES)
        self._queue = []  # decoded command packets waiting for next_command (rare, small)
        self._reply_buf = bytearray(P.SERIAL_MAX_PACKET_BYTES)
        self.bad_frames = 0
        self.cmd_dropped = 0
        self.session = Session()
        self.payload_max = P.SERIAL_MAX_PACKET_BYTES

    def poll(self):
        uart = self._uart
        while uart.any():
            n = uart.readinto(self._rx)
            if not n:
                return
            for i in range(n):
                self._byte(self._rx[i])

    def _byte(self, b):
        if b != 0:
            if self._frame_n < _FRAME_MAX_BYTES:
                self._frame[self._frame_n] = b
            self._frame_n += 1
            return
        n = self._frame_n
        self._frame_n = 0
        if n == 0:
            return
        if n > _FRAME_MAX_BYTES:
            self.bad_frames += 1
            return
        # a tail we joined mid-frame fails COBS or CRC here and is counted, like noise
        m = P.cobs_decode(self._frame, n, self._dec)
        if m < 4 or P.crc16(self._dec, m - 2) != self._dec[m - 2] | (self._dec[m - 1] << 8):
            self.bad_frames += 1
            return
        if self._dec[0] != P.CH_COMMAND:
            return
        if len(self._queue) >= _QUEUE_MAX:
            self.cmd_dropped += 1
            return
        self._queue.append(bytes(self._dec[1 : m - 2]))

    def next_command(self):
        if not self._queue:
            return None
        return self._queue.pop(0)

    def _lead(self):
        """True when the line was idle: the host's decoder may have joined since, and it drops
        bytes up to the first 0x00, so an empty frame first makes this frame decodable."""
        c = self._clock
        if c is None:
            return True
        now = c.ticks_ms()
        lead = not self._sent or c.ticks_diff(now, self._last_tx_ms) > IDLE_RESYNC_MS
        self._sent = True
        self._last_tx_ms = now
        return lead

    def send_data(self, packet):
        self._uart.write(self._framer.frame(P.CH_DATA, packet, -1, self._lead()))
        return True

    def send_reply(self, cmd, token, status, payload=b""):
        return P.chunk_reply(self._reply_buf, self.payload_max, self._write_reply, cmd, token, status, payload)

    def _write_reply(self, buf, n):
        self._uart.write(self._framer.frame(P.CH_REPLY, buf, n, self._lead()))
        return True
