"""Export of decoded samples to CSV and Parquet (one row per received sample; lost slots are absent
and can be recovered from gaps in `seq`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from hiplevel.constants import CSV_ACC_G, CSV_GYR_DPS, CSV_TIME
from hiplevel.errors import RecordingError
from hiplevel.recording.decode import DecodedSession

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["roll", "imu"]


def samples_frame(session: DecodedSession, kind: Kind = "roll") -> pd.DataFrame:
    """Samples as a table: t_s (host-aligned s since recording start), seq (unwrapped slot),
    device_t_us, flags, then roll_deg/pitch_deg or ax_g..az_g, gx_dps..gz_dps (body frame)."""
    import pandas as pd  # here, not at import: reading and analysing recordings does not need it

    series = session.roll if kind == "roll" else session.imu
    if series is None:
        raise RecordingError(f"the session has no {kind} samples")
    cols: dict[str, object] = {
        CSV_TIME: series.t_s,
        "seq": series.meta["seq"],
        "device_t_us": series.meta["device_t_us"],
        "flags": series.meta["flags"],
    }
    if kind == "roll":
        cols["roll_deg"] = series.roll_deg  # type: ignore[union-attr]
        cols["pitch_deg"] = series.pitch_deg  # type: ignore[union-attr]
    else:
        for i, name in enumerate(CSV_ACC_G):
            cols[name] = series.acc_g[:, i]  # type: ignore[union-attr]
        for i, name in enumerate(CSV_GYR_DPS):
            cols[name] = series.gyro_dps[:, i]  # type: ignore[union-attr]
    return pd.DataFrame(cols)


def export_csv(session: DecodedSession, path: str | os.PathLike[str], kind: Kind = "roll") -> int:
    """Write the samples to CSV (full float precision); returns the number of rows."""
    frame = samples_frame(session, kind)
    frame.to_csv(path, index=False, float_format="%.9g")
    return len(frame)


def export_parquet(session: DecodedSession, path: str | os.PathLike[str], kind: Kind = "roll") -> int:
    """Write the samples to Parquet (needs pyarrow: `pip install hiplevel[parquet]`); returns rows."""
    try:
        import pyarrow  # noqa: F401  - only to give a clear message when it is missing
    except ImportError:
        raise RecordingError("Parquet export needs pyarrow (pip install 'hiplevel[parquet]')") from None
    frame = samples_frame(session, kind)
    frame.to_parquet(path, index=False, engine="pyarrow")
    return len(frame)
