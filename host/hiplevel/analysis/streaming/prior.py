"""The device prior: the sensor errors (accelerometer bias, gyro cross-axis leak) that the offline
turn fit of a stored session found, carried to the next live session of the same device.

Why: live, the errors are known only from the session's first turn fit (ipol-dev: 14.6-21.5 s into
each walk), so the first steps' drops were measured on uncorrected signals and some differ from
offline's in sign. The errors belong to the chip (MPU6050 zero-g offset, cross-axis sensitivity),
so the device's last session knows them before this one's first turn (docs/analysis.md, Stop 40h).
They are kept with the session, in each set's analysis JSON under SENSOR_ERRORS_KEY (the session
row names the device: `sessions.device_id`); `store.device_priors` finds the device's latest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from hiplevel.signal.turns import TurnErrors

__all__ = ["SENSOR_ERRORS_KEY", "DevicePrior", "errors_from_json", "errors_to_json"]

SENSOR_ERRORS_KEY: Final[str] = "sensor_errors"


@dataclass(frozen=True)
class DevicePrior:
    """A device's sensor errors as a stored session's offline analysis fitted them: errors
    (acc_bias_g (3,) g, sensor frame, z 0; gyro_leak (2,) deg/s about x, y per deg/s about z;
    n_turns fitted), the device id and the session (id, start time ISO UTC) they came from."""

    errors: TurnErrors
    device_id: str
    session_id: str
    started_at: str

    def words(self) -> str:
        """What `hiplevel live` prints when it seeds the live turn fit with this prior."""
        b = self.errors.acc_bias_g * 1000.0
        return (f"sensor errors of device {self.device_id} from session {self.session_id} ({self.started_at}): "
                f"accelerometer bias x {b[0]:+.0f} y {b[1]:+.0f} mg, until this session's first turn")


def errors_to_json(errors: TurnErrors) -> dict[str, Any]:
    """The JSON form kept with a session: acc_bias_g (3 numbers, g), gyro_leak (2, deg/s per
    deg/s), n_turns."""
    return {"acc_bias_g": [round(float(x), 6) for x in errors.acc_bias_g],
            "gyro_leak": [round(float(x), 6) for x in errors.gyro_leak], "n_turns": int(errors.n_turns)}


def errors_from_json(doc: Any) -> TurnErrors | None:
    """`errors_to_json`'s form read back; None when absent, malformed or with no turn fitted."""
    try:
        acc = np.asarray(doc["acc_bias_g"], float).reshape(3)
        leak = np.asarray(doc["gyro_leak"], float).reshape(2)
        n = int(doc["n_turns"])
    except (KeyError, TypeError, ValueError):
        return None
    if n < 1 or not (np.all(np.isfinite(acc)) and np.all(np.isfinite(leak))):
        return None
    return TurnErrors(acc, leak, n)
