"""Session recordings: exactly what arrived (bytes, channel, host receive time) plus metadata and
events, in the versioned format of docs/recording.md; reading, decoding and export."""

import importlib
from typing import TYPE_CHECKING

# Loaded on first use (PEP 562): reading `recording.format` (`hiplevel analyze` of a CSV checks
# the format name) need not import the decoder, the link and the protocol.
_WHERE = {
    "DecodedSession": "decode", "decode_received": "decode", "decode_recording": "decode",
    "export_csv": "export", "export_parquet": "export", "samples_frame": "export",
    "FILE_SUFFIX": "format", "FORMAT_VERSION": "format", "Record": "format", "RecordKind": "format",
    "Damage": "reader", "Recording": "reader", "parse_recording": "reader", "read_recording": "reader",
    "RecordingWriter": "writer", "record_link": "writer",
}

if TYPE_CHECKING:
    from hiplevel.recording.decode import DecodedSession, decode_received, decode_recording
    from hiplevel.recording.export import export_csv, export_parquet, samples_frame
    from hiplevel.recording.format import FILE_SUFFIX, FORMAT_VERSION, Record, RecordKind
    from hiplevel.recording.reader import Damage, Recording, parse_recording, read_recording
    from hiplevel.recording.writer import RecordingWriter, record_link

__all__ = [
    "FILE_SUFFIX", "FORMAT_VERSION", "Damage", "DecodedSession", "Record", "RecordKind", "Recording",
    "RecordingWriter", "decode_received", "decode_recording", "export_csv", "export_parquet",
    "parse_recording", "read_recording", "record_link", "samples_frame",
]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"hiplevel.recording.{module}"), name)
    globals()[name] = value
    return value
