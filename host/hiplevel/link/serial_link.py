"""USB serial fallback link on pyserial: COBS/CRC frames (hiplevel.link.framing), port discovery by USB
VID/PID or description, a read thread that only timestamps, deframes and queues packets."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable, Mapping

import serial
import serial.tools.list_ports
from serial.tools.list_ports_common import ListPortInfo

from hiplevel.errors import DeviceNotFoundError, LinkError
from hiplevel.link.framing import MAX_FRAME_BYTES, FrameDecoder, FrameStats, encode_frame
from hiplevel.link.base import Link, host_now_s
from hiplevel.protocol import Channel

log = logging.getLogger(__name__)

DEFAULT_BAUDRATE = 115200
READ_TIMEOUT_S = 0.05  # how often the read thread checks for close when the line is idle

# USB-serial bridges found on ESP32 boards, and the ESP32-S3/C3 native USB: (VID, PID) -> name.
KNOWN_USB_IDS: dict[tuple[int, int], str] = {
    (0x303A, 0x1001): "Espressif USB JTAG/serial",
    (0x303A, 0x4001): "Espressif USB CDC",
    (0x10C4, 0xEA60): "Silicon Labs CP210x",
    (0x1A86, 0x7523): "WCH CH340",
    (0x1A86, 0x55D4): "WCH CH9102",
    (0x0403, 0x6001): "FTDI FT232R",
    (0x0403, 0x6015): "FTDI FT231X",
}
DESCRIPTION_HINTS = ("hiplevel",)


def match_ports(ports: Iterable[ListPortInfo], usb_ids: Mapping[tuple[int, int], str] = KNOWN_USB_IDS,
                description_hints: Iterable[str] = DESCRIPTION_HINTS) -> list[ListPortInfo]:
    """Ports that look like a hiplevel sensor: those whose description/product names hiplevel first,
    then known ESP32 USB bridges by VID/PID; each group in device-name order."""
    hints = [h.lower() for h in description_hints]
    named, by_id = [], []
    for p in ports:
        text = " ".join(str(x) for x in (p.description, p.product, p.manufacturer) if x).lower()
        if any(h in text for h in hints):
            named.append(p)
        elif p.vid is not None and (p.vid, p.pid) in usb_ids:
            by_id.append(p)
    return sorted(named, key=lambda p: p.device) + sorted(by_id, key=lambda p: p.device)


def find_serial_ports() -> list[ListPortInfo]:
    """Serial ports of this machine that may be a hiplevel sensor (see `match_ports`)."""
    return match_ports(serial.tools.list_ports.comports())


class SerialLink(Link):
    """A hiplevel sensor on a serial port (or any tty, e.g. a pseudo-terminal in tests).

    Opening writes one 0x00 so the device's frame decoder is synchronised before the first command;
    incoming bytes are discarded up to the first 0x00 (the spec's rule for joining mid-stream).
    """

    max_packet_bytes = MAX_FRAME_BYTES - 3  # channel byte and CRC share the 512-byte frame

    def __init__(self, port: serial.Serial) -> None:
        super().__init__()
        self.port = port
        self.decoder = FrameDecoder(synced=False, channels=(Channel.DATA, Channel.REPLY))
        self._stop = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @classmethod
    async def open(cls, device: str | None = None, baudrate: int = DEFAULT_BAUDRATE) -> SerialLink:
        """Open `device` (or the first port `find_serial_ports` finds) and start reading."""
        if device is None:
            found = find_serial_ports()
            if not found:
                raise DeviceNotFoundError("no serial port looks like a hiplevel sensor")
            device = found[0].device
        try:
            port = serial.Serial(device, baudrate=baudrate, timeout=READ_TIMEOUT_S, write_timeout=2.0)
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"cannot open serial port {device}: {exc}") from None
        link = cls(port)
        link._start(asyncio.get_running_loop())
        return link

    @property
    def frame_stats(self) -> FrameStats:
        """Frames decoded and dropped (bad COBS, short, CRC, oversize, channel)."""
        return self.decoder.stats

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.port.reset_input_buffer()
        self._write(b"\x00")
        self._thread = threading.Thread(target=self._read_loop, args=(loop,), name="hiplevel-serial", daemon=True)
        self._thread.start()

    def _read_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            while not self._stop.is_set():
                chunk = self.port.read(self.port.in_waiting or 1)
                if not chunk:
                    continue
                t = host_now_s()
                for channel, packet in self.decoder.feed(chunk):
                    self._deliver_threadsafe(loop, channel, packet, t)
        except (serial.SerialException, OSError, TypeError) as exc:
            # pyserial raises TypeError from read() when the port is closed under it.
            if not self._stop.is_set():
                log.warning("serial link %s lost: %s", self.port.port, exc)
        finally:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self._deliver_end)

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            self.port.write(data)
            self.port.flush()

    async def _send_packet(self, packet: bytes) -> None:
        frame = encode_frame(Channel.COMMAND, packet)
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._write, frame)
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"serial write failed: {exc}") from None

    async def _close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
        self.port.close()
