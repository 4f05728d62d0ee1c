"""The sensor errors a device's stored sessions carry (`analysis.streaming.prior`): the prior that
`hiplevel live` starts its turn fit from.

Kept with the sessions, not in the calibration file: the session row already names its device
(`sessions.device_id`, the name the sensor reports) and the offline analysis that fits the errors
writes the session's sets, while a calibration file is written only by `hiplevel calibrate` and is
pushed to the sensor (docs/analysis.md, Stop 40h).
"""

from __future__ import annotations

import json
import logging

from hiplevel.analysis.streaming.prior import SENSOR_ERRORS_KEY, DevicePrior, errors_from_json

__all__ = ["latest_device_prior", "stored_device_prior"]

log = logging.getLogger(__name__)


def latest_device_prior(store, device_id: str) -> DevicePrior | None:
    """The sensor errors of `device_id`'s latest session whose analysis fitted them (its first
    set that has them); None when no session of that device has any. `store`: a SessionStore."""
    if not device_id:
        return None
    # Only the sets whose document holds the key are read and parsed (most sets of a clinic's store,
    # holds and lowerings, fit no turn): a text match both backends run, the JSON still checked.
    sql = ("SELECT s.id, s.started_at, st.analysis_json FROM sessions s JOIN sets st ON st.session_id = s.id "
           "WHERE s.device_id = ? AND st.analysis_json LIKE ? ORDER BY s.started_at DESC, s.id DESC, st.set_index")
    for row in store.backend.execute(sql, (device_id, f'%"{SENSOR_ERRORS_KEY}"%')).fetchall():
        try:
            doc = json.loads(row["analysis_json"])
        except (TypeError, ValueError):
            continue
        errors = errors_from_json(doc.get(SENSOR_ERRORS_KEY)) if isinstance(doc, dict) else None
        if errors is not None:
            return DevicePrior(errors, device_id, str(row["id"]), str(row["started_at"]))
    return None


def stored_device_prior(device_id: str, data_dir=None, url: str | None = None) -> DevicePrior | None:
    """`latest_device_prior` from the store (`url`, $HIPLEVEL_STORE, else SQLite in the data
    folder, default the user's); None when there is no store (none is created) or it cannot be
    read: a live session then starts without a prior, as before."""
    from hiplevel.errors import HiplevelError
    from hiplevel.store.backend import no_store_yet
    from hiplevel.store.db import SessionStore

    if no_store_yet(data_dir, url):
        return None
    try:
        with SessionStore(data_dir, url=url, recover=False) as store:
            return latest_device_prior(store, device_id)
    except (HiplevelError, OSError) as exc:
        log.warning("no sensor-error prior: the store could not be read (%s)", exc)
        return None
