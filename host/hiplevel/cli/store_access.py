"""Open the session store for a command, finishing the work of any session that was interrupted
(crash, power cut, closed laptop): its recording is analysed as far as it goes, so nothing that
reached the disk is lost."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def open_store(data_dir: Path | None, stale_after_s: float | None = None):
    """The SessionStore at `data_dir` (default: the user's), with interrupted sessions recovered.

    stale_after_s: a "recording" session whose heartbeat is older than this is interrupted
    (default: the store's)."""
    from hiplevel.capture import analyse_into_store
    from hiplevel.errors import HiplevelError
    from hiplevel.store import SessionStore

    store = SessionStore(data_dir) if stale_after_s is None else SessionStore(data_dir, stale_after_s=stale_after_s)
    for session_id in store.recovered_:
        record = store.get_session(session_id)
        path = Path(record.meta.recording_path) if record.meta.recording_path else None
        if path is None or not path.is_file() or record.n_sets:
            continue
        try:
            results, summary = analyse_into_store(store, session_id, path, status="interrupted")
        except HiplevelError as exc:  # a recording too short or damaged to analyse stays as it is
            log.warning("interrupted session %s could not be analysed: %s", session_id, exc)
            continue
        print(f"recovered interrupted session {session_id}: {len(results)} sets, "
              f"{summary['samples']} samples from {path}", file=sys.stderr)
    return store
