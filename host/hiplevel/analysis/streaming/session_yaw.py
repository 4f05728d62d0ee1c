"""The sensor's forward axis live: the offline rule over every sample since the standing, not one window.

Offline, the mount yaw (`alignment.mount_yaw_from_chunks`) is judged once over every levelled up-vector
after the recording's standing. The live detector used to judge it over its moving window alone
(`OnlineSettings.buffer_s`, 30 s): a window of stairs or of a slope gives a pitch axis 10-25 deg off the
session's (hapt-dev e03, e05, e09: live 0 in most runs, 15-27 deg in some, offline 9.1 / 0 / 0), and
the pitch then leaks into the roll: 2-6 deg whole-walk level differences, the largest class of steps
whose drop words differ live and offline (docs/analysis.md, "Stop 42 live"). `SessionYaw` keeps the
smoothed up-vectors the buffer drops (`SampleBuffer.on_drop`, sensor frame, their final values: older
than the backward pass reaches) and applies the same rule to them and the buffer, so the live forward
axis is offline's over the samples seen so far. Costs: 12 bytes a sample (float32; 2.2 MB an hour at
50 Hz) and one pass over them every REFRESH_S (3 ms an hour of samples); between refreshes the last
value is kept.
"""

from __future__ import annotations

import numpy as np

from hiplevel.analysis.streaming.buffer import SampleBuffer
from hiplevel.signal.alignment import mount_yaw_from_chunks

__all__ = ["REFRESH_S", "SessionYaw"]

# How often the session's yaw is judged again once the buffer has dropped samples, s (of the stream):
# it moves slowly (a new kind of walk), and a pass over an hour's samples costs ~3 ms.
REFRESH_S = 5.0


class SessionYaw:
    """The forward-axis correction of one live session, deg (`psi`); registers on the buffer's drops."""

    def __init__(self, buf: SampleBuffer) -> None:
        self._chunks: list[tuple[int, np.ndarray]] = []  # (global index of the first row, rows (N,3) float32)
        buf.on_drop = self.keep
        self._key: tuple | None = None  # (after_g, level rotation bytes) of the cached value
        self._t_s = -np.inf
        self._psi = 0.0

    def keep(self, g0: int, up_rows: np.ndarray) -> None:
        """Rows the buffer drops: global indices g0.., smoothed sensor-frame up-vectors (N,3)."""
        self._chunks.append((g0, np.asarray(up_rows, np.float32).copy()))

    def has_past(self, after_g: int) -> bool:
        """Whether the buffer has dropped samples from global index after_g on (else the window
        holds every sample since the standing, and the rule over it is the session's)."""
        return any(g0 + len(rows) > after_g for g0, rows in self._chunks)

    def psi(self, b: SampleBuffer, n: int, level_rot: np.ndarray, after_g: int) -> float:
        """Mount yaw, deg, of the up-vectors from global sample after_g (the end of the standing) to
        buffer row n, levelled by level_rot: the dropped rows and the buffer's, judged again every
        REFRESH_S of the stream or when the level or the standing changed."""
        key = (after_g, level_rot.tobytes())
        t = float(b.t[n - 1])
        if key != self._key or t - self._t_s >= REFRESH_S:
            past = [rows[max(0, after_g - g0) :] for g0, rows in self._chunks if g0 + len(rows) > after_g]
            now = b.smooth[b.first(after_g) : n]

            def levelled():
                for rows in past + [now]:
                    yield rows @ level_rot.T

            self._psi, self._key, self._t_s = mount_yaw_from_chunks(levelled), key, t
        return self._psi
