"""Exceptions of the hiplevel host: one root type, `HiplevelError`, so callers can catch everything
the package raises on purpose without also catching programming errors."""

from __future__ import annotations


class HiplevelError(Exception):
    """Root of every exception the hiplevel host raises on purpose."""


# --- wire protocol (docs/protocol.md) -------------------------------------------------------------
class ProtocolError(HiplevelError):
    """Bytes that are not a valid packet, reply or command of the wire protocol."""


class LengthError(ProtocolError):
    """Packet shorter or longer than its header says (truncated or padded)."""


class UnknownVersionError(ProtocolError):
    """Protocol version (high nibble of `ver_type`) this host does not speak."""


class UnknownTypeError(ProtocolError):
    """Packet type, command or reply status that is not in the protocol table."""


class FieldError(ProtocolError):
    """A header or payload field out of its documented range (e.g. rate_hz outside 50..200)."""


class ChunkError(ProtocolError):
    """Chunks of a multi-chunk reply arrived out of order or with a missing chunk."""


class FramingError(ProtocolError):
    """A serial frame that fails COBS decoding, is too short, too long or fails its CRC."""


# --- links ---------------------------------------------------------------------------------------
class LinkError(HiplevelError):
    """A transport (BLE, serial, replay) failed or was used in a state that does not allow it."""


class LinkClosedError(LinkError):
    """Operation on a link that is closed or disconnected."""


class DeviceNotFoundError(LinkError):
    """No hiplevel sensor (BLE) or serial port matched the search."""


class CommandTimeoutError(LinkError):
    """The device did not answer a command within its timeout."""


class CommandFailedError(LinkError):
    """The device answered a command with a status other than OK."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


# --- recordings ----------------------------------------------------------------------------------
class RecordingError(HiplevelError):
    """A file that is not a readable hiplevel recording (wrong magic, newer version, bad header)."""
