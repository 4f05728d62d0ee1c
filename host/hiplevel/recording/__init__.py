"""Session recordings: exactly what arrived (bytes, channel, host receive time) plus metadata and
events, in the versioned format of docs/recording.md; reading, decoding and export."""

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
