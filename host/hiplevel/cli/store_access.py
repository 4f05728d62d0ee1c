"""Open the session store for a command, finishing the work of any session that was interrupted
(crash, power cut, closed laptop): its recording is analysed as far as it goes, so nothing that
reached the disk is lost. In a shared store, recordings still only on this computer are uploaded."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from hiplevel.cli.common import CliError

log = logging.getLogger(__name__)


def chosen_store_url(data_dir: Path | None, url: str | None) -> str | None:
    """The store a command opens (docs/store.md, "Choosing the store"): `--store` when given, else
    SQLite in an explicit `--data-dir` (a command-line folder beats $HIPLEVEL_STORE: "restore into an
    empty folder and check it" on a laptop of a practice), else None ($HIPLEVEL_STORE, else SQLite in
    the default folder)."""
    if url:
        return url
    return f"sqlite:///{Path(data_dir)}" if data_dir is not None else None


def store_place(store) -> str:
    """Where a store's sessions are, for messages: a SQLite store's data folder (what `--data-dir`
    names), a shared store's URL (no password; its data folder holds only this computer's
    recordings in progress)."""
    return str(store.data_dir) if store.kind == "sqlite" else store.describe()


def open_store(data_dir: Path | None, stale_after_s: float | None = None, url: str | None = None, *,
               must_exist: bool = False):
    """The SessionStore at `url` (postgresql://... or sqlite:///folder), else SQLite in `data_dir`,
    else at $HIPLEVEL_STORE, else SQLite in the user's folder (`chosen_store_url`), with interrupted
    sessions recovered.

    stale_after_s: a "recording" session whose heartbeat is older than this is interrupted
    (default: the store's). must_exist: the commands that only read (list, show, report, export)
    refuse a `data_dir` that is not there, rather than show a new empty store (a mistyped path)."""
    from hiplevel.capture import analyse_into_store
    from hiplevel.errors import HiplevelError
    from hiplevel.store import SessionStore
    from hiplevel.store.recordings import local_path

    if must_exist and data_dir is not None and not Path(data_dir).is_dir():
        what = "is a file, not a folder" if Path(data_dir).exists() else "does not exist"
        raise CliError(f"data folder {data_dir} {what}: check --data-dir (where `hiplevel record` or "
                       "`hiplevel demo` stored the sessions)")

    kwargs = {} if stale_after_s is None else {"stale_after_s": stale_after_s}
    store = SessionStore(data_dir, url=chosen_store_url(data_dir, url), **kwargs)
    for session_id in dict.fromkeys([*store.recovered_, *store.pending_uploads_]):
        record = store.get_session(session_id)
        path = local_path(record.meta.recording_path, store.data_dir)
        if path is None or not path.is_file():
            continue
        if record.n_sets:
            store.store_recording(session_id)  # analysed already: only the upload was left
            continue
        try:
            results, summary = analyse_into_store(store, session_id, path, status="interrupted")
        except HiplevelError as exc:  # a recording too short or damaged to analyse stays as it is
            log.warning("interrupted session %s could not be analysed: %s", session_id, exc)
            store.store_recording(session_id)
            continue
        print(f"recovered interrupted session {session_id}: {len(results)} sets, "
              f"{summary['samples']} samples from {path}", file=sys.stderr)
    return store
