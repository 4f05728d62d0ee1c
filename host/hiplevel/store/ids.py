"""Fresh pseudonymous ids for new patients and sessions ("P-7F3A", "S-20260102-0930-1B2C"), and the
insert that retries with another id when a client sharing the store took the one drawn (internal to
hiplevel.store)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from hiplevel.store.backend import Backend, StoreError

# How many fresh ids to try when another client took the one drawn (shared store, same minute).
ID_RETRIES = 5


def fresh_id(c: Backend, table: str, prefix: str) -> str:
    """`prefix` and four random hex digits, not yet an id in `table`."""
    for _ in range(1000):
        candidate = prefix + secrets.token_hex(2).upper()
        if not c.execute(f"SELECT 1 FROM {table} WHERE id = ?", (candidate,)).fetchone():
            return candidate
    raise StoreError(f"no free id with prefix {prefix!r}")


def insert_with_fresh_id(backend: Backend, insert: Callable[[Backend], str], what: str, given_id: str | None) -> str:
    """Run `insert(c)` (it inserts one row and returns its id) in a write transaction, again with a
    fresh id when the id was taken meanwhile (an integrity error), up to ID_RETRIES times; a
    `given_id` that is taken is a StoreError at once. what: "patient" or "session", for messages."""
    for _ in range(ID_RETRIES):
        try:
            with backend.write() as c:
                new_id = insert(c)
            return new_id
        except backend.integrity_error:
            if given_id is not None:  # another client added the same id at the same moment
                raise StoreError(f"{what} {given_id} already exists") from None
    raise StoreError(f"no free {what} id: try again")
